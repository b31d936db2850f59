// Image type sniffing and metadata stripping for uploaded photos.
//
// Uploads are identified by their magic bytes, never by the client's file name or Content-Type,
// and the metadata that can identify a person or a place (Exif with GPS, XMP, IPTC, comments,
// text chunks) is removed by walking the container structure. Pixel data is never decoded or
// re-encoded: everything that is kept is copied byte for byte, in the original order.
//
// Every function here is total: malformed or hostile input yields `{ ok: false }` (or null),
// never an exception.

/** The photo types Linli keeps: each is recognised by its bytes and stripped of metadata here. */
export const IMAGE_TYPES = ['image/jpeg', 'image/png', 'image/webp', 'image/gif'] as const;
export type ImageType = (typeof IMAGE_TYPES)[number];

export function isImageType(type: string): type is ImageType {
  return (IMAGE_TYPES as readonly string[]).includes(type);
}

export type StripResult = { ok: true; bytes: Buffer; removed: string[] } | { ok: false; reason: string };

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

function startsWith(bytes: Buffer, prefix: Buffer | string, at = 0): boolean {
  const p = typeof prefix === 'string' ? Buffer.from(prefix, 'latin1') : prefix;
  return bytes.length >= at + p.length && bytes.subarray(at, at + p.length).equals(p);
}

/** The image type given by the leading magic bytes, or null for anything else. */
export function sniffImageType(bytes: Buffer): ImageType | null {
  if (!Buffer.isBuffer(bytes)) return null;
  if (bytes.length >= 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return 'image/jpeg';
  if (startsWith(bytes, PNG_SIGNATURE)) return 'image/png';
  if (startsWith(bytes, 'GIF87a') || startsWith(bytes, 'GIF89a')) return 'image/gif';
  if (startsWith(bytes, 'RIFF') && startsWith(bytes, 'WEBP', 8)) return 'image/webp';
  return null;
}

/**
 * A copy of the image without identifying metadata; `removed` names each dropped segment,
 * chunk or block in file order. Fails (without throwing) when the structure is truncated or
 * does not match `type`.
 */
export function stripImageMetadata(bytes: Buffer, type: ImageType): StripResult {
  try {
    if (!Buffer.isBuffer(bytes)) return fail('input is not a Buffer');
    switch (type) {
      case 'image/jpeg':
        return stripJpeg(bytes);
      case 'image/png':
        return stripPng(bytes);
      case 'image/webp':
        return stripWebp(bytes);
      case 'image/gif':
        return stripGif(bytes);
      default:
        return fail(`unsupported image type: ${String(type)}`);
    }
  } catch (e) {
    // Safety net only: the walkers bounds-check every read.
    return fail(`malformed image: ${e instanceof Error ? e.message : String(e)}`);
  }
}

function fail(reason: string): { ok: false; reason: string } {
  return { ok: false, reason };
}

// ---------------------------------------------------------------------------------------------
// JPEG: marker segments from SOI up to SOS; the scan data after SOS is copied verbatim.

const JPEG_SOS = 0xda;
const JPEG_COM = 0xfe;
// APP0 (JFIF), APP2 (ICC profile) and APP14 (Adobe colour transform) are needed for display.
const JPEG_KEPT_APPS = new Set([0xe0, 0xe2, 0xee]);

function jpegSegmentName(marker: number, payload: Buffer): string {
  if (marker === JPEG_COM) return 'COM';
  const name = `APP${marker - 0xe0}`;
  if (marker === 0xe1) {
    if (startsWith(payload, 'Exif\0')) return `${name} Exif`;
    if (startsWith(payload, 'http://ns.adobe.com/xap/1.0/')) return `${name} XMP`;
    if (startsWith(payload, 'http://ns.adobe.com/xmp/extension/')) return `${name} XMP extension`;
  }
  if (marker === 0xed && startsWith(payload, 'Photoshop 3.0')) return `${name} Photoshop`;
  return name;
}

function stripJpeg(bytes: Buffer): StripResult {
  if (!(bytes.length >= 2 && bytes[0] === 0xff && bytes[1] === 0xd8)) return fail('not a JPEG (no SOI)');
  const out: Buffer[] = [bytes.subarray(0, 2)];
  const removed: string[] = [];
  let pos = 2;
  for (;;) {
    const start = pos; // a kept segment is copied from here, fill bytes included
    if (pos >= bytes.length) return fail('JPEG ends before SOS');
    if (bytes[pos] !== 0xff) return fail(`JPEG: expected a marker at offset ${pos}`);
    while (pos < bytes.length && bytes[pos] === 0xff) pos++; // 0xFF fill bytes before the marker
    if (pos >= bytes.length) return fail('JPEG ends before SOS');
    const marker = bytes[pos] as number;
    pos++;
    if (marker === 0x01 || (marker >= 0xd0 && marker <= 0xd7)) {
      // TEM and RST0–7 stand alone, without a length field.
      out.push(bytes.subarray(start, pos));
      continue;
    }
    if (marker === 0x00 || marker === 0xd8 || marker === 0xd9) {
      return fail(`JPEG: unexpected marker 0x${marker.toString(16)} before SOS`);
    }
    if (pos + 2 > bytes.length) return fail('JPEG: segment length runs past the end');
    const length = bytes.readUInt16BE(pos); // counts itself, not the marker
    const end = pos + length;
    if (length < 2 || end > bytes.length) return fail('JPEG: segment length runs past the end');
    if (marker === JPEG_SOS) {
      // Entropy-coded data, any further scans and EOI are kept as they are.
      out.push(bytes.subarray(start));
      return { ok: true, bytes: Buffer.concat(out), removed };
    }
    const isApp = marker >= 0xe0 && marker <= 0xef;
    if ((isApp && !JPEG_KEPT_APPS.has(marker)) || marker === JPEG_COM) {
      const payload = bytes.subarray(pos + 2, end);
      removed.push(jpegSegmentName(marker, payload));
      // Phones store the pixels as the sensor saw them and say how to turn them: that alone stays.
      const orientation = marker === 0xe1 ? exifOrientation(payload) : null;
      if (orientation !== null) out.push(orientationOnlyExif(orientation));
    } else {
      out.push(bytes.subarray(start, end));
    }
    pos = end;
  }
}

/** The Orientation tag (2–8) of an `Exif\0\0` APP1 payload's first IFD, or null when absent or upright. */
export function exifOrientation(payload: Buffer): number | null {
  if (!startsWith(payload, 'Exif\0\0') || payload.length < 14) return null;
  const tiff = payload.subarray(6);
  const little = tiff[0] === 0x49 && tiff[1] === 0x49;
  const big = tiff[0] === 0x4d && tiff[1] === 0x4d;
  if (!little && !big) return null;
  const u16 = (at: number) => (little ? tiff.readUInt16LE(at) : tiff.readUInt16BE(at));
  const u32 = (at: number) => (little ? tiff.readUInt32LE(at) : tiff.readUInt32BE(at));
  if (u16(2) !== 42) return null;
  const ifd = u32(4);
  if (ifd + 2 > tiff.length) return null;
  const count = u16(ifd);
  for (let i = 0; i < count; i++) {
    const entry = ifd + 2 + i * 12;
    if (entry + 12 > tiff.length) return null;
    if (u16(entry) !== 0x0112 || u16(entry + 2) !== 3) continue; // Orientation, SHORT
    const value = u16(entry + 8);
    return value >= 2 && value <= 8 ? value : null;
  }
  return null;
}

/** An APP1 segment holding nothing but the Orientation tag. */
function orientationOnlyExif(orientation: number): Buffer {
  const b = Buffer.alloc(2 + 2 + 6 + 8 + 2 + 12 + 4);
  b.writeUInt16BE(0xffe1, 0);
  b.writeUInt16BE(b.length - 2, 2);
  b.write('Exif\0\0', 4, 'latin1');
  b.write('MM\0*', 10, 'latin1');
  b.writeUInt32BE(8, 14); // IFD0 right after the header
  b.writeUInt16BE(1, 18); // one entry
  b.writeUInt16BE(0x0112, 20);
  b.writeUInt16BE(3, 22); // SHORT
  b.writeUInt32BE(1, 24);
  b.writeUInt16BE(orientation, 28);
  b.writeUInt32BE(0, 32); // no next IFD
  return b;
}

// ---------------------------------------------------------------------------------------------
// PNG: length, type, data, CRC chunks after the signature, up to IEND.

// Exif, the free-text chunks (which carry author, location, software, …) and the timestamp.
const PNG_DROPPED = new Set(['eXIf', 'tEXt', 'zTXt', 'iTXt', 'tIME']);

function isAsciiLetter(b: number | undefined): boolean {
  return b !== undefined && ((b >= 0x41 && b <= 0x5a) || (b >= 0x61 && b <= 0x7a));
}

function stripPng(bytes: Buffer): StripResult {
  if (!startsWith(bytes, PNG_SIGNATURE)) return fail('not a PNG (bad signature)');
  const out: Buffer[] = [bytes.subarray(0, 8)];
  const removed: string[] = [];
  let pos = 8;
  for (;;) {
    if (pos + 8 > bytes.length) return fail('PNG ends before IEND');
    const length = bytes.readUInt32BE(pos);
    if (length > 0x7fffffff) return fail('PNG: chunk length out of range');
    for (let i = pos + 4; i < pos + 8; i++) {
      if (!isAsciiLetter(bytes[i])) return fail(`PNG: invalid chunk type at offset ${pos}`);
    }
    const type = bytes.toString('latin1', pos + 4, pos + 8);
    const end = pos + 12 + length; // length + type + data + CRC
    if (end > bytes.length) return fail(`PNG: chunk ${type} runs past the end`);
    if (PNG_DROPPED.has(type)) removed.push(type);
    else out.push(bytes.subarray(pos, end));
    pos = end;
    // Anything after IEND is not part of the image and is dropped.
    if (type === 'IEND') return { ok: true, bytes: Buffer.concat(out), removed };
  }
}

// ---------------------------------------------------------------------------------------------
// WebP: a RIFF container of fourcc + little-endian size chunks, odd sizes padded to even.

const WEBP_DROPPED = new Set(['EXIF', 'XMP ']);
const VP8X_EXIF_FLAG = 0x08;
const VP8X_XMP_FLAG = 0x04;

function stripWebp(bytes: Buffer): StripResult {
  if (!(startsWith(bytes, 'RIFF') && startsWith(bytes, 'WEBP', 8)))
    return fail('not a WebP (bad RIFF header)');
  const riffEnd = 8 + bytes.readUInt32LE(4);
  if (riffEnd > bytes.length) return fail('WebP: RIFF size runs past the end');
  if (riffEnd < 12 + 8) return fail('WebP: no chunks');
  const out: Buffer[] = [Buffer.from(bytes.subarray(0, 12))]; // a copy: its size field is rewritten
  const removed: string[] = [];
  let pos = 12;
  while (pos < riffEnd) {
    if (pos + 8 > riffEnd) return fail('WebP: truncated chunk header');
    const fourcc = bytes.toString('latin1', pos, pos + 4);
    const size = bytes.readUInt32LE(pos + 4);
    const end = pos + 8 + size + (size % 2); // the pad byte belongs to the chunk
    if (end > riffEnd) return fail(`WebP: chunk ${JSON.stringify(fourcc)} runs past the end`);
    if (WEBP_DROPPED.has(fourcc)) {
      removed.push(fourcc.trim());
    } else if (fourcc === 'VP8X' && size >= 1) {
      const chunk = Buffer.from(bytes.subarray(pos, end));
      chunk[8] = (chunk[8] as number) & ~(VP8X_EXIF_FLAG | VP8X_XMP_FLAG);
      out.push(chunk);
    } else {
      out.push(bytes.subarray(pos, end));
    }
    pos = end;
  }
  const result = Buffer.concat(out);
  result.writeUInt32LE(result.length - 8, 4);
  return { ok: true, bytes: result, removed };
}

// ---------------------------------------------------------------------------------------------
// GIF: header, logical screen descriptor, optional global colour table, then a sequence of
// extension (0x21) and image (0x2C) blocks ending with the trailer (0x3B).

function gifColorTableSize(packed: number): number {
  return packed & 0x80 ? 3 * (1 << ((packed & 0x07) + 1)) : 0;
}

/** End offset of the data sub-block chain starting at pos (past its 0 terminator), or -1. */
function gifSkipSubBlocks(bytes: Buffer, pos: number): number {
  for (;;) {
    if (pos >= bytes.length) return -1;
    const n = bytes[pos] as number;
    pos += 1 + n;
    if (n === 0) return pos;
  }
}

function stripGif(bytes: Buffer): StripResult {
  if (!(startsWith(bytes, 'GIF87a') || startsWith(bytes, 'GIF89a'))) return fail('not a GIF (bad header)');
  if (bytes.length < 13) return fail('GIF: truncated screen descriptor');
  let pos = 13 + gifColorTableSize(bytes[10] as number);
  if (pos > bytes.length) return fail('GIF: truncated global colour table');
  const out: Buffer[] = [bytes.subarray(0, pos)];
  const removed: string[] = [];
  let images = 0;
  for (;;) {
    if (pos >= bytes.length) {
      // Ending cleanly between blocks without a trailer is common and displays fine.
      if (images > 0) return { ok: true, bytes: Buffer.concat(out), removed };
      return fail('GIF ends before any image');
    }
    const start = pos;
    const introducer = bytes[pos] as number;
    if (introducer === 0x3b) {
      out.push(bytes.subarray(pos, pos + 1)); // trailer; anything after it is dropped
      return { ok: true, bytes: Buffer.concat(out), removed };
    }
    if (introducer === 0x2c) {
      if (pos + 10 > bytes.length) return fail('GIF: truncated image descriptor');
      pos += 10 + gifColorTableSize(bytes[pos + 9] as number);
      pos += 1; // LZW minimum code size
      const end = gifSkipSubBlocks(bytes, pos);
      if (end < 0 || end > bytes.length) return fail('GIF: truncated image data');
      out.push(bytes.subarray(start, end));
      images++;
      pos = end;
      continue;
    }
    if (introducer === 0x21) {
      if (pos + 2 > bytes.length) return fail('GIF: truncated extension');
      const label = bytes[pos + 1] as number;
      const end = gifSkipSubBlocks(bytes, pos + 2);
      if (end < 0 || end > bytes.length) return fail('GIF: truncated extension');
      // An application extension's first sub-block is 11 bytes: identifier (8) + auth code (3).
      const isXmp = label === 0xff && bytes[pos + 2] === 11 && startsWith(bytes, 'XMP DataXMP', pos + 3);
      if (label === 0xfe) removed.push('Comment');
      else if (isXmp) removed.push('XMP');
      else out.push(bytes.subarray(start, end));
      pos = end;
      continue;
    }
    // An unknown block: nothing after it can be followed, and it may hide anything (a comment
    // behind it, text made to look like a GIF). After an image, the file ends there, as a browser
    // stops drawing there; before any, it is no image.
    if (images === 0) return fail(`GIF: unknown block 0x${introducer.toString(16)} before any image`);
    out.push(Buffer.from([0x3b]));
    removed.push('trailing data');
    return { ok: true, bytes: Buffer.concat(out), removed };
  }
}
