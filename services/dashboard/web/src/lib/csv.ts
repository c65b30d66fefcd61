/**
 * CSV as spreadsheets read it (RFC 4180: comma, CRLF, quotes doubled), with a byte-order mark so Excel takes it as
 * UTF-8 (Türkiye, not TÃ¼rkiye), and cells that a spreadsheet would run as a formula (=, +, -, @, tab, CR at the
 * start) prefixed with an apostrophe (OWASP's advice on CSV injection): titles come from other people.
 */
export type Cell = string | number | boolean | null | undefined;

export function csvCell(value: Cell): string {
  if (value === null || value === undefined) return '';
  let s = String(value);
  if (typeof value === 'string' && /^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function toCsv(header: readonly string[], rows: readonly (readonly Cell[])[]): string {
  return '\uFEFF' + [header, ...rows].map((r) => r.map(csvCell).join(',')).join('\r\n') + '\r\n';
}
