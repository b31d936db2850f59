/**
 * Small real images for tests, assembled in code: an 8x8 grey JPEG (pixel data from cjpeg), a 1x1
 * PNG, and a TIFF block with a GPS position as phones write it into EXIF.
 */
import { crc32, deflateSync } from 'node:zlib';

export const hex = (s: string): Buffer => Buffer.from(s.replace(/\s+/g, ''), 'hex');
export const ascii = (s: string): Buffer => Buffer.from(s, 'latin1');
export const cat = (...parts: Buffer[]): Buffer => Buffer.concat(parts);
export const u16be = (n: number): Buffer => {
  const b = Buffer.alloc(2);
  b.writeUInt16BE(n);
  return b;
};
export const u32be = (n: number): Buffer => {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n);
  return b;
};

// A big-endian TIFF block with IFD0 -> GPS IFD holding N 31°13'45" (what a phone writes).
export const GPS_LATITUDE = cat(u32be(31), u32be(1), u32be(13), u32be(1), u32be(4500), u32be(100));
export const TIFF_WITH_GPS = cat(
  ascii('MM\0*'),
  u32be(8),
  // IFD0 at 8: one entry, GPSInfo (0x8825) LONG -> GPS IFD at 26
  u16be(1),
  u16be(0x8825),
  u16be(4),
  u32be(1),
  u32be(26),
  u32be(0),
  // GPS IFD at 26: GPSLatitudeRef 'N', GPSLatitude 3 RATIONALs at 56
  u16be(2),
  u16be(0x0001),
  u16be(2),
  u32be(2),
  ascii('N\0\0\0'),
  u16be(0x0002),
  u16be(5),
  u32be(3),
  u32be(56),
  u32be(0),
  GPS_LATITUDE,
);
export const EXIF_PAYLOAD = cat(ascii('Exif\0\0'), TIFF_WITH_GPS);
export const XMP_PACKET = ascii(
  '<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF><rdf:Description exif:GPSLatitude="31,13.75N"' +
    ' dc:creator="Wang Fang"/></rdf:RDF></x:xmpmeta>',
);

/** 8x8 grey baseline JPEG from cjpeg: SOI, APP0 JFIF, DQT, SOF0, DHT, DHT, SOS, scan, EOI. */
export const JPEG_BASE = hex(`
  ffd8 ffe000104a46494600010100000100010000
  ffdb004300100b0c0e0c0a100e0d0e1211101318281a181616183123251d283a333d3c3933383740485c4e404457
  453738506d51575f626768673e4d71797064785c656763
  ffc0000b080008000801011100
  ffc40014000100000000000000000000000000000000
  ffc40014100100000000000000000000000000000000
  ffda0008010100003f00 3f ffd9`);

export const segment = (marker: number, payload: Buffer): Buffer =>
  cat(Buffer.from([0xff, marker]), u16be(payload.length + 2), payload);

export const chunk = (type: string, data: Buffer): Buffer => {
  const td = cat(ascii(type), data);
  return cat(u32be(data.length), td, u32be(crc32(td)));
};
// 1x1 RGB, 8 bits: filter byte 0 then one red pixel.
export const PNG_IHDR = chunk('IHDR', hex('00000001 00000001 08 02 00 00 00'));
export const PNG_GAMA = chunk('gAMA', u32be(45455));
export const PNG_PHYS = chunk('pHYs', hex('00000b13 00000b13 01'));
export const PNG_IDAT = chunk('IDAT', deflateSync(hex('00 ff0000')));
export const PNG_IEND = chunk('IEND', Buffer.alloc(0));
export const PNG_SIG = hex('89504e470d0a1a0a');

/** A 1x1 PNG with nothing but its pixels. */
export function plainPng(): Buffer {
  return cat(PNG_SIG, PNG_IHDR, PNG_IDAT, PNG_IEND);
}

/** The 8x8 JPEG as a phone sends it: EXIF with the GPS position where it was taken. */
export function jpegWithGps(): Buffer {
  return cat(JPEG_BASE.subarray(0, 20), segment(0xe1, EXIF_PAYLOAD), JPEG_BASE.subarray(20));
}
