/**
 * JSON → XML by the Open311 conversion rules (the Spark convention): an array is written as a
 * container element holding one element per item, so a list stays a list even with one item;
 * null is an empty element; text is UTF-8 with the XML declaration.
 */

export type XmlValue =
  string | number | boolean | null | undefined | XmlValue[] | { [key: string]: XmlValue };

/** Container element → the element of one item. */
export const ITEM_NAMES: Readonly<Record<string, string>> = {
  services: 'service',
  service_requests: 'request',
  service_request_updates: 'request_update',
  attributes: 'attribute',
  values: 'value',
  errors: 'error',
  endpoints: 'endpoint',
  formats: 'format',
  photos: 'photo',
  notes: 'note',
};

/** True for a character XML 1.0 cannot carry at all (C0 controls but tab and newlines, U+FFFE/U+FFFF). */
function invalidInXml(code: number): boolean {
  return (
    (code < 0x20 && code !== 0x09 && code !== 0x0a && code !== 0x0d) || code === 0xfffe || code === 0xffff
  );
}

/** Drops characters XML cannot carry, rather than breaking the document. */
function stripInvalid(text: string): string {
  for (let i = 0; i < text.length; i++) {
    if (invalidInXml(text.charCodeAt(i))) {
      let out = '';
      for (const ch of text) if (!invalidInXml(ch.charCodeAt(0))) out += ch;
      return out;
    }
  }
  return text;
}

export function escapeXml(text: string): string {
  // A carriage return as a character reference: written raw, an XML parser reads it as a line feed.
  return stripInvalid(text)
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/\r/g, '&#13;');
}

function write(out: string[], name: string, value: XmlValue): void {
  if (value === undefined) return;
  if (value === null) {
    out.push(`<${name}/>`);
    return;
  }
  if (Array.isArray(value)) {
    const item = ITEM_NAMES[name] ?? 'item';
    if (value.length === 0) {
      out.push(`<${name}></${name}>`);
      return;
    }
    out.push(`<${name}>`);
    for (const v of value) write(out, item, v);
    out.push(`</${name}>`);
    return;
  }
  if (typeof value === 'object') {
    out.push(`<${name}>`);
    for (const [k, v] of Object.entries(value)) write(out, k, v);
    out.push(`</${name}>`);
    return;
  }
  out.push(`<${name}>${escapeXml(String(value))}</${name}>`);
}

/** A whole document: `toXml('services', [...])` → `<?xml …?><services><service>…</service></services>`. */
export function toXml(root: string, value: XmlValue): string {
  const out: string[] = ['<?xml version="1.0" encoding="UTF-8"?>\n'];
  write(out, root, value);
  out.push('\n');
  return out.join('');
}
