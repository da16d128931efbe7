/**
 * Runbook search for the sandbox platform API: keyword scoring over the runbook index. Words in
 * the title count most, then tags and the service name, then the summary, then the steps;
 * plurals fold to their singular and filler words are ignored. A service filter keeps that
 * service's runbooks and the general procedures, the service's own ranked first on ties.
 */
import type { Runbook } from '../seed/platform-runbooks.ts';

const STOP_WORDS = new Set([
  'a',
  'an',
  'and',
  'are',
  'at',
  'for',
  'from',
  'how',
  'i',
  'in',
  'is',
  'it',
  'of',
  'on',
  'or',
  'the',
  'to',
  'what',
  'when',
  'why',
  'with',
  'do',
  'does',
  'my',
  'our',
  'we',
  'after',
  'too',
  'very',
]);

function stem(word: string): string {
  if (word.length > 4 && word.endsWith('ies')) return `${word.slice(0, -3)}y`;
  if (word.length > 3 && word.endsWith('s') && !word.endsWith('ss')) return word.slice(0, -1);
  return word;
}

/** Lower-case words; hyphenated names count whole and by part (`checkout-api` → also `checkout`). */
export function tokens(text: string): string[] {
  const out: string[] = [];
  for (const word of text.toLowerCase().split(/[^a-z0-9-]+/)) {
    const trimmed = word.replace(/^-+|-+$/g, '');
    if (trimmed === '' || STOP_WORDS.has(trimmed)) continue;
    out.push(stem(trimmed));
    if (trimmed.includes('-')) for (const part of trimmed.split('-')) if (part) out.push(stem(part));
  }
  return out;
}

const WEIGHTS = { title: 3, tags: 2, service: 2, summary: 1, steps: 0.5 } as const;

export interface RunbookHit extends Runbook {
  score: number;
}

function fields(runbook: Runbook): Record<keyof typeof WEIGHTS, Set<string>> {
  return {
    title: new Set(tokens(runbook.title)),
    tags: new Set(tokens(runbook.tags.join(' '))),
    service: new Set(tokens(runbook.service ?? '')),
    summary: new Set(tokens(runbook.summary)),
    steps: new Set(tokens(runbook.steps.join(' '))),
  };
}

export function searchRunbooks(runbooks: readonly Runbook[], query: string, service?: string): RunbookHit[] {
  const terms = [...new Set(tokens(query))];
  const candidates = runbooks.filter(
    (r) => service === undefined || r.service === service || r.service === null,
  );
  const hits: RunbookHit[] = [];
  for (const runbook of candidates) {
    const index = fields(runbook);
    let score = 0;
    for (const term of terms) {
      for (const [field, weight] of Object.entries(WEIGHTS) as [keyof typeof WEIGHTS, number][]) {
        if (index[field].has(term)) score += weight;
      }
    }
    if (terms.length > 0 && score === 0) continue;
    const own = service !== undefined && runbook.service === service ? 0.25 : 0;
    hits.push({ ...runbook, score: score + own });
  }
  return hits.sort((a, b) => b.score - a.score || a.id.localeCompare(b.id));
}
