/**
 * Errors a tool handler throws on purpose. A `ToolError` becomes an `isError` result whose text
 * the model can act on ("insufficient funds: balance 12.00 EUR, requested 50.00 EUR"); its `code`
 * and `details` travel in `structuredContent`-free `_meta["dev.gatehouse/tool-error"]` so programs
 * can branch on them. Anything else thrown is an internal failure: logged in full on stderr and
 * answered with the tool name and the error's message only.
 */
export const TOOL_ERROR_META_KEY = 'dev.gatehouse/tool-error';

export class ToolError extends Error {
  readonly code: string;
  readonly details: Record<string, unknown> | undefined;

  constructor(code: string, message: string, details?: Record<string, unknown>) {
    super(message);
    this.name = 'ToolError';
    this.code = code;
    this.details = details;
  }
}

export function isToolError(error: unknown): error is ToolError {
  return error instanceof ToolError;
}
