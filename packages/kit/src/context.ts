/**
 * Builds a handler's context from the SDK's per-request context: the caller from `_meta`, a
 * logger bound to the request, the request's abort signal and progress on its token.
 */
import type { ServerContext } from '@modelcontextprotocol/server';
import { type Caller, callerFromMeta } from './caller.ts';
import type { HandlerContext } from './define.ts';
import type { Logger } from './logger.ts';

export function handlerContext(
  ctx: ServerContext,
  log: Logger,
  target: string,
  fallbackCaller: Caller | null,
): HandlerContext {
  const meta = ctx.mcpReq._meta as Record<string, unknown> | undefined;
  const caller = callerFromMeta(meta, fallbackCaller);
  const progressToken = meta?.progressToken as string | number | undefined;
  return {
    caller,
    log: log.child({ target, rid: String(ctx.mcpReq.id), ...(caller ? { caller: caller.id } : {}) }),
    signal: ctx.mcpReq.signal,
    async progress(progress: number, total?: number, message?: string): Promise<void> {
      if (progressToken === undefined) return;
      await ctx.mcpReq.notify({
        method: 'notifications/progress',
        params: {
          progressToken,
          progress,
          ...(total === undefined ? {} : { total }),
          ...(message === undefined ? {} : { message }),
        },
      });
    },
  };
}
