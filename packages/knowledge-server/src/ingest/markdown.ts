/**
 * Reads one Markdown document into its parts: YAML front matter (if any), the title, and the
 * heading outline with exact 1-based line numbers. ATX headings (`#` … `######`) are recognised
 * outside fenced code blocks; setext headings (underlined with `===`/`---`) are not, because the
 * corpus does not use them and `---` is ambiguous with rules and front matter.
 */
import { parse as parseYaml } from 'yaml';

export interface Section {
  /** 1–6 for headings; 0 for the text before the first heading. */
  readonly level: number;
  /** The heading's text without `#` marks or inline markup ('' for the preamble). */
  readonly heading: string;
  /** The headings from the document title down to this one. */
  readonly path: readonly string[];
  /** The heading's own line (the preamble's first body line). */
  readonly startLine: number;
  /** The last line before the next heading of any level. */
  readonly ownEndLine: number;
  /** The last line before the next heading of the same or a higher level (subsections included). */
  readonly endLine: number;
}

export interface ParsedDocument {
  readonly title: string;
  readonly frontMatter: Record<string, unknown>;
  /** Every line of the file; `lines[n - 1]` is line n. */
  readonly lines: readonly string[];
  /** The first line after the front matter. */
  readonly bodyStartLine: number;
  readonly sections: readonly Section[];
}

const HEADING = /^ {0,3}(#{1,6})(?:[ \t]+(.*?))?(?:[ \t]+#+)?[ \t]*$/;
const FENCE = /^ {0,3}(`{3,}|~{3,})/;

/** Splits text into lines the way line numbers are counted (LF or CRLF). */
export function splitLines(text: string): string[] {
  const lines = text.split(/\r?\n/);
  if (lines.length > 1 && lines.at(-1) === '') lines.pop();
  return lines;
}

/** Removes inline Markdown from a heading: code ticks, emphasis marks, link targets. */
export function plainHeading(text: string): string {
  return text
    .replace(/\[([^\]]*)\]\([^)]*\)/g, '$1')
    .replace(/[`*]/g, '')
    .replace(/\s+/g, ' ')
    .trim();
}

function titleFromPath(path: string): string {
  const base = path.split('/').at(-1) ?? path;
  const words = base
    .replace(/\.(md|markdown)$/i, '')
    .replace(/[-_]+/g, ' ')
    .trim();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

function readFrontMatter(lines: readonly string[]): { data: Record<string, unknown>; bodyStart: number } {
  if (lines[0]?.trim() !== '---') return { data: {}, bodyStart: 1 };
  const close = lines.findIndex((line, i) => i > 0 && (line.trim() === '---' || line.trim() === '...'));
  if (close < 0) return { data: {}, bodyStart: 1 };
  let data: unknown;
  try {
    data = parseYaml(lines.slice(1, close).join('\n'));
  } catch {
    // Malformed front matter is treated as absent, but its lines still are not body text.
    data = {};
  }
  const record = data !== null && typeof data === 'object' && !Array.isArray(data) ? data : {};
  return { data: record as Record<string, unknown>, bodyStart: close + 2 };
}

/**
 * Tracks fenced code blocks line by line: given the open fence (or undefined), returns the fence
 * open after `line` and whether `line` itself is a fence marker. A fence closes on a marker of
 * the same character at least as long as the opening one.
 */
export function trackFence(
  line: string,
  open: string | undefined,
): { open: string | undefined; marker: boolean } {
  const marker = FENCE.exec(line)?.[1];
  if (marker === undefined) return { open, marker: false };
  if (open === undefined) return { open: marker, marker: true };
  const closes = marker[0] === open[0] && marker.length >= open.length && line.trim() === marker;
  return { open: closes ? undefined : open, marker: true };
}

interface RawHeading {
  level: number;
  text: string;
  line: number;
}

/** The ATX headings of `lines` from `from` (1-based), skipping fenced code. */
function findHeadings(lines: readonly string[], from: number): RawHeading[] {
  const headings: RawHeading[] = [];
  let fence: string | undefined;
  for (let n = from; n <= lines.length; n++) {
    const line = lines[n - 1] ?? '';
    const state = trackFence(line, fence);
    fence = state.open;
    if (state.marker || fence !== undefined) continue;
    const match = HEADING.exec(line);
    if (match) headings.push({ level: match[1]?.length ?? 1, text: plainHeading(match[2] ?? ''), line: n });
  }
  return headings;
}

export function parseMarkdown(relativePath: string, text: string): ParsedDocument {
  const lines = splitLines(text);
  const { data, bodyStart } = readFrontMatter(lines);
  const headings = findHeadings(lines, bodyStart);
  const firstH1 = headings.find((h) => h.level === 1 && h.text !== '');
  const declared = typeof data.title === 'string' && data.title.trim() !== '' ? data.title.trim() : undefined;
  const title = declared ?? firstH1?.text ?? titleFromPath(relativePath);

  const sections: Section[] = [];
  const firstHeadingLine = headings[0]?.line ?? lines.length + 1;
  if (firstHeadingLine > bodyStart) {
    sections.push({
      level: 0,
      heading: '',
      path: [title],
      startLine: bodyStart,
      ownEndLine: firstHeadingLine - 1,
      endLine: firstHeadingLine - 1,
    });
  }
  const stack: RawHeading[] = [];
  headings.forEach((heading, i) => {
    while (stack.length > 0 && (stack.at(-1)?.level ?? 0) >= heading.level) stack.pop();
    stack.push(heading);
    const names = stack.map((h) => h.text).filter((t) => t !== '');
    const path = stack[0]?.level === 1 ? names : [title, ...names];
    const next = headings[i + 1];
    const closer = headings.slice(i + 1).find((h) => h.level <= heading.level);
    sections.push({
      level: heading.level,
      heading: heading.text,
      path,
      startLine: heading.line,
      ownEndLine: (next?.line ?? lines.length + 1) - 1,
      endLine: (closer?.line ?? lines.length + 1) - 1,
    });
  });
  return { title, frontMatter: data, lines, bodyStartLine: bodyStart, sections };
}

/** "Title > Section > Subsection". */
export function headingPathText(path: readonly string[]): string {
  return path.join(' > ');
}
