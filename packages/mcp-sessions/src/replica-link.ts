/**
 * One replica's side of the replicas sharing session records: what it tells the others over the
 * bus (session-bus.ts) and what it does with what they tell it. The session manager calls it at
 * the points of a request that concern other replicas:
 *
 * - before a POST of answers and notifications is served here, it is passed on, without waiting
 *   (a slow database must not hold up the answer served here);
 * - after a POST that set the session's state (scoped-requests.ts), the state is kept with the
 *   record for replicas taking the session up later, and passed on to those holding it now;
 * - a session ended here (DELETE) loses its record and the others are told; the DELETE is
 *   answered once both are done, or after ENDING_WAIT_MS with the database slow or away (each
 *   replica's next check of the record then finds out).
 */
import type { SessionRecordStore } from './record-store.ts';
import { replayable, scopedRequestsIn } from './scoped-requests.ts';
import { isClientAnswer, postOf, type SessionBus, type SessionBusMessage } from './session-bus.ts';
import type { LiveSession } from './session-types.ts';

/** How long a DELETE waits for the other replicas to be told before it is answered anyway. */
const ENDING_WAIT_MS = 2_000;

export interface ReplicaLinkOptions<State> {
  bus: SessionBus | undefined;
  records: SessionRecordStore;
  /** The session this replica holds with that id. */
  held(id: string): LiveSession<State> | undefined;
  /** Lets go of a session here, leaving its record (it was ended elsewhere). */
  letGo(id: string): void;
  onRequest(session: LiveSession<State>, body: unknown): void;
  reportError(error: unknown): void;
}

export class ReplicaLink<State> {
  private readonly options: ReplicaLinkOptions<State>;
  /** Sessions ended here (DELETE) whose record removal and notice are under way. */
  private readonly endings = new Map<string, Promise<void>>();

  constructor(options: ReplicaLinkOptions<State>) {
    this.options = options;
    options.bus?.subscribe((message) => this.received(message));
  }

  /** A POST of answers and notifications only: the replica waiting for them may be another. */
  passOnAnswers(session: LiveSession<State>, body: unknown): void {
    if (this.options.bus === undefined || !isClientAnswer(body)) return;
    void this.tell({ kind: 'client-messages', session: session.id, owner: session.owner, body });
  }

  /** A POST that set the session's state (a logging level, a subscription). */
  shareState(session: LiveSession<State>, body: unknown): void {
    const requests = scopedRequestsIn(body);
    if (requests.length === 0 || !session.scoped.apply(requests)) return;
    void (async () => {
      try {
        await this.options.records.setScoped?.(session.id, session.scoped.list());
      } catch (error) {
        this.options.reportError(error);
      }
      await this.tell({ kind: 'session-requests', session: session.id, owner: session.owner, requests });
    })();
  }

  /** The session was ended here: its record goes, then the other replicas let it go too. */
  end(id: string): void {
    const ending = (async () => {
      try {
        await this.options.records.remove(id);
      } catch (error) {
        this.options.reportError(error);
      }
      await this.tell({ kind: 'ended', session: id });
    })().finally(() => this.endings.delete(id));
    this.endings.set(id, ending);
  }

  /** Resolves once the ending of `id` is done, or ENDING_WAIT_MS has passed. */
  async ended(id: string): Promise<void> {
    const ending = this.endings.get(id);
    if (ending === undefined) return;
    await Promise.race([ending, new Promise((resolve) => setTimeout(resolve, ENDING_WAIT_MS).unref())]);
  }

  /** Publishes on the bus, if any; a failure is reported, never thrown into the request. */
  private async tell(message: SessionBusMessage): Promise<void> {
    try {
      await this.options.bus?.publish(message);
    } catch (error) {
      this.options.reportError(error);
    }
  }

  /** What another replica passed on: a session ended there, or what its client posted there. */
  private received(message: SessionBusMessage): void {
    const session = this.options.held(message.session);
    if (session === undefined) return;
    if (message.kind === 'ended') {
      this.options.letGo(message.session);
      return;
    }
    if (session.owner !== message.owner) return;
    if (message.kind === 'session-requests') {
      this.applyState(session, message.requests);
      return;
    }
    this.options.onRequest(session, message.body);
    session.transport
      .handleRequest(postOf(session, message.body), { parsedBody: message.body })
      .then((response) => response.body?.cancel())
      .catch(this.options.reportError);
  }

  /** State set through another replica, applied with the owner's credentials last seen here. */
  private applyState(session: LiveSession<State>, requests: readonly unknown[]): void {
    const auth = session.auth;
    session.scoped.apply(requests);
    // In the order they were served: a subscribe and an unsubscribe of one URI must not swap.
    const applied = (async () => {
      for (const request of requests) {
        const message = replayable(request);
        const response = await session.transport.handleRequest(postOf(session, message), {
          parsedBody: message,
          authInfo: auth,
        });
        await response.text();
      }
    })();
    applied.catch(this.options.reportError);
  }
}
