/**
 * Parsing and chunking: front matter, titles, heading paths, headings inside code, and exact
 * line ranges — every passage's text is exactly the lines it cites, for the test documents and
 * for every document of the bundled corpus.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { describe, test } from 'node:test';
import { BUNDLED_CORPUS } from '../src/config.ts';
import { chunkDocument, MAX_PASSAGE_CHARS, type Passage } from '../src/ingest/chunk.ts';
import { parseMarkdown, splitLines } from '../src/ingest/markdown.ts';
import { CACHE_ADR, FAILOVER_RUNBOOK, GLOSSARY_DOC, longSectionDoc } from './helpers.ts';

function assertExactLines(source: string, passages: Passage[], label: string): void {
  const lines = splitLines(source);
  for (const p of passages) {
    assert.ok(p.startLine >= 1 && p.endLine >= p.startLine && p.endLine <= lines.length, `${label}: range`);
    assert.equal(
      p.text,
      lines.slice(p.startLine - 1, p.endLine).join('\n'),
      `${label} L${p.startLine}-L${p.endLine}`,
    );
    assert.notEqual(p.text.trim(), '', `${label}: empty passage`);
  }
}

describe('parseMarkdown', () => {
  test('reads front matter, takes the title from it and numbers lines from the top of the file', () => {
    const doc = parseMarkdown('runbooks/database-failover.md', FAILOVER_RUNBOOK);
    assert.equal(doc.title, 'Database failover');
    assert.deepEqual(doc.frontMatter, { title: 'Database failover', owner: 'platform' });
    assert.equal(doc.bodyStartLine, 5);
    const h1 = doc.sections.find((s) => s.level === 1);
    assert.equal(h1?.startLine, 5);
    assert.equal(doc.lines[(h1?.startLine ?? 0) - 1], '# Database failover');
  });

  test('builds heading paths and ignores "#" lines inside fenced code', () => {
    const doc = parseMarkdown('runbooks/database-failover.md', FAILOVER_RUNBOOK);
    assert.deepEqual(
      doc.sections.map((s) => s.path.join(' > ')),
      [
        'Database failover',
        'Database failover > Detect the outage',
        'Database failover > Promote the replica',
        'Database failover > Promote the replica > Verify writes',
      ],
    );
    const promote = doc.sections.find((s) => s.heading === 'Promote the replica');
    const verify = doc.sections.find((s) => s.heading === 'Verify writes');
    assert.equal(promote?.ownEndLine, (verify?.startLine ?? 0) - 1);
    assert.equal(promote?.endLine, doc.lines.length, 'a section spans its subsections');
  });

  test('falls back to the first H1, then to the file name, and keeps text before the first heading', () => {
    assert.equal(parseMarkdown('adr/x.md', CACHE_ADR).title, 'ADR 0007: Caching product pages');
    const glossary = parseMarkdown('docs/engineering-glossary.md', GLOSSARY_DOC);
    assert.equal(glossary.title, 'Engineering glossary');
    assert.deepEqual(glossary.sections[0], {
      level: 0,
      heading: '',
      path: ['Engineering glossary'],
      startLine: 1,
      ownEndLine: 2,
      endLine: 2,
    });
    assert.deepEqual(glossary.sections[1]?.path, ['Engineering glossary', 'Terms']);
  });

  test('malformed front matter is ignored but its lines are not body text', () => {
    const doc = parseMarkdown('docs/odd.md', '---\ntitle: [unclosed\n---\n# Real title\n\nBody.\n');
    assert.equal(doc.title, 'Real title');
    assert.deepEqual(doc.frontMatter, {});
    assert.equal(doc.bodyStartLine, 4);
  });

  test('strips inline markup from headings and handles CRLF line ends', () => {
    const doc = parseMarkdown(
      'docs/x.md',
      '# The `ledger-db` **cluster** ##\r\n\r\n## See [the ADR](../adr/1.md)\r\nText.\r\n',
    );
    assert.equal(doc.title, 'The ledger-db cluster');
    assert.equal(doc.sections[1]?.heading, 'See the ADR');
    assert.equal(doc.lines.length, 4);
  });
});

describe('chunkDocument', () => {
  test('one passage per section with its own text; a heading with only subsections has none', () => {
    const source = '# Guide\n\nIntro.\n\n## Parent\n\n### Child\n\nChild text.\n';
    const passages = chunkDocument(parseMarkdown('docs/guide.md', source));
    assert.deepEqual(
      passages.map((p) => [p.heading, p.startLine, p.endLine]),
      [
        ['Guide', 1, 3],
        ['Guide > Parent > Child', 7, 9],
      ],
    );
    assertExactLines(source, passages, 'guide');
  });

  test('the cited lines contain the passage, for the test documents', () => {
    for (const [path, source] of [
      ['runbooks/database-failover.md', FAILOVER_RUNBOOK],
      ['adr/0007.md', CACHE_ADR],
      ['docs/glossary.md', GLOSSARY_DOC],
      ['docs/capacity.md', longSectionDoc(30)],
    ] as const) {
      assertExactLines(source, chunkDocument(parseMarkdown(path, source)), path);
    }
    const promote = chunkDocument(parseMarkdown('r.md', FAILOVER_RUNBOOK)).find((p) =>
      p.heading.endsWith('Promote the replica'),
    );
    assert.match(
      promote?.text ?? '',
      /^## Promote the replica\n[\s\S]*clusterctl promote --member db-2\n```$/,
    );
  });

  test('a long section is split on paragraph boundaries under the size cap, covering every line', () => {
    const source = longSectionDoc(30);
    const lines = splitLines(source);
    const passages = chunkDocument(parseMarkdown('docs/capacity.md', source)).filter((p) =>
      p.heading.endsWith('Forecast'),
    );
    assert.ok(passages.length > 3, `expected several pieces, got ${passages.length}`);
    for (const [i, p] of passages.entries()) {
      assert.ok(p.text.length <= MAX_PASSAGE_CHARS, `piece ${i} is ${p.text.length} chars`);
      assert.equal(p.heading, 'Capacity notes > Forecast');
      if (i > 0) assert.equal(lines[p.startLine - 2]?.trim(), '', 'a piece starts after a blank line');
    }
    const covered = new Set(
      passages.flatMap((p) => Array.from({ length: p.endLine - p.startLine + 1 }, (_, k) => p.startLine + k)),
    );
    lines.forEach((line, i) => {
      if (i + 1 >= 3 && line.trim() !== '') assert.ok(covered.has(i + 1), `line ${i + 1} is in a passage`);
    });
  });

  test('a fenced code block with blank lines inside stays in one passage', () => {
    const code = ['echo one', '', 'echo two', '', '', 'echo three'].map((l) =>
      l ? `${l} ${'x'.repeat(50)}` : l,
    );
    const source = `# Script\n\n## Run\n\n${'Intro words. '.repeat(20).trim()}\n\n\`\`\`sh\n${code.join('\n')}\n\`\`\`\n\n${'Outro words. '.repeat(20).trim()}\n`;
    const passages = chunkDocument(parseMarkdown('docs/script.md', source), 400);
    assertExactLines(source, passages, 'script');
    const fenced = passages.filter((p) => p.text.includes('echo'));
    assert.equal(fenced.length, 1, 'the code block is not split');
    assert.match(fenced[0]?.text ?? '', /^```sh\n[\s\S]*echo three x+\n```$/);
  });

  test('one paragraph longer than the cap is cut on line boundaries', () => {
    const source = `# Notes\n\n${'line of a long paragraph\n'.repeat(80)}`;
    const passages = chunkDocument(parseMarkdown('docs/notes.md', source), 300);
    assertExactLines(source, passages, 'notes');
    assert.ok(passages.length >= 6, `got ${passages.length} pieces`);
    for (const p of passages) assert.ok(p.text.length <= 300);
  });

  test('every passage of the bundled corpus cites exactly its own lines', () => {
    const files = readdirSync(BUNDLED_CORPUS, { recursive: true, withFileTypes: true })
      .filter((e) => e.isFile() && e.name.endsWith('.md'))
      .map((e) => relative(BUNDLED_CORPUS, join(e.parentPath, e.name)).split(sep).join('/'));
    assert.ok(files.length >= 52, `corpus has ${files.length} documents`);
    for (const path of files) {
      const source = readFileSync(join(BUNDLED_CORPUS, path), 'utf8');
      const passages = chunkDocument(parseMarkdown(path, source));
      assert.ok(passages.length > 0, `${path} has passages`);
      assertExactLines(source, passages, path);
    }
  });
});
