/*
 * What every benchmark prints: the table of its measures beside their
 * anchors, measured in the same run.
 */
/** Prints rows of [Measure, Anchor, Orch, Ratio, Target] as a Markdown table. */
export function printTable(rows: string[][]): void {
  const header = ['Measure', 'Anchor', 'Orch', 'Ratio', 'Target'];
  const widths = header.map((h, i) =>
    Math.max(h.length, ...rows.map(r => r[i].length)),
  );
  const line = (r: string[]) =>
    `| ${r.map((c, i) => c.padEnd(widths[i])).join(' | ')} |`;
  console.log(line(header));
  console.log(`|${widths.map(w => '-'.repeat(w + 2)).join('|')}|`);
  rows.forEach(r => console.log(line(r)));
}
