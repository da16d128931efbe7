/**
 * Cuts a parsed document into passages for the index. One passage per section (its heading line
 * and its own text, subsections excluded); a section longer than the size cap is split on
 * paragraph boundaries (a fenced code block counts as one paragraph), and a paragraph longer than
 * the cap on line boundaries. Every passage's text is exactly lines `startLine..endLine` of the
 * file joined with "\n", so a citation always contains the passage it names.
 */
import { headingPathText, type ParsedDocument, type Section, trackFence } from './markdown.ts';

/** Bumped whenever chunking changes, so every document is re-indexed once. */
export const CHUNKER_VERSION = 2;

/** Size cap of one passage in characters (about 300 tokens of English). */
export const MAX_PASSAGE_CHARS = 1_200;

export interface Passage {
  /** Order within the document, from 0. */
  readonly seq: number;
  /** "Title > Section > Subsection". */
  readonly heading: string;
  readonly startLine: number;
  readonly endLine: number;
  readonly text: string;
}

interface Block {
  start: number;
  end: number;
  chars: number;
}

function isBlank(line: string | undefined): boolean {
  return line === undefined || line.trim() === '';
}

/** Paragraph blocks of lines `from..to` (1-based, inclusive); code fences stay whole. */
function blocksOf(lines: readonly string[], from: number, to: number): Block[] {
  const blocks: Block[] = [];
  let current: Block | undefined;
  let fence: string | undefined;
  for (let n = from; n <= to; n++) {
    const line = lines[n - 1] ?? '';
    const state = trackFence(line, fence);
    fence = state.open;
    if (fence === undefined && !state.marker && isBlank(line)) {
      if (current) blocks.push(current);
      current = undefined;
    } else if (current) {
      current.end = n;
      current.chars += line.length + 1;
    } else {
      current = { start: n, end: n, chars: line.length };
    }
  }
  if (current) blocks.push(current);
  return blocks;
}

/** Breaks one oversized block into runs of whole lines under the cap. */
function splitBlock(lines: readonly string[], block: Block, cap: number): Block[] {
  const pieces: Block[] = [];
  let current: Block | undefined;
  for (let n = block.start; n <= block.end; n++) {
    const size = (lines[n - 1] ?? '').length;
    if (current && current.chars + 1 + size > cap) {
      pieces.push(current);
      current = undefined;
    }
    if (current) {
      current.end = n;
      current.chars += 1 + size;
    } else current = { start: n, end: n, chars: size };
  }
  if (current) pieces.push(current);
  return pieces;
}

/** Greedily packs consecutive blocks into ranges whose text stays under the cap. */
function packBlocks(lines: readonly string[], blocks: Block[], cap: number): Block[] {
  const packed: Block[] = [];
  let current: Block | undefined;
  for (const block of blocks.flatMap((b) => (b.chars > cap ? splitBlock(lines, b, cap) : [b]))) {
    const joined = current ? current.chars + (block.start - current.end) + block.chars : block.chars;
    if (current && joined <= cap) {
      current = { start: current.start, end: block.end, chars: joined };
      continue;
    }
    if (current) packed.push(current);
    current = { ...block };
  }
  if (current) packed.push(current);
  return packed;
}

function sectionPassages(doc: ParsedDocument, section: Section, cap: number): Omit<Passage, 'seq'>[] {
  const blocks = blocksOf(doc.lines, section.startLine, section.ownEndLine);
  // A heading with nothing under it but subsections has no passage of its own; its text is part
  // of every subsection's heading path.
  const onlyHeading = section.level > 0 && blocks.length === 1 && blocks[0]?.end === section.startLine;
  if (blocks.length === 0 || onlyHeading) return [];
  const heading = headingPathText(section.path);
  return packBlocks(doc.lines, blocks, cap).map((range) => ({
    heading,
    startLine: range.start,
    endLine: range.end,
    text: doc.lines.slice(range.start - 1, range.end).join('\n'),
  }));
}

export function chunkDocument(doc: ParsedDocument, cap = MAX_PASSAGE_CHARS): Passage[] {
  return doc.sections
    .flatMap((section) => sectionPassages(doc, section, cap))
    .map((passage, seq) => ({ seq, ...passage }));
}
