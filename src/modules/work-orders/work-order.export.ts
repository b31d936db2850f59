import type { WorkOrderView } from './work-order.schema.ts';

const COLUMNS: [string, (o: WorkOrderView) => string | number | null][] = [
  ['number', (o) => o.number],
  ['created_at', (o) => o.createdAt],
  ['channel', (o) => o.channel],
  ['status', (o) => o.status],
  ['category', (o) => o.category],
  ['subcategory', (o) => o.subcategory],
  ['urgency', (o) => o.urgency],
  ['priority', (o) => o.priority],
  ['grid_id', (o) => o.gridId],
  ['address', (o) => o.address],
  ['description', (o) => o.description],
  ['beneficiary', (o) => o.beneficiary?.name ?? null],
  ['beneficiary_phone', (o) => o.beneficiary?.phone ?? null],
  ['assignee', (o) => o.assignee?.name ?? null],
  ['resolved_at', (o) => o.resolvedAt],
  ['closed_at', (o) => o.closedAt],
  ['rating', (o) => o.rating],
];

export function csvCell(v: string | number | null): string {
  if (v === null) return '';
  if (typeof v === 'number') return String(v);
  let s = v;
  // A leading = + - @, tab or carriage return would run as a formula in a spreadsheet: neutralise it.
  if (/^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** The header row of an export, with its CRLF. */
export const CSV_HEADER = COLUMNS.map(([h]) => h).join(',') + '\r\n';

/** Presented orders (already masked for the viewer) as CSV rows, each ending in CRLF. */
export function csvRows(orders: WorkOrderView[]): string {
  let text = '';
  for (const o of orders) text += COLUMNS.map(([, get]) => csvCell(get(o))).join(',') + '\r\n';
  return text;
}
