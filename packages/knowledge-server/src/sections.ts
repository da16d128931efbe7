/**
 * Finds a section of a document by heading, for `get_document`. A heading is matched, in this
 * order, as the full heading path a search result cites ("Ledger DB > Unplanned failover"), as a
 * heading's own text, as the tail of a heading path ("Unplanned failover > Steps"), and finally
 * as a word-for-word part of a heading. Case, extra spaces, `#` marks and inline markup are
 * ignored. The section returned includes its subsections.
 */
import { headingPathText, type ParsedDocument, plainHeading, type Section } from './ingest/markdown.ts';

function normalise(text: string): string {
  return plainHeading(text.replace(/^\s*#+\s*/, ''))
    .toLowerCase()
    .replace(/\s*>\s*/g, ' > ');
}

function pathOf(section: Section): string {
  return normalise(headingPathText(section.path));
}

export function findSection(doc: ParsedDocument, heading: string): Section | undefined {
  const wanted = normalise(heading);
  if (wanted === '') return undefined;
  const headed = doc.sections.filter((s) => s.level > 0);
  return (
    headed.find((s) => pathOf(s) === wanted) ??
    headed.find((s) => normalise(s.heading) === wanted) ??
    headed.find((s) => pathOf(s).endsWith(` > ${wanted}`)) ??
    headed.find((s) => normalise(s.heading).includes(wanted))
  );
}

/** The document's outline: every heading path with the lines its section spans. */
export function outline(doc: ParsedDocument): { heading: string; lines: string }[] {
  return doc.sections
    .filter((s) => s.level > 0)
    .map((s) => ({ heading: headingPathText(s.path), lines: `L${s.startLine}-L${s.endLine}` }));
}
