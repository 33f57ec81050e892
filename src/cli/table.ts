// Plain-text tables for people: a header row in capitals, columns padded with two spaces, no borders,
// so the output also survives `grep`, `awk '{print $2}'` and `column -t`. Empty cells print as "-".
export type Cell = string | number | null | undefined

export function table (headers: readonly string[], rows: ReadonlyArray<readonly Cell[]>): string {
  const text = rows.map(row => headers.map((_, i) => cellText(row[i])))
  const widths = headers.map((h, i) => Math.max(h.length, ...text.map(row => (row[i] as string).length)))
  const line = (cells: readonly string[]): string => cells.map((c, i) => i === cells.length - 1 ? c : c.padEnd(widths[i] as number)).join('  ')
  return [line(headers), ...text.map(line)].join('\n') + '\n'
}

function cellText (cell: Cell): string {
  if (cell === null || cell === undefined || cell === '') return '-'
  return String(cell)
}

/** `label: value` lines with the values aligned. */
export function fields (pairs: ReadonlyArray<readonly [string, Cell]>): string {
  const width = Math.max(...pairs.map(([label]) => label.length)) + 1
  return pairs.map(([label, value]) => `${(label + ':').padEnd(width)}  ${cellText(value)}`).join('\n') + '\n'
}
