/**
 * Reading a resource catalogue from CSV or XLSX into resource inputs. Every row is read and every
 * problem reported with its row and column, so an import is all-or-nothing and a dry run shows
 * what would happen. Lists inside a cell are separated by `;` (or `；`).
 *
 * Opening hours: `mon-fri 09:00-12:00,14:00-18:00; sat 09:00-12:00`, `daily 08:00-20:00`, or `24h`;
 * empty means no regular hours. Certificates: `低压电工作业证@2028-06-30; …`.
 */
import { decodeTextFile } from '../../platform/csv.ts';
import { RESOURCE_TYPES, WEEKDAYS } from './matching.types.ts';
import type { Certificate, ResourceType, TimeRange, Weekday, WeeklyHours } from './matching.types.ts';
import type { ResourceInput } from './resource.model.ts';
import { tableFromCsv } from './resource.sheet.ts';
import { tableFromXlsx } from './resource.xlsx.ts';
import type { XlsxOptions } from './resource.xlsx.ts';

export const RESOURCE_COLUMNS = [
  'code',
  'name',
  'type',
  'categories',
  'keywords',
  'lat',
  'lng',
  'address',
  'radius_m',
  'service_area',
  'capacity_concurrent',
  'daily_quota',
  'opening_hours',
  'phone',
  'rating',
  'on_duty',
  'emergency',
  'skills',
  'certificates',
  'staff',
] as const;
const REQUIRED = ['code', 'name', 'type', 'categories', 'lat', 'lng', 'capacity_concurrent', 'daily_quota'];

export interface ImportProblem {
  row: number;
  column: string;
  message: string;
}

export interface ImportRow {
  row: number;
  input: ResourceInput;
}

export interface Sheet {
  format: 'csv' | 'xlsx';
  header: string[];
  records: Record<string, string>[];
}

const TRUE = new Set(['1', 'true', 'yes', 'y', '是']);
const FALSE = new Set(['', '0', 'false', 'no', 'n', '否']);
const list = (s: string): string[] =>
  s
    .split(/[;；]/)
    .map((x) => x.trim())
    .filter(Boolean);

/** XLSX files are ZIP archives: they start with `PK\x03\x04`. */
export function isXlsx(buf: Uint8Array): boolean {
  return buf.length > 4 && buf[0] === 0x50 && buf[1] === 0x4b && buf[2] === 0x03 && buf[3] === 0x04;
}

/**
 * The first worksheet (XLSX, read as a stream of rows) or the CSV text as header + records of
 * trimmed strings, within `SHEET_LIMITS` (and `XLSX_LIMITS`). Throws `CsvError` naming the file.
 */
export async function readSheet(buf: Buffer, fileName: string, options: XlsxOptions = {}): Promise<Sheet> {
  if (!isXlsx(buf)) {
    const { text } = decodeTextFile(buf, fileName);
    return { format: 'csv', ...tableFromCsv(text, fileName, options.limits) };
  }
  return { format: 'xlsx', ...(await tableFromXlsx(buf, fileName, options)) };
}

const DAY_ORDER: readonly Weekday[] = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'];

/** `mon-fri 09:00-12:00,14:00-18:00; sat 09:00-12:00`, `daily 08:00-20:00`, `24h`. */
export function parseHours(text: string): { hours?: Partial<WeeklyHours>; error?: string } {
  const t = text.trim().toLowerCase();
  if (t === '') return { hours: {} };
  if (t === '24h' || t === '24小时') {
    return { hours: Object.fromEntries(WEEKDAYS.map((d) => [d, [{ open: '00:00', close: '24:00' }]])) };
  }
  const hours: Partial<WeeklyHours> = {};
  for (const part of list(t)) {
    const m = /^([a-z]{3}(?:-[a-z]{3})?|daily)\s+(.+)$/.exec(part);
    if (!m?.[1] || !m[2]) return { error: `cannot read "${part}": write e.g. "mon-fri 09:00-18:00"` };
    let days: readonly Weekday[];
    if (m[1] === 'daily') days = DAY_ORDER;
    else {
      const [from, to] = m[1].split('-') as [string, string | undefined];
      const a = DAY_ORDER.indexOf(from as Weekday);
      const b = to === undefined ? a : DAY_ORDER.indexOf(to as Weekday);
      if (a < 0 || b < 0 || b < a) return { error: `unknown days "${m[1]}" (mon … sun)` };
      days = DAY_ORDER.slice(a, b + 1);
    }
    const ranges: TimeRange[] = [];
    for (const r of m[2].split(/[,，]/)) {
      const x = /^\s*(\d{1,2}:\d{2})\s*-\s*(\d{1,2}:\d{2})\s*$/.exec(r);
      if (!x?.[1] || !x[2]) return { error: `cannot read the time range "${r.trim()}" (HH:MM-HH:MM)` };
      ranges.push({ open: x[1].padStart(5, '0'), close: x[2].padStart(5, '0') });
    }
    for (const d of days) hours[d] = [...(hours[d] ?? []), ...ranges];
  }
  return { hours };
}

function parseCertificates(text: string): { certs: Certificate[]; error?: string } {
  const certs: Certificate[] = [];
  for (const item of list(text)) {
    const [name, expiresOn] = item.split('@').map((s) => s.trim());
    if (!name || !expiresOn) return { certs, error: `write a certificate as name@YYYY-MM-DD, not "${item}"` };
    certs.push({ name, expiresOn });
  }
  return { certs };
}

/** Checks the header and turns each record into a resource input; problems name row and column. */
export function rowsFromSheet(sheet: Sheet): { rows: ImportRow[]; problems: ImportProblem[] } {
  const problems: ImportProblem[] = [];
  for (const col of REQUIRED) {
    if (!sheet.header.includes(col))
      problems.push({ row: 1, column: col, message: `the header has no "${col}" column` });
  }
  for (const h of sheet.header) {
    if (h !== '' && !(RESOURCE_COLUMNS as readonly string[]).includes(h)) {
      problems.push({ row: 1, column: h, message: `unknown column "${h}"` });
    }
  }
  if (problems.length) return { rows: [], problems };
  if (sheet.records.length === 0)
    return { rows: [], problems: [{ row: 2, column: '', message: 'no data rows' }] };
  const rows: ImportRow[] = [];
  const seen = new Map<string, number>();
  sheet.records.forEach((rec, i) => {
    const row = i + 2;
    const get = (c: string): string => (rec[c] ?? '').trim();
    const bad = (column: string, message: string): void => {
      problems.push({ row, column, message });
    };
    const num = (c: string): number => {
      const v = get(c);
      const n = v === '' ? Number.NaN : Number(v);
      if (!Number.isFinite(n)) bad(c, v === '' ? 'required' : `"${v}" is not a number`);
      return n;
    };
    const flag = (c: string): boolean => {
      const v = get(c).toLowerCase();
      if (TRUE.has(v)) return true;
      if (!FALSE.has(v)) bad(c, `"${get(c)}" is not yes/no`);
      return false;
    };
    const code = get('code');
    const first = seen.get(code);
    if (code && first !== undefined) bad('code', `code ${code} repeats row ${first}`);
    else seen.set(code, row);
    const type = get('type');
    if (!(RESOURCE_TYPES as readonly string[]).includes(type)) {
      bad('type', `type must be one of ${RESOURCE_TYPES.join(', ')}`);
    }
    let serviceArea: ResourceInput['serviceArea'] = { kind: 'radius', radiusM: 1000 };
    if (get('service_area')) {
      try {
        serviceArea = { kind: 'polygon', polygon: JSON.parse(get('service_area')) as unknown };
      } catch {
        bad('service_area', 'not valid GeoJSON (JSON) text');
      }
    } else if (get('radius_m')) serviceArea = { kind: 'radius', radiusM: num('radius_m') };
    const hours = parseHours(get('opening_hours'));
    if (hours.error) bad('opening_hours', hours.error);
    const certs = parseCertificates(get('certificates'));
    if (certs.error) bad('certificates', certs.error);
    const rating = get('rating') ? num('rating') : undefined;
    const input: ResourceInput = {
      code,
      name: get('name'),
      type: type as ResourceType,
      categories: list(get('categories')),
      keywords: list(get('keywords')),
      location: { lat: num('lat'), lng: num('lng') },
      address: get('address') || null,
      serviceArea,
      capacity: { concurrent: num('capacity_concurrent'), dailyQuota: num('daily_quota') },
      openingHours: hours.hours ?? {},
      contacts: get('phone') ? { phone: get('phone') } : {},
      onDuty: flag('on_duty'),
      emergencyResponder: flag('emergency'),
      skills: list(get('skills')),
      certificates: certs.certs,
      staff: list(get('staff')),
      ...(rating === undefined ? {} : { rating }),
    };
    rows.push({ row, input });
  });
  return { rows, problems };
}

/** The column a validation field comes from (`capacity.concurrent` → `capacity_concurrent`). */
export function columnOf(field: string): string {
  if (field.startsWith('location.lat')) return 'lat';
  if (field.startsWith('location.lng')) return 'lng';
  if (field.startsWith('location')) return 'lat';
  if (field === 'capacity.concurrent') return 'capacity_concurrent';
  if (field === 'capacity.dailyQuota') return 'daily_quota';
  if (field.startsWith('serviceArea.radiusM')) return 'radius_m';
  if (field.startsWith('serviceArea')) return 'service_area';
  if (field.startsWith('openingHours')) return 'opening_hours';
  if (field.startsWith('emergencyResponder')) return 'emergency';
  if (field.startsWith('onDuty')) return 'on_duty';
  return field.replace(/\[.*$/, '').replace(/\..*$/, '');
}
