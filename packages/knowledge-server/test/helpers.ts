/**
 * Shared test fixtures: a small Markdown corpus written to a temp folder (so tests can add, edit
 * and delete files), and a knowledge server over it with a silent logger and a temp index.
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { createLogger } from '@gatehouse/kit';
import { makeTempDir } from '../../../scripts/test-temp-dir.ts';
import type { KnowledgeConfig } from '../src/config.ts';
import { createKnowledgeServer, type KnowledgeServer } from '../src/server.ts';

export const FAILOVER_RUNBOOK = `---
title: Database failover
owner: platform
---
# Database failover

Use this runbook when the primary database stops accepting writes.

## Detect the outage

The alert \`DatabasePrimaryDown\` fires after 60 seconds without a primary.
Check the cluster state with \`clusterctl status\`.

## Promote the replica

Pick the replica with the smallest replication lag and promote it:

\`\`\`sh
# this line starts with a hash but is code, not a heading
clusterctl promote --member db-2
\`\`\`

### Verify writes

Insert a canary row and read it back from the new primary.
`;

export const CACHE_ADR = `# ADR 0007: Caching product pages

## Status

Accepted.

## Decision

We cache rendered product pages in the CDN for five minutes and purge on price changes.
Inventory counts are never cached because oversell costs more than a slower page.
`;

export const GLOSSARY_DOC = `Preamble text before any heading mentions the glossary.

## Terms

- **SLO**: service level objective, the reliability target of a service.
- **Error budget**: the failures an SLO allows in its window.
`;

export function longSectionDoc(paragraphs: number): string {
  const body = Array.from(
    { length: paragraphs },
    (_, i) =>
      `Paragraph ${i + 1} talks about capacity planning for the warehouse ${'and more words '.repeat(12)}end.`,
  ).join('\n\n');
  return `# Capacity notes\n\n## Forecast\n\n${body}\n`;
}

export interface TempCorpus {
  dir: string;
  write(path: string, content: string): void;
  remove(path: string): void;
  cleanup(): void;
}

export function tempCorpus(files: Record<string, string> = defaultFiles()): TempCorpus {
  const root = makeTempDir('knowledge-test-');
  const dir = join(root, 'corpus');
  mkdirSync(dir);
  const corpus: TempCorpus = {
    dir,
    write(path, content) {
      mkdirSync(dirname(join(dir, path)), { recursive: true });
      writeFileSync(join(dir, path), content);
    },
    remove(path) {
      rmSync(join(dir, path));
    },
    cleanup() {
      rmSync(root, { recursive: true, force: true });
    },
  };
  for (const [path, content] of Object.entries(files)) corpus.write(path, content);
  return corpus;
}

export function defaultFiles(): Record<string, string> {
  return {
    'runbooks/database-failover.md': FAILOVER_RUNBOOK,
    'adr/0007-caching-product-pages.md': CACHE_ADR,
    'docs/glossary.md': GLOSSARY_DOC,
    'docs/capacity.md': longSectionDoc(8),
  };
}

/** A fresh index file next to the corpus. */
export function tempDbPath(corpus: TempCorpus, name = 'knowledge.db'): string {
  return join(dirname(corpus.dir), name);
}

export function testServer(
  config: Partial<KnowledgeConfig> & { docsDir: string; dbPath: string },
  fetchImpl?: typeof fetch,
): KnowledgeServer {
  return createKnowledgeServer(config, {
    log: createLogger('knowledge-test', 'silent'),
    ...(fetchImpl ? { fetch: fetchImpl } : {}),
  });
}

/** A search passage as the tests read it. */
export interface SearchHit {
  document: string;
  title: string;
  kind: string;
  heading: string;
  lines: string;
  score: number;
  snippet: string;
}

/** The `results` of a `search_docs` outcome ([] when absent). */
export function hitsOf(out: { structured: Record<string, unknown> | undefined }): SearchHit[] {
  return (out.structured?.results ?? []) as SearchHit[];
}

/** Odd and hostile search queries: FTS5 syntax, SQL, odd Unicode, 10 KB of text. */
export const HOSTILE_QUERIES = [
  '"',
  '"unbalanced quote',
  'NEAR(failover replica, 2)',
  'failover NEAR replica',
  '*',
  'repl*',
  '-replica',
  'failover -replica',
  '((failover',
  'failover)) OR (',
  'title:failover',
  '^promote',
  'failover AND NOT replica',
  "'; DROP TABLE chunks; --",
  'promote + replica { } [ ] | \\ / ~ `',
  'ＦＡＩＬＯＶＥＲ ｒｅｐｌｉｃａ',
  'réplica falló',
  '🚀 failover 🚀',
  'x'.repeat(10_000),
  'failover '.repeat(1_200),
];
