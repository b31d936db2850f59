/**
 * The POST form of GeoReport v2 read into the intake's input: a location (lat & long, an
 * address or an address id), the reporter's contact, the description (or, without one, the
 * answers), and the answers to the service's extra questions. Pure; every problem names its field.
 */
import type { CreateOrderInput } from '../work-orders/work-order.service.ts';
import { checkAttributes, describeAnswers, readAttributeFields } from './open311.attributes.ts';
import type { CreateRequestBody } from './open311.schema.ts';
import type { ServiceEntry } from './open311.types.ts';

export interface CreateForm {
  input: Pick<CreateOrderInput, 'description' | 'reporter' | 'location' | 'address' | 'attributes'>;
  accountId: string | null;
  problems: string[];
}

/** A trimmed value, or undefined when absent or empty (an empty parameter is an absent one). */
const opt = (v: string | undefined) => (v === undefined || v.trim() === '' ? undefined : v.trim());

const DECIMAL = /^[+-]?(\d+(\.\d*)?|\.\d+)$/;
/** A phone as people type it: digits with a leading +, brackets, dashes, dots or spaces; 5 to 20 digits. */
const PHONE = /^(?=(?:\D*\d){5,20}\D*$)\+?[\d\s().-]+$/;

/** How many characters (code points) a text has. */
export function codePoints(text: string): number {
  let n = 0;
  for (const _ of text) n++;
  return n;
}

/**
 * A reporter's name from the form's parts: a Chinese name is surname then given name, written
 * together (张 + 建华 → 张建华); a name in other letters is given name, space, surname (John Smith).
 */
export function personName(first: string | undefined, last: string | undefined): string {
  if (!first || !last) return first ?? last ?? '';
  return /[\u3400-\u9fff]/.test(first + last) ? `${last}${first}` : `${first} ${last}`;
}
/** The longest description an order takes. */
export const MAX_DESCRIPTION = 4000;

function readLocation(body: CreateRequestBody, problems: string[]) {
  const latS = opt(body.lat);
  const longS = opt(body.long);
  const address = opt(body.address_string);
  const addressId = opt(body.address_id);
  let location: { lat: number; lng: number } | undefined;
  if (latS !== undefined || longS !== undefined) {
    // Decimal degrees only: Number() would also read 0x16, 0b10110 or 1e1.
    const lat = DECIMAL.test(latS ?? '') ? Number(latS) : Number.NaN;
    const lng = DECIMAL.test(longS ?? '') ? Number(longS) : Number.NaN;
    if (latS === undefined || longS === undefined) problems.push('lat/long: both must be sent together');
    else if (!Number.isFinite(lat) || lat < -90 || lat > 90) problems.push('lat: expected a WGS84 latitude');
    else if (!Number.isFinite(lng) || lng < -180 || lng > 180)
      problems.push('long: expected a WGS84 longitude');
    else location = { lat, lng };
  } else if (!address && !addressId) {
    problems.push('location: send lat & long, address_string or address_id');
  }
  return { location, address, addressId };
}

export function readCreateForm(
  body: CreateRequestBody & Record<string, unknown>,
  service: ServiceEntry,
): CreateForm {
  const problems: string[] = [];
  const { location, address, addressId } = readLocation(body, problems);
  const description = opt(body.description);
  // Characters as the standard and the core API count them: code points, not UTF-16 units.
  if (description && codePoints(description) > MAX_DESCRIPTION)
    problems.push(`description: at most ${MAX_DESCRIPTION} characters`);
  if (description && /<\/?[a-z][^>]*>/i.test(description)) problems.push('description: no HTML or code');
  const email = opt(body.email);
  if (email && !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email)) problems.push('email: not an e-mail address');
  const mediaUrl = opt(body.media_url);
  if (mediaUrl && !/^https?:\/\/\S+$/i.test(mediaUrl)) problems.push('media_url: expected an http(s) URL');
  const checked = checkAttributes(service.questions, readAttributeFields(body), service.code);
  problems.push(...checked.problems);

  // Client data kept for staff beside the answers; the public presenter shows only media_url and address_id.
  const meta: Record<string, string> = {};
  const accountId = opt(body.account_id);
  for (const [k, v] of Object.entries({
    media_url: mediaUrl,
    address_id: addressId,
    email,
    device_id: opt(body.device_id),
    account_id: accountId,
  })) {
    if (v) meta[k] = v;
  }
  // The description made from the answers is public: answers chosen from a list, numbers and times
  // only. Free-text answers (a licence plate, a neighbour's name) stay for staff, in the attributes.
  const answers = describeAnswers(
    service.questions.filter((q) => q.datatype !== 'string' && q.datatype !== 'text'),
    checked.answers,
    'zh',
  );
  const name = personName(opt(body.first_name), opt(body.last_name));
  const phone = opt(body.phone);
  if (phone && !PHONE.test(phone))
    problems.push('phone: expected a phone number (digits, with + ( ) - or spaces)');
  return {
    input: {
      // Built from the answers when none was sent: cut to the limit a sent one must keep.
      description:
        description ?? (answers ? `${service.nameZh}：${answers}` : service.nameZh).slice(0, MAX_DESCRIPTION),
      reporter: name || phone ? { name: name || undefined, phone } : undefined,
      location,
      address: address ?? (addressId ? `address_id ${addressId}` : undefined),
      attributes: { ...checked.answers, ...(Object.keys(meta).length ? { _open311: meta } : {}) },
    },
    accountId: accountId ?? null,
    problems,
  };
}
