import type { WorkOrderView } from './work-order.schema.ts';
import { w3 } from '../open311/open311.presenter.ts';

/**
 * What a row names beside the order itself: its grid's name and its community's time zone. The
 * file is read by people (in a spreadsheet) as much as by programs: times are written in the
 * community's zone with their offset (2026-12-07T15:30:00+08:00, still ISO 8601), and the grid
 * by its name beside its id.
 */
export interface ExportPlaces {
  gridName(gridId: string): string | null;
  timeZone(communityId: string): string;
}

type Column = [string, (o: WorkOrderView, places: ExportPlaces) => string | number | null];

const local = (iso: string | null, o: WorkOrderView, places: ExportPlaces) =>
  iso === null ? null : w3(iso, places.timeZone(o.communityId));

const COLUMNS: Column[] = [
  ['number', (o) => o.number],
  ['created_at', (o, places) => local(o.createdAt, o, places)],
  ['channel', (o) => o.channel],
  ['status', (o) => o.status],
  ['category', (o) => o.category],
  ['subcategory', (o) => o.subcategory],
  ['urgency', (o) => o.urgency],
  ['priority', (o) => o.priority],
  ['grid_id', (o) => o.gridId],
  ['grid', (o, places) => (o.gridId === null ? null : places.gridName(o.gridId))],
  ['address', (o) => o.address],
  ['description', (o) => o.description],
  ['beneficiary', (o) => o.beneficiary?.name ?? null],
  ['beneficiary_phone', (o) => o.beneficiary?.phone ?? null],
  ['assignee', (o) => o.assignee?.name ?? null],
  ['resolved_at', (o, places) => local(o.resolvedAt, o, places)],
  ['closed_at', (o, places) => local(o.closedAt, o, places)],
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
export function csvRows(orders: WorkOrderView[], places: ExportPlaces): string {
  let text = '';
  for (const o of orders) text += COLUMNS.map(([, get]) => csvCell(get(o, places))).join(',') + '\r\n';
  return text;
}
