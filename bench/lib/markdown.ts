/**
 * Small Markdown helpers shared by the benchmarks (their printed tables) and by the report
 * writer (bench/RESULTS.md): table rows with escaped cells, and whole tables whose numeric
 * columns are right-aligned.
 */

/** A cell safe inside a Markdown table: no pipes or line breaks left to break the row. */
export function markdownCell(text: string): string {
  return text.replaceAll('\\', '\\\\').replaceAll('|', '\\|').replace(/\r?\n/g, ' ').trim();
}

/** One table row: `| a | b |`. */
export function markdownRow(cells: string[]): string {
  return `| ${cells.map(markdownCell).join(' | ')} |`;
}

const NUMBER = String.raw`[-+]?\d[\d,]*(?:\.\d+)?`;
/** A number or a range of two, with an optional short unit: "1,234", "0.91×", "6.2%", "12 ms", "0–1". */
const FIGURE = String.raw`${NUMBER}(?:–${NUMBER})?\s*(?:×|%|[A-Za-z/]{1,6})?`;
/** A figure with an optional "(min–max)", or two of them as "a / b". */
const FIGURE_CELL = new RegExp(
  String.raw`^${FIGURE}(?:\s*\([^()]*\))?(?:\s*/\s*${FIGURE}(?:\s*\([^()]*\))?)?$`,
);

/** A cell that reads as a figure (so its column is right-aligned), or a dash for no data. */
export function isFigure(cell: string): boolean {
  const text = cell.trim();
  return text === '–' || text === '-' || FIGURE_CELL.test(text);
}

/** A whole table; a column is right-aligned when every non-empty cell in it is a figure. */
export function markdownTable(columns: string[], rows: string[][]): string {
  const numeric = columns.map((_, c) => {
    const cells = rows.map((row) => row[c] ?? '').filter((cell) => cell.trim() !== '');
    return cells.length > 0 && cells.every(isFigure);
  });
  const lines = [
    markdownRow(columns),
    `| ${numeric.map((n) => (n ? '---:' : '---')).join(' | ')} |`,
    ...rows.map((row) => markdownRow(columns.map((_, c) => row[c] ?? ''))),
  ];
  return lines.join('\n');
}
