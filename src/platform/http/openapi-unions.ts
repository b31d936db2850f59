/**
 * Unions in the OpenAPI 3.0 document, in the form 3.0 has for them. The swagger plugin renders a
 * TypeBox union member by member, and null as `{type: 'object', nullable: true, enum: [null]}`
 * (3.0 has no null type), so `Type.Union([Type.Literal('inapp'), Type.Literal('sms'), Type.Null()])`
 * came out as an `anyOf` of one-value enums and an "object" whose only value is null, which
 * client generators read as "a string or an object". Here, in the finished document:
 *
 * - a union of literals of one type (and null) is one enum of that type:
 *   `{type: 'string', enum: ['inapp', 'sms', null], nullable: true}` (3.0.3: a nullable enum
 *   admits null only when it lists it);
 * - a union of one typed schema and null is that schema, nullable (the plugin merges these
 *   itself, except when both carry a description: here both are kept, the field's first), and a
 *   nullable enum lists null.
 *
 * Only the document changes: routes validate and serialize with their own schemas.
 */

type Schema = Record<string, unknown>;

const ANNOTATIONS = new Set([
  'title',
  'description',
  'default',
  'example',
  'examples',
  'deprecated',
  'readOnly',
  'writeOnly',
]);
const isAnnotation = (key: string) => ANNOTATIONS.has(key) || key.startsWith('x-');
const SCALARS = new Set(['string', 'number', 'integer', 'boolean']);

const isSchema = (v: unknown): v is Schema => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The plugin's rendering of `null`: a nullable type whose only value is null. */
function isNullSchema(s: Schema): boolean {
  return (
    s.nullable === true &&
    Array.isArray(s.enum) &&
    s.enum.length === 1 &&
    s.enum[0] === null &&
    Object.keys(s).every((k) => k === 'type' || k === 'nullable' || k === 'enum' || isAnnotation(k))
  );
}

/** A literal or an enum of scalars and nothing else: its type, its values, and whether null is one. */
function enumOf(s: Schema): { type: string; values: unknown[]; nullable: boolean } | undefined {
  if (typeof s.type !== 'string' || !SCALARS.has(s.type) || !Array.isArray(s.enum)) return undefined;
  if (!Object.keys(s).every((k) => k === 'type' || k === 'enum' || k === 'nullable')) return undefined;
  const nullable = s.nullable === true;
  if (!nullable && s.enum.includes(null)) return undefined;
  return { type: s.type, values: s.enum.filter((v) => v !== null), nullable };
}

/** The schema's `anyOf` as one schema, when it says something 3.0 says without a union; else undefined. */
function withoutUnion(s: Schema): Schema | undefined {
  const members = s.anyOf;
  if (!Array.isArray(members) || members.length < 2 || !members.every(isSchema)) return undefined;
  // Only the union and what describes it: a union beside other constraints stays as it is.
  const rest = Object.fromEntries(Object.entries(s).filter(([k]) => k !== 'anyOf'));
  if (!Object.keys(rest).every(isAnnotation)) return undefined;
  const nulls = members.filter(isNullSchema);
  const others = members.filter((m) => !isNullSchema(m));
  const nullable = nulls.length > 0;

  const enums = others.map(enumOf);
  const type = enums[0]?.type;
  if (type !== undefined && enums.every((e) => e?.type === type)) {
    const values = [...new Set(enums.flatMap((e) => e?.values ?? []))];
    const withNull = nullable || enums.some((e) => e?.nullable);
    return {
      ...rest,
      type,
      enum: withNull ? [...values, null] : values,
      ...(withNull ? { nullable: true } : {}),
    };
  }

  const [only] = others;
  if (others.length !== 1 || !nullable || !only || typeof only.type !== 'string') return undefined;
  if ('nullable' in only || '$ref' in only) return undefined;
  // The field's annotations outrank the member's, but both descriptions are kept.
  const descriptions = [rest.description, only.description].filter(
    (d, i, all): d is string => typeof d === 'string' && all.indexOf(d) === i,
  );
  return {
    ...only,
    ...rest,
    ...(descriptions.length ? { description: descriptions.join('\n\n') } : {}),
    ...(Array.isArray(only.enum) ? { enum: [...(only.enum as unknown[]), null] } : {}),
    nullable: true,
  };
}

function tidy(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(tidy);
  if (!isSchema(value)) return value;
  const out: Schema = {};
  for (const [k, v] of Object.entries(value)) out[k] = tidy(v);
  const schema = withoutUnion(out) ?? out;
  // The plugin merges a single literal and null into a nullable enum that leaves null out.
  if (schema.nullable === true && Array.isArray(schema.enum) && !schema.enum.includes(null))
    return { ...schema, enum: [...(schema.enum as unknown[]), null] };
  return schema;
}

/**
 * The document with its literal and nullable unions as OpenAPI 3.0 writes them (see above); a
 * document of another version is returned as it is. The input is not changed.
 */
export function tidyUnions<D extends { openapi?: string }>(doc: D): D {
  if (typeof doc.openapi !== 'string' || !doc.openapi.startsWith('3.0')) return doc;
  return tidy(doc) as D;
}
