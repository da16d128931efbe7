/**
 * What this gateway has reported to the pin store: each changed definition it stored (as a
 * pending change against a given pin). Replicas each have their own connection to an upstream,
 * and two of them may see different definitions of one tool for a while (a rolling deploy) while
 * the store keeps one pending change per tool. Without this memory they would overwrite each
 * other's pending change at every re-read — a `pins/changed` event each time, for ever. With it:
 * - a replica stores a given change once; a pending change another replica replaced stays
 *   replaced (both still hold the tool back);
 * - a replica drops a pending change as reverted (its upstream serves the pinned definition
 *   again) only when it reported that change itself — another replica may still be offered it
 *   (with a store no replica shares, the one process drops any change its upstream reverts);
 * - a pending change that left the store without being replaced (approved, or dropped as reverted
 *   by the replica that reported it) is forgotten here, so a replica still offered it reports it
 *   again.
 */
import type { Admission, PinnedTool } from './admit.ts';
import type { PinSnapshot } from './store.ts';

interface Reported {
  upstream: string;
  tool: string;
}

function keyOf(upstream: string, tool: string, pinnedHash: string, hash: string): string {
  return JSON.stringify([upstream, tool, pinnedHash, hash]);
}

export class ChangeReports {
  private readonly reported = new Map<string, Reported>();
  private readonly shared: boolean;

  /** @param shared whether other replicas, with upstream connections of their own, share the store */
  constructor(shared: boolean) {
    this.shared = shared;
  }

  /**
   * The admission without what this process has already reported (changes), or has no say in
   * (reverts of a change another process reported).
   */
  unreported(
    upstream: string,
    admission: Admission,
    pins: ReadonlyMap<string, PinnedTool>,
    pending: ReadonlyMap<string, string>,
  ): Admission {
    const mine = (tool: string) => {
      const pinned = pins.get(tool)?.hash;
      const hash = pending.get(tool);
      return (
        pinned !== undefined && hash !== undefined && this.reported.has(keyOf(upstream, tool, pinned, hash))
      );
    };
    return {
      ...admission,
      changed: admission.changed.filter(
        (c) => !this.reported.has(keyOf(upstream, c.tool, c.pinnedHash, c.hash)),
      ),
      reverted: this.shared ? admission.reverted.filter(mine) : admission.reverted,
    };
  }

  /** The admission was stored: its changes are reported; its reverts are no longer ours. */
  stored(upstream: string, admission: Admission): void {
    for (const c of admission.changed)
      this.reported.set(keyOf(upstream, c.tool, c.pinnedHash, c.hash), { upstream, tool: c.tool });
    const reverted = new Set(admission.reverted);
    for (const [key, r] of this.reported)
      if (r.upstream === upstream && reverted.has(r.tool)) this.reported.delete(key);
  }

  /** Forgets reported changes whose tool has no pending change in the store any more. */
  forgetCleared(snapshot: PinSnapshot): void {
    for (const [key, r] of this.reported) {
      if (snapshot.pending.get(r.upstream)?.get(r.tool) === undefined) this.reported.delete(key);
    }
  }
}
