/**
 * Ranking helpers: reciprocal rank fusion of several ranked lists (BM25 and vector), and the
 * diversification that keeps one document from filling every slot. A second passage of a
 * document already in the results is taken only when it dominates: no other document is left, or
 * its score is at least `DOMINANCE` times the best passage of a document not yet shown. Passages
 * passed over fill the remaining slots at the end, so a short list is never left short.
 */

/** The usual RRF constant: damps the difference between the very first ranks. */
export const RRF_K = 60;

/** How much better a document's next passage must score than the best other document's. */
export const DOMINANCE = 1.5;

/** Fuses ranked id lists: score(id) = Σ 1 / (RRF_K + rank), rank from 1. Best first. */
export function reciprocalRankFusion(lists: readonly (readonly number[])[]): { id: number; score: number }[] {
  const scores = new Map<number, number>();
  for (const list of lists) {
    list.forEach((id, index) => {
      scores.set(id, (scores.get(id) ?? 0) + 1 / (RRF_K + index + 1));
    });
  }
  return [...scores].map(([id, score]) => ({ id, score })).sort((a, b) => b.score - a.score || a.id - b.id);
}

export interface Candidate {
  readonly path: string;
  readonly score: number;
}

/** Picks `limit` candidates (ranked best first), diversified across documents; best first. */
export function diversify<T extends Candidate>(ranked: readonly T[], limit: number): T[] {
  const picked: T[] = [];
  const deferred: T[] = [];
  const shown = new Set<string>();
  ranked.forEach((candidate, index) => {
    if (picked.length >= limit) return;
    if (!shown.has(candidate.path)) {
      picked.push(candidate);
      shown.add(candidate.path);
      return;
    }
    const rival = ranked.slice(index + 1).find((r) => !shown.has(r.path));
    if (rival === undefined || candidate.score >= DOMINANCE * rival.score) picked.push(candidate);
    else deferred.push(candidate);
  });
  for (const candidate of deferred) {
    if (picked.length >= limit) break;
    picked.push(candidate);
  }
  return picked.sort((a, b) => b.score - a.score);
}
