/**
 * The answers for a target the caller cannot use: unknown, or hidden — the same errors, so a
 * hidden target cannot be told from a missing one (route and authorize both answer with them).
 */
import { wireError } from './wire.ts';

/**
 * An unknown resource is -32602 with the URI in `data` — the 2026-07-28 code, which the SDK also
 * emits on 2025-era sessions (clients of both eras accept it when `data.uri` is present).
 */
export function resourceNotFound(uri: string): Error {
  return wireError('InvalidParams', `Resource not found: ${uri}`, { uri });
}

export function unknownTool(name: string): Error {
  return wireError('InvalidParams', `Unknown tool: ${name}`);
}

export function unknownPrompt(name: string): Error {
  return wireError('InvalidParams', `Unknown prompt: ${name}`);
}
