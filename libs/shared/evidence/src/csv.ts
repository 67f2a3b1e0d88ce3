/** RFC 4180 CSV: CRLF line ends, a field quoted when it holds a comma, quote, CR or LF. */
export type CsvCell = string | number | boolean | null;

export function csvLine(cells: readonly CsvCell[]): string {
  return cells.map(csvField).join(',');
}

export function toCsv(header: readonly string[], rows: readonly (readonly CsvCell[])[]): string {
  return [csvLine(header), ...rows.map(csvLine)].map((line) => `${line}\r\n`).join('');
}

function csvField(cell: CsvCell): string {
  const text = cell === null ? '' : String(cell);
  // A leading =, +, - or @ would be read as a formula by spreadsheet tools (CSV injection).
  const safe = /^[=+\-@]/.test(text) && typeof cell === 'string' ? `'${text}` : text;
  return /[",\r\n]/.test(safe) || safe !== safe.trim() ? `"${safe.replace(/"/g, '""')}"` : safe;
}
