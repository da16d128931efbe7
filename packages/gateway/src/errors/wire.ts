/** Helpers to raise registry wire errors through the SDK (which frames them as JSON-RPC errors). */
import { ProtocolError } from '@modelcontextprotocol/server';
import { type WireErrorName, WireErrors } from './registry.ts';

export function wireError(name: WireErrorName, message: string, data?: unknown): ProtocolError {
  return new ProtocolError(WireErrors[name].code, message, data);
}

/** Does `error` carry a JSON-RPC code (from the SDK on either side)? */
export function errorCode(error: unknown): number | undefined {
  if (error !== null && typeof error === 'object' && 'code' in error && typeof error.code === 'number') {
    return error.code;
  }
  return undefined;
}
