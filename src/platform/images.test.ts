import { test } from 'node:test';
import assert from 'node:assert/strict';
import { crc32, deflateSync } from 'node:zlib';
import fc from 'fast-check';
import { exifOrientation, sniffImageType, stripImageMetadata, type ImageType } from './images.ts';
import {
  ascii,
  cat,
  EXIF_PAYLOAD,
  hex,
  JPEG_BASE,
  PNG_IDAT,
  PNG_IEND,
  PNG_IHDR,
  PNG_SIG,
  TIFF_WITH_GPS,
  XMP_PACKET,
  PNG_GAMA,
  PNG_PHYS,
  chunk,
  segment,
  GPS_LATITUDE,
} from '../../test/image-fixtures.ts';

// All fixtures are assembled here. The JPEG, WebP and GIF pixel data are real: they come from
// an 8x8 grey JPEG made by cjpeg, a 2x2 lossy WebP made by cwebp and the classic 1x1 GIF.

const u32le = (n: number): Buffer => {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(n);
  return b;
};

// ---------------------------------------------------------------------------------------------
// JPEG

const JPEG_SOI = JPEG_BASE.subarray(0, 2);
const JPEG_APP0 = JPEG_BASE.subarray(2, 20);
const JPEG_TABLES_AND_SCAN = JPEG_BASE.subarray(20);

const JPEG_APP1_EXIF = segment(0xe1, EXIF_PAYLOAD);
const JPEG_APP1_XMP = segment(0xe1, cat(ascii('http://ns.adobe.com/xap/1.0/\0'), XMP_PACKET));
const JPEG_APP2_ICC = segment(0xe2, cat(ascii('ICC_PROFILE\0'), Buffer.from([1, 1]), Buffer.alloc(16, 7)));
const JPEG_APP13_IPTC = segment(
  0xed,
  ascii('Photoshop 3.0\0' + '8BIM\x04\x04\0\0\0\0\0\x0c\x1c\x02\x5a\0\x07Beijing'),
);
const JPEG_APP14_ADOBE = segment(0xee, cat(ascii('Adobe'), hex('0064 0000 0000 01')));
const JPEG_COM = segment(0xfe, ascii('taken at 12 Hepingli St'));
const JPEG_APP5 = segment(0xe5, ascii('vendor'));

function makeJpeg(): Buffer {
  return cat(
    JPEG_SOI,
    JPEG_APP0,
    JPEG_APP1_EXIF,
    JPEG_APP2_ICC,
    JPEG_APP1_XMP,
    JPEG_COM,
    JPEG_APP13_IPTC,
    JPEG_APP5,
    hex('ffff'), // fill bytes, which belong to the following (kept) segment
    JPEG_APP14_ADOBE,
    JPEG_TABLES_AND_SCAN,
  );
}

test('JPEG: Exif/GPS, XMP, IPTC, comments and other APPn go; JFIF, ICC, Adobe and tables stay', () => {
  const input = makeJpeg();
  const r = stripImageMetadata(input, 'image/jpeg');
  assert.ok(r.ok, r.ok ? '' : r.reason);
  assert.deepEqual(r.removed, ['APP1 Exif', 'APP1 XMP', 'COM', 'APP13 Photoshop', 'APP5']);
  assert.deepEqual(
    r.bytes,
    cat(JPEG_SOI, JPEG_APP0, JPEG_APP2_ICC, hex('ffff'), JPEG_APP14_ADOBE, JPEG_TABLES_AND_SCAN),
  );
  for (const secret of [
    ascii('Exif'),
    GPS_LATITUDE,
    ascii('Wang Fang'),
    ascii('Hepingli'),
    ascii('Beijing'),
  ]) {
    assert.ok(input.includes(secret));
    assert.ok(!r.bytes.includes(secret));
  }
  assert.notEqual(r.bytes, input, 'a copy, not the input');
});

test('JPEG: a clean image comes back byte-identical, standalone markers are walked', () => {
  const r = stripImageMetadata(JPEG_BASE, 'image/jpeg');
  assert.deepEqual(r, { ok: true, bytes: JPEG_BASE, removed: [] });
  // TEM and RST have no length field; the walk must step over them, not read a length.
  const withStandalone = cat(JPEG_SOI, hex('ff01 ffd0'), JPEG_APP1_EXIF, JPEG_APP0, JPEG_TABLES_AND_SCAN);
  const r2 = stripImageMetadata(withStandalone, 'image/jpeg');
  assert.ok(r2.ok);
  assert.deepEqual(r2.bytes, cat(JPEG_SOI, hex('ff01 ffd0'), JPEG_APP0, JPEG_TABLES_AND_SCAN));
});

test('JPEG: everything after SOS is copied verbatim, even marker-like bytes', () => {
  const scan = hex('ffda0008010100003f00 12ff00ffd3 ffe1000445 ffd9 ffd9'); // stuffed 0, RST3, fake APP1
  const input = cat(JPEG_SOI, JPEG_APP0, JPEG_APP1_EXIF, scan);
  const r = stripImageMetadata(input, 'image/jpeg');
  assert.ok(r.ok);
  assert.deepEqual(r.bytes, cat(JPEG_SOI, JPEG_APP0, scan));
});

test('JPEG: overlong segment, missing SOS or a stray byte fail without throwing', () => {
  const overlong = cat(JPEG_SOI, JPEG_APP0, hex('ffe1 0100 4578'));
  const noSos = cat(JPEG_SOI, JPEG_APP0, hex('ffd9'));
  const stray = cat(JPEG_SOI, hex('00'), JPEG_APP0);
  for (const bad of [overlong, noSos, stray, JPEG_SOI, hex('ffd8ff'), Buffer.alloc(0)]) {
    const r = stripImageMetadata(bad, 'image/jpeg');
    assert.equal(r.ok, false);
    assert.ok(!r.ok && r.reason.length > 0);
  }
});

// ---------------------------------------------------------------------------------------------
// PNG

const PNG_TEXT = chunk('tEXt', ascii('Author\0Wang Fang'));
const PNG_ZTXT = chunk('zTXt', cat(ascii('Comment\0\0'), deflateSync(ascii('Hepingli'))));
const PNG_ITXT = chunk('iTXt', cat(ascii('XML:com.adobe.xmp\0\0\0\0\0'), XMP_PACKET));
const PNG_TIME = chunk('tIME', hex('07ea 0b 15 0c 00 00'));
const PNG_EXIF = chunk('eXIf', TIFF_WITH_GPS);

function pngChunks(png: Buffer): { type: string; crcOk: boolean }[] {
  const chunks: { type: string; crcOk: boolean }[] = [];
  for (let pos = 8; pos < png.length;) {
    const len = png.readUInt32BE(pos);
    const td = png.subarray(pos + 4, pos + 8 + len);
    chunks.push({ type: td.toString('latin1', 0, 4), crcOk: crc32(td) === png.readUInt32BE(pos + 8 + len) });
    pos += 12 + len;
  }
  return chunks;
}

test('PNG: eXIf and text/time chunks go; the rest stays byte-identical with valid CRCs', () => {
  const input = cat(
    PNG_SIG,
    PNG_IHDR,
    PNG_GAMA,
    PNG_TEXT,
    PNG_EXIF,
    PNG_PHYS,
    PNG_TIME,
    PNG_IDAT,
    PNG_ZTXT,
    PNG_ITXT,
    PNG_IEND,
    ascii('trailing junk'),
  );
  const r = stripImageMetadata(input, 'image/png');
  assert.ok(r.ok, r.ok ? '' : r.reason);
  assert.deepEqual(r.removed, ['tEXt', 'eXIf', 'tIME', 'zTXt', 'iTXt']);
  assert.deepEqual(r.bytes, cat(PNG_SIG, PNG_IHDR, PNG_GAMA, PNG_PHYS, PNG_IDAT, PNG_IEND));
  assert.deepEqual(
    pngChunks(r.bytes).map((c) => c.type),
    ['IHDR', 'gAMA', 'pHYs', 'IDAT', 'IEND'],
  );
  assert.ok(pngChunks(r.bytes).every((c) => c.crcOk));
  for (const secret of [GPS_LATITUDE, ascii('Wang Fang'), ascii('xmpmeta'), ascii('trailing')]) {
    assert.ok(!r.bytes.includes(secret));
  }
});

test('PNG: truncation, a missing IEND or a bad signature fail', () => {
  const full = cat(PNG_SIG, PNG_IHDR, PNG_IDAT, PNG_IEND);
  assert.ok(stripImageMetadata(full, 'image/png').ok);
  for (const bad of [full.subarray(0, full.length - 1), cat(PNG_SIG, PNG_IHDR, PNG_IDAT), full.subarray(1)]) {
    assert.equal(stripImageMetadata(bad, 'image/png').ok, false);
  }
});

// ---------------------------------------------------------------------------------------------
// WebP

/** The VP8 (lossy) chunk of a 2x2 image from cwebp. */
const WEBP_VP8 = hex(`
  56503820 2c000000
  9001009d012a0200020002003425a40002e74f8cc000fef293ed6769b1ff86bffe7dc030c1fc018386480000`);
const riffChunk = (fourcc: string, data: Buffer): Buffer =>
  cat(ascii(fourcc), u32le(data.length), data, data.length % 2 ? Buffer.alloc(1) : Buffer.alloc(0));
const riff = (...chunks: Buffer[]): Buffer => {
  const body = cat(ascii('WEBP'), ...chunks);
  return cat(ascii('RIFF'), u32le(body.length), body);
};
const VP8X_ICC = 0x20;
const VP8X_EXIF = 0x08;
const VP8X_XMP = 0x04;
// flags, 3 reserved bytes, canvas width-1 and height-1 as 24-bit little-endian.
const vp8x = (flags: number): Buffer =>
  riffChunk('VP8X', hex(`${flags.toString(16).padStart(2, '0')}000000 010000 010000`));
const WEBP_ICCP = riffChunk('ICCP', Buffer.alloc(17, 3)); // odd size: padded
const WEBP_EXIF = riffChunk('EXIF', TIFF_WITH_GPS.subarray(0, 79)); // odd size: padded
const WEBP_XMP = riffChunk('XMP ', XMP_PACKET);

test('WebP: EXIF and XMP chunks go, VP8X flags are cleared and the RIFF size is fixed', () => {
  const input = cat(
    riff(vp8x(VP8X_ICC | VP8X_EXIF | VP8X_XMP), WEBP_ICCP, WEBP_VP8, WEBP_EXIF, WEBP_XMP),
    ascii('x'),
  );
  assert.equal(WEBP_EXIF.length % 2, 0, 'the fixture has a pad byte');
  const r = stripImageMetadata(input, 'image/webp');
  assert.ok(r.ok, r.ok ? '' : r.reason);
  assert.deepEqual(r.removed, ['EXIF', 'XMP']);
  assert.deepEqual(r.bytes, riff(vp8x(VP8X_ICC), WEBP_ICCP, WEBP_VP8));
  assert.equal(r.bytes.readUInt32LE(4), r.bytes.length - 8);
  assert.equal(r.bytes[20], VP8X_ICC, 'only the ICC flag is left');
  assert.ok(!r.bytes.includes(GPS_LATITUDE.subarray(0, 16)));
  assert.ok(!r.bytes.includes(ascii('xmpmeta')));
});

test('WebP: a simple VP8 file is unchanged; truncated or inconsistent files fail', () => {
  const simple = riff(WEBP_VP8);
  assert.deepEqual(stripImageMetadata(simple, 'image/webp'), { ok: true, bytes: simple, removed: [] });
  const missingPad = riff(WEBP_VP8, ascii('EXIF'), u32le(3), ascii('abc')); // odd chunk, no pad byte
  for (const bad of [simple.subarray(0, simple.length - 1), missingPad, riff()]) {
    assert.equal(stripImageMetadata(bad, 'image/webp').ok, false);
  }
});

// ---------------------------------------------------------------------------------------------
// GIF

const GIF_HEADER = cat(ascii('GIF89a'), hex('0100 0100 80 00 00'), hex('000000 ffffff')); // 1x1, 2 colours
const GIF_NETSCAPE = cat(hex('21ff0b'), ascii('NETSCAPE2.0'), hex('03 010000 00'));
const GIF_COMMENT = cat(hex('21fe'), Buffer.from([23]), ascii('taken at 12 Hepingli St'), hex('00'));
const GIF_GCE = hex('21f9 04 01000000 00');
const GIF_IMAGE = hex('2c 0000 0000 0100 0100 00 02 02 4401 00');
// XMP in GIF: the raw packet, then the 258-byte "magic trailer" that makes it walk as sub-blocks.
const GIF_XMP = cat(
  hex('21ff0b'),
  ascii('XMP DataXMP'),
  XMP_PACKET,
  Buffer.from([0x01, ...Array.from({ length: 256 }, (_, i) => 0xff - i), 0x00]),
);

test('GIF: comment and XMP blocks go; NETSCAPE looping, control and image blocks stay', () => {
  const input = cat(GIF_HEADER, GIF_NETSCAPE, GIF_COMMENT, GIF_GCE, GIF_IMAGE, GIF_XMP, hex('3b'));
  const r = stripImageMetadata(input, 'image/gif');
  assert.ok(r.ok, r.ok ? '' : r.reason);
  assert.deepEqual(r.removed, ['Comment', 'XMP']);
  assert.deepEqual(r.bytes, cat(GIF_HEADER, GIF_NETSCAPE, GIF_GCE, GIF_IMAGE, hex('3b')));
  assert.ok(!r.bytes.includes(ascii('Hepingli')));
  assert.ok(!r.bytes.includes(ascii('xmpmeta')));
});

test('GIF: an unknown block ends the file after an image, and is no image before one; truncation fails', () => {
  // What follows an unknown block (here a comment naming a street) is dropped with it.
  const odd = cat(GIF_HEADER, GIF_COMMENT, GIF_IMAGE, hex('99 00'), GIF_COMMENT, GIF_XMP, hex('3b'));
  assert.deepEqual(stripImageMetadata(odd, 'image/gif'), {
    ok: true,
    bytes: cat(GIF_HEADER, GIF_IMAGE, hex('3b')),
    removed: ['Comment', 'trailing data'],
  });
  // A comment and XMP hidden behind an unknown byte before any image: refused, not kept.
  const hidden = cat(GIF_HEADER, GIF_COMMENT, GIF_XMP, hex('99'), GIF_IMAGE, hex('3b'));
  assert.equal(stripImageMetadata(hidden, 'image/gif').ok, false);
  // Text that only begins like a GIF.
  assert.equal(stripImageMetadata(Buffer.from('GIF89a<script>alert(1)</script>'), 'image/gif').ok, false);
  const full = cat(GIF_HEADER, GIF_GCE, GIF_IMAGE, hex('3b'));
  assert.equal(stripImageMetadata(full.subarray(0, full.length - 3), 'image/gif').ok, false);
  assert.equal(stripImageMetadata(GIF_HEADER.subarray(0, 12), 'image/gif').ok, false);
  // Ending between blocks after an image (no trailer) is accepted, as viewers do.
  assert.ok(stripImageMetadata(full.subarray(0, full.length - 1), 'image/gif').ok);
});

// ---------------------------------------------------------------------------------------------
// Sniffing and robustness

const FIXTURES: [ImageType, Buffer][] = [
  ['image/jpeg', makeJpeg()],
  ['image/png', cat(PNG_SIG, PNG_IHDR, PNG_TEXT, PNG_EXIF, PNG_IDAT, PNG_IEND)],
  ['image/webp', riff(vp8x(VP8X_EXIF | VP8X_XMP), WEBP_VP8, WEBP_EXIF, WEBP_XMP)],
  ['image/gif', cat(GIF_HEADER, GIF_NETSCAPE, GIF_COMMENT, GIF_GCE, GIF_IMAGE, GIF_XMP, hex('3b'))],
];
const TYPES = FIXTURES.map(([t]) => t);

test('sniff: identifies each format by its magic bytes and refuses everything else', () => {
  for (const [type, bytes] of FIXTURES) assert.equal(sniffImageType(bytes), type);
  assert.equal(sniffImageType(ascii('GIF87a')), 'image/gif');
  for (const other of [
    '<html><body>',
    '<svg xmlns="http://www.w3.org/2000/svg"/>',
    '<?xml version="1.0"?><svg/>',
    '',
    'GIF88a',
    'RIFF\0\0\0\0WAVEfmt ',
    'RIFF\0\0\0\0WEB',
  ]) {
    assert.equal(sniffImageType(ascii(other)), null, other);
  }
  assert.equal(sniffImageType(hex('ffd8')), null);
  assert.equal(sniffImageType(PNG_SIG.subarray(0, 7)), null);
});

test('the declared type must match the bytes', () => {
  const [, png] = FIXTURES[1] as [ImageType, Buffer];
  for (const type of ['image/jpeg', 'image/webp', 'image/gif'] as const) {
    assert.equal(stripImageMetadata(png, type).ok, false);
  }
  assert.equal(stripImageMetadata(png, 'image/svg+xml' as ImageType).ok, false);
});

/** Stripping never throws; a success re-parses as the same type with nothing left to remove. */
function checkStrip(bytes: Buffer, type: ImageType): void {
  const r = stripImageMetadata(bytes, type);
  if (!r.ok) {
    // The walkers themselves must refuse bad input, not the module's last-resort catch.
    assert.doesNotMatch(r.reason, /^malformed image:/);
    return;
  }
  assert.ok(Buffer.isBuffer(r.bytes));
  const again = stripImageMetadata(r.bytes, type);
  assert.deepEqual(again, { ok: true, bytes: r.bytes, removed: [] });
  assert.equal(sniffImageType(r.bytes), type);
}

test('every truncation of every fixture is handled without throwing', () => {
  for (const [type, bytes] of FIXTURES) {
    checkStrip(bytes, type);
    assert.ok(stripImageMetadata(bytes, type).ok);
    for (let n = 0; n < bytes.length; n++) checkStrip(bytes.subarray(0, n), type);
  }
});

test('property: random bytes, and random tails after a valid signature, never throw', () => {
  const signatures = [hex('ffd8'), PNG_SIG, ascii('GIF89a'), cat(ascii('RIFF'), u32le(40), ascii('WEBP'))];
  fc.assert(
    fc.property(
      fc.constantFrom(...TYPES),
      fc.option(fc.constantFrom(...signatures)),
      fc.uint8Array({ maxLength: 300 }),
      (type, prefix, tail) => {
        const bytes = cat(prefix ?? Buffer.alloc(0), Buffer.from(tail));
        checkStrip(bytes, type);
        const sniffed = sniffImageType(bytes);
        if (sniffed) checkStrip(bytes, sniffed);
      },
    ),
    { numRuns: 3000 },
  );
});

test('property: valid images with random byte edits and truncations never throw', () => {
  fc.assert(
    fc.property(
      fc.constantFrom(...FIXTURES),
      fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 4 }),
      fc.option(fc.nat()),
      ([type, original], edits, cut) => {
        const bytes = Buffer.from(original);
        for (const [at, value] of edits) bytes[at % bytes.length] = value;
        checkStrip(cut === null ? bytes : bytes.subarray(0, cut % (bytes.length + 1)), type);
      },
    ),
    { numRuns: 3000 },
  );
});

test('JPEG: the orientation a phone writes stays (alone), so the photo is not shown on its side', () => {
  const le16 = (n: number) => Buffer.from([n & 0xff, n >> 8]);
  const le32 = (n: number) => Buffer.from([n & 0xff, (n >> 8) & 0xff, (n >> 16) & 0xff, n >>> 24]);
  // Little-endian TIFF: IFD0 with Orientation = 6 (turn 90° clockwise) and the GPS position.
  const tiff = cat(
    ascii('II*\0'),
    le32(8),
    le16(2),
    cat(le16(0x0112), le16(3), le32(1), le16(6), le16(0)),
    cat(le16(0x8825), le16(4), le32(1), le32(38)),
    le32(0),
    ascii('GPS position 31N 121E'),
  );
  const photo = cat(
    JPEG_BASE.subarray(0, 20),
    segment(0xe1, cat(ascii('Exif\0\0'), tiff)),
    JPEG_BASE.subarray(20),
  );
  const r = stripImageMetadata(photo, 'image/jpeg');
  assert.ok(r.ok);
  assert.ok(!r.bytes.includes(ascii('GPS position')), 'the position is gone');
  const app1 = r.bytes.indexOf(Buffer.from([0xff, 0xe1]));
  assert.ok(app1 > 0, 'an Exif segment remains');
  const length = r.bytes.readUInt16BE(app1 + 2);
  assert.equal(exifOrientation(r.bytes.subarray(app1 + 4, app1 + 2 + length)), 6);
  assert.equal(r.bytes.length, JPEG_BASE.length + 2 + length);
  // Upright photos keep no Exif at all.
  assert.equal(exifOrientation(cat(ascii('Exif\0\0'), TIFF_WITH_GPS)), null);
});
