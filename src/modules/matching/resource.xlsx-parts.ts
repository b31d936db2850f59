/**
 * The parts of an XLSX package (a ZIP archive) that the sheet reader needs, found through the
 * archive's central directory without inflating anything: the workbook, its relationships, the
 * shared strings and the first worksheet. Sizes come from the directory and are checked against
 * limits before any part is inflated; the reader then holds each part to its stated size.
 */
import { inflateRawSync } from 'node:zlib';
import { XMLParser } from 'fast-xml-parser';
import { CsvError } from '../../platform/csv.ts';

export interface ZipEntry {
  name: string;
  /** 0 stored, 8 deflated. */
  method: 0 | 8;
  /** Where the entry's (compressed) bytes start in the archive, and how many there are. */
  dataStart: number;
  compressedSize: number;
  /** The uncompressed size the archive states. */
  size: number;
}

export const WORKBOOK_PART = 'xl/workbook.xml';
export const WORKBOOK_RELS_PART = 'xl/_rels/workbook.xml.rels';
export const SHARED_STRINGS_PART = 'xl/sharedStrings.xml';
/** The only worksheet part names ExcelJS reads. */
const WORKSHEET_PART = /^xl\/worksheets\/sheet\d+\.xml$/;

const END_SIGNATURE = 0x06054b50;
const CENTRAL_SIGNATURE = 0x02014b50;
const LOCAL_SIGNATURE = 0x04034b50;
const ZIP64_EXTRA = 0x0001;
const MAX32 = 0xffffffff;

/** `xlsx_unreadable`, naming the file and what is wrong with it. */
export function unreadable(fileName: string, why = 'not a readable XLSX workbook'): CsvError {
  return new CsvError('xlsx_unreadable', `${fileName}: ${why}`, { file: fileName });
}

function endRecord(buf: Buffer): number {
  // The end record is the last 22 bytes, unless a comment (at most 65,535 bytes) follows it.
  for (let at = buf.length - 22; at >= Math.max(0, buf.length - 22 - 0xffff); at--) {
    if (buf.readUInt32LE(at) === END_SIGNATURE) return at;
  }
  return -1;
}

/** Sizes and offset from an entry's ZIP64 extra field, for those its fixed fields mark as 0xFFFFFFFF. */
function zip64(extra: Buffer, fields: { size: number; compressedSize: number; localOffset: number }) {
  const out = { ...fields };
  for (let at = 0; at + 4 <= extra.length;) {
    const id = extra.readUInt16LE(at);
    const len = extra.readUInt16LE(at + 2);
    if (id === ZIP64_EXTRA) {
      let p = at + 4;
      const next = (): number => {
        if (p + 8 > at + 4 + len || p + 8 > extra.length) return Number.NaN;
        const v = Number(extra.readBigUInt64LE(p));
        p += 8;
        return v;
      };
      if (out.size === MAX32) out.size = next();
      if (out.compressedSize === MAX32) out.compressedSize = next();
      if (out.localOffset === MAX32) out.localOffset = next();
    }
    at += 4 + len;
  }
  return out;
}

/**
 * The archive's entries by name, read from its central directory. Refuses an archive that is
 * truncated, encrypted, split, or compressed other than stored or deflated (`xlsx_unreadable`).
 */
export function zipEntries(buf: Buffer, fileName: string): Map<string, ZipEntry> {
  const end = endRecord(buf);
  if (end < 0) throw unreadable(fileName);
  const count = buf.readUInt16LE(end + 10);
  const dirSize = buf.readUInt32LE(end + 12);
  const dirStart = buf.readUInt32LE(end + 16);
  // A ZIP64 directory is never needed by a file within the upload limit.
  if (count === 0xffff || dirStart === MAX32 || dirStart + dirSize > end) throw unreadable(fileName);
  const entries = new Map<string, ZipEntry>();
  let at = dirStart;
  for (let i = 0; i < count; i++) {
    if (at + 46 > end || buf.readUInt32LE(at) !== CENTRAL_SIGNATURE) throw unreadable(fileName);
    const flags = buf.readUInt16LE(at + 8);
    const method = buf.readUInt16LE(at + 10);
    const nameLength = buf.readUInt16LE(at + 28);
    const extraLength = buf.readUInt16LE(at + 30);
    const commentLength = buf.readUInt16LE(at + 32);
    const name = buf.toString('utf8', at + 46, at + 46 + nameLength);
    const extra = buf.subarray(at + 46 + nameLength, at + 46 + nameLength + extraLength);
    const { size, compressedSize, localOffset } = zip64(extra, {
      compressedSize: buf.readUInt32LE(at + 20),
      size: buf.readUInt32LE(at + 24),
      localOffset: buf.readUInt32LE(at + 42),
    });
    at += 46 + nameLength + extraLength + commentLength;
    if (flags & 0x1) throw unreadable(fileName, 'the workbook is encrypted');
    if (method !== 0 && method !== 8) throw unreadable(fileName);
    if (!(localOffset + 30 <= buf.length) || buf.readUInt32LE(localOffset) !== LOCAL_SIGNATURE)
      throw unreadable(fileName);
    const dataStart =
      localOffset + 30 + buf.readUInt16LE(localOffset + 26) + buf.readUInt16LE(localOffset + 28);
    if (!(dataStart + compressedSize <= buf.length) || !Number.isSafeInteger(size))
      throw unreadable(fileName);
    entries.set(name, { name, method, dataStart, compressedSize, size });
  }
  return entries;
}

/** An entry's bytes as stored in the archive (compressed when `method` is 8). */
export const storedBytes = (buf: Buffer, e: ZipEntry): Buffer =>
  buf.subarray(e.dataStart, e.dataStart + e.compressedSize);

/** A small part inflated whole; refused unless it inflates to exactly its stated size. */
export function inflatePart(buf: Buffer, e: ZipEntry, fileName: string): Buffer {
  const stored = storedBytes(buf, e);
  let data: Buffer;
  try {
    data = e.method === 0 ? stored : inflateRawSync(stored, { maxOutputLength: Math.max(1, e.size) });
  } catch {
    throw unreadable(fileName, `${e.name} does not inflate to its stated size`);
  }
  if (data.length !== e.size) throw unreadable(fileName, `${e.name} does not inflate to its stated size`);
  return data;
}

const xml = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '',
  removeNSPrefix: true,
  processEntities: false,
  isArray: (name) => name === 'sheet' || name === 'Relationship',
});

interface WorkbookDoc {
  workbook?: { sheets?: { sheet?: Array<{ id?: unknown }> } };
}
interface RelsDoc {
  Relationships?: { Relationship?: Array<{ Id?: unknown; Target?: unknown }> };
}

/**
 * The part holding the first worksheet in tab order, as ExcelJS's `workbook.worksheets[0]` would
 * give: tabs whose part is not a worksheet ExcelJS reads (a chart sheet, say) are passed over.
 */
export function firstWorksheetPart(
  workbookXml: string,
  relsXml: string,
  exists: (part: string) => boolean,
  fileName: string,
): string | undefined {
  let book: WorkbookDoc;
  let rels: RelsDoc;
  try {
    book = xml.parse(workbookXml) as WorkbookDoc;
    rels = xml.parse(relsXml) as RelsDoc;
  } catch {
    throw unreadable(fileName);
  }
  // Any element may come out as text rather than an object: hence the `?.` throughout.
  const targets = new Map<unknown, unknown>(
    (rels?.Relationships?.Relationship ?? []).map((r) => [r?.Id, r?.Target]),
  );
  for (const sheet of book?.workbook?.sheets?.sheet ?? []) {
    const target = targets.get(sheet?.id);
    if (typeof target !== 'string') continue;
    // As ExcelJS resolves it: relative to xl/, a leading "/xl/" dropped.
    const part = `xl/${target.replace(/^(\s|\/xl\/)+/, '')}`;
    if (WORKSHEET_PART.test(part) && exists(part)) return part;
  }
  return undefined;
}

/**
 * Where the last whole UTF-8 character of `bytes` ends: `bytes.length`, or less when the bytes
 * end inside a character (at most 3 bytes less).
 */
export function utf8End(bytes: Uint8Array): number {
  for (let i = bytes.length - 1; i >= Math.max(0, bytes.length - 4); i--) {
    const b = bytes[i] ?? 0;
    if ((b & 0xc0) === 0x80) continue; // a continuation byte: look further back for the lead
    const needed = b >= 0xf0 ? 4 : b >= 0xe0 ? 3 : b >= 0xc0 ? 2 : 1;
    return bytes.length - i >= needed ? bytes.length : i;
  }
  return bytes.length;
}

/** The local header of a stored (uncompressed) entry of `size` bytes. */
export function storedEntryHeader(name: string, size: number): Buffer {
  const nameBytes = Buffer.from(name, 'utf8');
  const header = Buffer.alloc(30);
  header.writeUInt32LE(LOCAL_SIGNATURE, 0);
  header.writeUInt16LE(20, 4);
  header.writeUInt16LE(0x0800, 6); // UTF-8 name
  header.writeUInt32LE(size, 18);
  header.writeUInt32LE(size, 22);
  header.writeUInt16LE(nameBytes.length, 26);
  return Buffer.concat([header, nameBytes]);
}

/** An end-of-archive record: it tells a streaming unzipper that no entry follows. */
export function endOfArchive(): Buffer {
  const end = Buffer.alloc(22);
  end.writeUInt32LE(END_SIGNATURE, 0);
  return end;
}
