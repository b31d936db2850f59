/**
 * A GeoReport v2 form body (`application/x-www-form-urlencoded`), read strictly. The standard
 * says text is UTF-8: a field whose percent-escapes are not UTF-8 (a GBK form, a cut sequence) is
 * refused naming it, where a lenient reader kept the escapes as literal text (`%BF%D5…` stored as
 * the description). Pure.
 */
import { badRequest } from './open311.errors.ts';

function decode(part: string, field: string): string {
  try {
    return decodeURIComponent(part.replace(/\+/g, ' '));
  } catch {
    throw badRequest(`${field}: not UTF-8 text (a form's percent-escapes must encode UTF-8)`);
  }
}

/** Fields of a form body by name; a field sent several times is a list of its values, in order. */
export function parseForm(body: string): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = Object.create(null) as Record<string, string | string[]>;
  for (const pair of body.split('&')) {
    if (pair === '') continue;
    const eq = pair.indexOf('=');
    const rawKey = eq === -1 ? pair : pair.slice(0, eq);
    const key = decode(rawKey, rawKey.slice(0, 64));
    const value = decode(eq === -1 ? '' : pair.slice(eq + 1), key.slice(0, 64));
    const prior = out[key];
    if (prior === undefined) out[key] = value;
    else if (Array.isArray(prior)) prior.push(value);
    else out[key] = [prior, value];
  }
  return out;
}
