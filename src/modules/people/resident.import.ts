import { idNumberBirthYear, idNumberProblem } from './id-number.ts';

/**
 * Pure validation of a residents CSV: every row is checked and every problem reported with
 * its row and column, so an import is all-or-nothing and a dry run shows what would happen.
 */
export const SPECIAL_GROUP_TAGS = [
  'elderly_alone',
  'chronic_illness',
  'disability',
  'low_income',
  'left_behind_child',
] as const;

export const RESIDENT_CSV_COLUMNS = [
  'name',
  'phone',
  'id_number',
  'birth_year',
  'address',
  'building',
  'room',
  'lat',
  'lng',
  'tags',
  'tags_consent',
  'emergency_contact_name',
  'emergency_contact_phone',
] as const;
const REQUIRED = ['name', 'address'] as const;

/** Rows one import may hold: larger files are split, so one import never holds the database for long. */
export const RESIDENT_IMPORT_MAX_ROWS = 10_000;

/**
 * The largest residents file the API takes, in bytes. A row with every text column at its limit
 * (600 characters, 3 bytes each in UTF-8 for Chinese, plus about 190 bytes of phone, ID number,
 * year, coordinates, tags, consent and commas) is about 2,000 bytes, but no register is written at
 * the limits: a generous row (a 10-character name, a 60-character address, building, room and
 * emergency contact of 10 each: 100 × 3 = 300 bytes, plus the same 190) is about 500 bytes.
 * Twice that, 1,024 bytes, for each of 10,000 rows is 10,240,000 bytes; with the header, 10 MiB
 * (10,485,760). The limit had been 20 MiB, room for 5 million rows of `a,b` to be read.
 */
export const RESIDENT_IMPORT_MAX_BYTES = 10 * 1024 * 1024;

/** Longest value of a text column, in characters (an order's address takes 300 as well). */
export const RESIDENT_FIELD_MAX: Readonly<Record<string, number>> = {
  name: 100,
  address: 300,
  building: 50,
  room: 50,
  emergency_contact_name: 100,
};

export interface ResidentImportRow {
  row: number;
  name: string;
  phone: string | null;
  idNumber: string | null;
  birthYear: number | null;
  address: string;
  building: string | null;
  room: string | null;
  lat: number | null;
  lng: number | null;
  tags: string[];
  tagsConsent: boolean;
  emergencyContactName: string | null;
  emergencyContactPhone: string | null;
}

export interface ImportProblem {
  row: number;
  column: string;
  message: string;
}

/** Runs of white space as one space, and no invisible characters (zero-width, direction overrides), in names and addresses typed in. */
export function tidyText(s: string): string {
  return s
    .replace(/[\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff\u00ad]/g, '')
    .replace(/\s+/g, ' ')
    .trim();
}

export const PHONE = /^1[3-9]\d{9}$/;
/** A plain decimal number: no hexadecimal (0x16), exponent (1e1), spaces or signs inside. */
const DECIMAL = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)$/;
/** An emergency contact's number: digits and dashes (a landline: 0755-26601234), at least 7 digits. */
export const CONTACT_PHONE = /^[\d-]{7,20}$/;
export const MIN_PHONE_DIGITS = 7;
const TRUE = new Set(['1', 'true', 'yes', 'y', '是', '同意']);
const FALSE = new Set(['', '0', 'false', 'no', 'n', '否', '不同意']);

/** A residents CSV as read (`parseCsvRecords` gives this shape). */
export interface ResidentSheet {
  header: string[];
  rows: Record<string, string>[];
  /**
   * Per row, the fields past the header's last column: a row with any that is not empty is
   * refused, because those fields would be lost (typically an address with an unquoted comma,
   * cut short and then matched to another household).
   */
  extras?: ReadonlyArray<ReadonlyArray<string>>;
  /** True when the file holds more rows than these (reading stopped at the import's limit). */
  more?: boolean;
  /**
   * The line of the file each row starts on, and the header's: problems name these, the row
   * numbers a spreadsheet shows (a blank line or a field of two lines counts). Without them,
   * row i is taken to be on line i + 2, under a header on line 1.
   */
  lines?: readonly number[];
  headerLine?: number;
}

/** Checks every row of a parsed residents CSV. */
export function validateResidentRows(
  sheet: ResidentSheet,
  currentYear: number,
): { rows: ResidentImportRow[]; problems: ImportProblem[] } {
  const { header, rows: records, extras = [], lines = [], headerLine = 1 } = sheet;
  const problems: ImportProblem[] = [];
  for (const col of REQUIRED) {
    if (!header.includes(col))
      problems.push({ row: headerLine, column: col, message: `the header has no "${col}" column` });
  }
  const unknown = header.filter((h) => !(RESIDENT_CSV_COLUMNS as readonly string[]).includes(h));
  for (const u of unknown) {
    problems.push({
      row: headerLine,
      column: u,
      message: `unknown column "${u}" (the columns are: ${RESIDENT_CSV_COLUMNS.join(', ')})`,
    });
  }
  if (problems.length) return { rows: [], problems };
  if (records.length === 0)
    return {
      rows: [],
      problems: [{ row: headerLine + 1, column: '', message: 'the file has no data rows' }],
    };
  if (sheet.more || records.length > RESIDENT_IMPORT_MAX_ROWS)
    return {
      rows: [],
      problems: [
        {
          row: headerLine,
          column: '',
          // The rows past the limit are not read, so they are not counted either.
          message: `the file has more than ${RESIDENT_IMPORT_MAX_ROWS} rows: import at most ${RESIDENT_IMPORT_MAX_ROWS} at a time (split the file)`,
        },
      ],
    };

  const rows: ResidentImportRow[] = [];
  const phones = new Map<string, number>();
  const idNumbers = new Map<string, number>();
  const anonymous = new Map<string, number>();
  records.forEach((r, i) => {
    const row = lines[i] ?? i + 2; // the line it starts on, as a spreadsheet numbers rows
    const get = (c: string) => (r[c] ?? '').trim();
    const bad = (column: string, message: string) => problems.push({ row, column, message });
    const extra = extras[i] ?? [];
    if (extra.some((f) => f.trim() !== '')) {
      bad(
        '',
        `the row has ${header.length + extra.length} fields but the header has ${header.length} columns ` +
          `(extra: ${extra.map((f) => `"${f}"`).join(', ')}); put a field that contains a comma in double quotes`,
      );
    }
    for (const [column, max] of Object.entries(RESIDENT_FIELD_MAX)) {
      const length = [...get(column)].length;
      if (length > max) bad(column, `${column} has ${length} characters; at most ${max}`);
    }
    const name = tidyText(get('name'));
    if (!name) bad('name', 'name is empty');
    // Tidied as a move's address is, so one place is one household however it was typed.
    const address = tidyText(get('address'));
    if (!address) bad('address', 'address is empty');
    const phone = get('phone') || null;
    if (phone && !PHONE.test(phone)) bad('phone', `"${phone}" is not an 11-digit mobile number`);
    else if (phone) {
      // Only a valid phone can be a duplicate: an invalid one is reported once, on its own row.
      const first = phones.get(phone);
      if (first) bad('phone', `phone ${phone} also appears on row ${first}`);
      else phones.set(phone, row);
    }
    const idNumber = get('id_number') || null;
    const idProblem = idNumber ? idNumberProblem(idNumber.toUpperCase(), currentYear) : null;
    if (idProblem) bad('id_number', idProblem);
    else if (idNumber) {
      const first = idNumbers.get(idNumber.toUpperCase());
      if (first) bad('id_number', `this ID number also appears on row ${first}`);
      else idNumbers.set(idNumber.toUpperCase(), row);
    }
    if (!phone && !idNumber && name && address) {
      // With neither a phone nor an ID number, a name at an address is all that tells people apart.
      const key = `${name}\u0000${address}`;
      const first = anonymous.get(key);
      if (first) bad('name', `${name} at this address also appears on row ${first}`);
      else anonymous.set(key, row);
    }
    const by = get('birth_year');
    // Four digits: Number() would also read 0x7C6 as 1990.
    const birthYear = by && /^\d{4}$/.test(by) ? Number(by) : null;
    if (by && (birthYear === null || birthYear < 1900 || birthYear > currentYear)) {
      bad('birth_year', `"${by}" is not a year between 1900 and ${currentYear}`);
    } else if (birthYear !== null && idNumber && !idProblem && idNumberBirthYear(idNumber) !== birthYear) {
      bad('birth_year', `birth_year ${birthYear} is not the year of birth in the ID number`);
    }
    const num = (c: string, min: number, max: number) => {
      const v = get(c);
      if (!v) return null;
      const n = DECIMAL.test(v) ? Number(v) : NaN;
      if (!Number.isFinite(n) || n < min || n > max) {
        bad(c, `"${v}" is not a number between ${min} and ${max}`);
        return null;
      }
      return n;
    };
    const lat = num('lat', -90, 90);
    const lng = num('lng', -180, 180);
    if ((lat === null) !== (lng === null))
      bad(lat === null ? 'lat' : 'lng', 'give both lat and lng, or neither');
    const tags = get('tags')
      .split(/[;；|]/)
      .map((t) => t.trim())
      .filter(Boolean);
    for (const t of tags) {
      if (!(SPECIAL_GROUP_TAGS as readonly string[]).includes(t)) {
        bad('tags', `unknown tag "${t}" (known: ${SPECIAL_GROUP_TAGS.join(', ')})`);
      }
    }
    const consentRaw = get('tags_consent').toLowerCase();
    let tagsConsent = false;
    if (TRUE.has(consentRaw)) tagsConsent = true;
    else if (!FALSE.has(consentRaw)) bad('tags_consent', `"${consentRaw}" is not yes/no`);
    if (tags.length && !tagsConsent)
      bad('tags', "special-group tags need the resident's consent (tags_consent = 1)");
    const ecPhone = get('emergency_contact_phone') || null;
    if (ecPhone && (!CONTACT_PHONE.test(ecPhone) || ecPhone.replace(/-/g, '').length < MIN_PHONE_DIGITS))
      bad(
        'emergency_contact_phone',
        `"${ecPhone}" is not a phone number (7 to 20 digits and dashes, at least 7 digits)`,
      );
    rows.push({
      row,
      name,
      phone,
      idNumber: idNumber ? idNumber.toUpperCase() : null,
      birthYear,
      address,
      building: get('building') || null,
      room: get('room') || null,
      lat,
      lng,
      tags,
      tagsConsent,
      emergencyContactName: get('emergency_contact_name') || null,
      emergencyContactPhone: ecPhone,
    });
  });
  return { rows, problems };
}
