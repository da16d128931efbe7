/**
 * The gateway's `requestState` for multi-round-trip answers: sealed (HMAC, expiry) by the SDK's
 * codec and bound to the method it was issued for, so a state minted for one method is refused
 * on another. The binding lives inside the sealed payload rather than in the SDK's context
 * callback, so any driver can seal an outcome — the call lane has no SDK handler context.
 */
import { createRequestStateCodec, type ServerContext } from '@modelcontextprotocol/server';
import { wireError } from '../errors/wire.ts';

export interface RequestStateSealer {
  seal(method: string, state: unknown): Promise<string>;
  /** The state a client echoed, checked for this handler's method; throws when it is not valid. */
  open(sealed: string, ctx: ServerContext): Promise<unknown>;
}

interface Sealed {
  m: string;
  s: unknown;
}

export function createRequestStateSealer(key: Uint8Array): RequestStateSealer {
  const codec = createRequestStateCodec<Sealed>({ key, ttlSeconds: 600 });
  return {
    seal: (method, state) => codec.mint({ m: method, s: state }),
    async open(sealed, ctx) {
      const { m, s } = await codec.verify(sealed, ctx);
      if (m !== ctx.mcpReq.method)
        throw wireError('InvalidParams', `requestState was issued for ${m}, not ${ctx.mcpReq.method}`);
      return s;
    },
  };
}
