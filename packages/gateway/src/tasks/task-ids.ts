/**
 * Gateway task ids for the `io.modelcontextprotocol/tasks` extension. A task lives on the
 * upstream that created it, so the id the client sees carries the owning upstream, the
 * upstream's own id and the principal that created it, sealed with an HMAC: `tasks/get|update|cancel` route without any state in
 * the gateway (any replica holding the same key can serve them), and a client cannot point an id
 * at another upstream or forge one.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

const PREFIX = 'gt1';
const MAC_BYTES = 16;

export interface TaskRef {
  /** The upstream that owns the task. */
  readonly upstream: string;
  /** The task id the upstream issued. */
  readonly taskId: string;
  /** The principal that created the task; only it may follow the task. */
  readonly owner: string;
}

export class TaskIdCodec {
  private readonly key: Buffer;

  constructor(stateKey: Uint8Array) {
    // A sub-key, so a task-id MAC can never double as a requestState MAC.
    this.key = createHmac('sha256', stateKey).update('gatehouse task ids').digest();
  }

  private mac(body: string): Buffer {
    return createHmac('sha256', this.key).update(body).digest().subarray(0, MAC_BYTES);
  }

  /** The id the client sees for `ref`. */
  seal(ref: TaskRef): string {
    const body = Buffer.from(JSON.stringify([ref.upstream, ref.taskId, ref.owner])).toString('base64url');
    return `${PREFIX}.${body}.${this.mac(body).toString('base64url')}`;
  }

  /** The owner and upstream id behind a client-supplied id, or undefined if it is not ours. */
  open(id: string): TaskRef | undefined {
    const [prefix, body, mac, ...rest] = id.split('.');
    if (prefix !== PREFIX || body === undefined || mac === undefined || rest.length > 0) return undefined;
    const given = Buffer.from(mac, 'base64url');
    const expected = this.mac(body);
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return undefined;
    try {
      const parsed: unknown = JSON.parse(Buffer.from(body, 'base64url').toString('utf8'));
      if (
        Array.isArray(parsed) &&
        parsed.length === 3 &&
        typeof parsed[0] === 'string' &&
        typeof parsed[1] === 'string' &&
        typeof parsed[2] === 'string'
      ) {
        return { upstream: parsed[0], taskId: parsed[1], owner: parsed[2] };
      }
    } catch {
      // a valid MAC over a body we did not write cannot happen; treat as foreign
    }
    return undefined;
  }
}
