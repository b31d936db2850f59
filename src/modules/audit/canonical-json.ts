import { hash } from 'node:crypto';

/**
 * An object's own keys in UTF-16 code-unit order (what `Array.prototype.sort` gives strings),
 * sorted in place by insertion when there are few: audit payloads have a handful of keys, mostly
 * in order already, and the built-in sort allocates a work copy of every array it sorts.
 */
function sortedKeys(obj: object): string[] {
  const keys = Object.keys(obj);
  // Quadratic in the worst case: only for the small objects it is meant for.
  if (keys.length > 16) return keys.sort();
  for (let i = 1; i < keys.length; i++) {
    const k = keys[i] as string;
    let j = i - 1;
    while (j >= 0 && (keys[j] as string) > k) {
      keys[j + 1] = keys[j] as string;
      j--;
    }
    keys[j + 1] = k;
  }
  return keys;
}

/**
 * Canonical JSON in the manner of RFC 8785 (JCS): object keys sorted by UTF-16 code units,
 * no whitespace, numbers and strings as ECMAScript serialises them. `undefined` members are
 * dropped, as JSON.stringify does; non-finite numbers are refused.
 */
export function canonicalJson(value: unknown): string {
  if (value === null) return 'null';
  switch (typeof value) {
    case 'boolean':
      return value ? 'true' : 'false';
    case 'number':
      if (!Number.isFinite(value)) throw new TypeError('canonical JSON cannot hold a non-finite number');
      return JSON.stringify(value);
    case 'string':
      return JSON.stringify(value);
    case 'object': {
      if (Array.isArray(value)) {
        let out = '[';
        for (let i = 0; i < value.length; i++) out += (i ? ',' : '') + canonicalJson(value[i] ?? null);
        return out + ']';
      }
      // Keys in UTF-16 code-unit order: the default sort order of strings.
      const obj = value as Record<string, unknown>;
      const keys = sortedKeys(obj);
      let out = '{';
      let first = true;
      for (const k of keys) {
        const v = obj[k];
        if (v === undefined) continue;
        out += (first ? '' : ',') + JSON.stringify(k) + ':' + canonicalJson(v);
        first = false;
      }
      return out + '}';
    }
    default:
      throw new TypeError(`canonical JSON cannot hold a ${typeof value}`);
  }
}

/** SHA-256 of the UTF-8 bytes of a string, in hex (one-shot: no hash object per call). */
export function sha256Hex(text: string): string {
  return hash('sha256', text, 'hex');
}
