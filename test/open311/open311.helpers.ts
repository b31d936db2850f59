/**
 * Checks shared by the Open311 tests: the standard's JSON Schemas (copied beside this file from
 * the Open311 project's georeport-v2 folder), an XML → JSON reader that follows the standard's
 * conversion rules (Spark convention), and a form-post helper.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import assert from 'node:assert/strict';
import { Ajv } from 'ajv';
import type { ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { XMLParser } from 'fast-xml-parser';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';

export const HERE = dirname(fileURLToPath(import.meta.url));
const schemaFile = (name: string): Record<string, unknown> =>
  JSON.parse(readFileSync(join(HERE, 'schemas', name), 'utf8')) as Record<string, unknown>;

// ajv-formats ships CommonJS; its default export is the plugin function.
const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv;

/** Error lists and the discovery document have no schema in the standard's folder; these follow its text. */
const ERRORS_SCHEMA = {
  type: 'array',
  minItems: 1,
  items: {
    type: 'object',
    required: ['code', 'description'],
    properties: { code: { type: 'integer' }, description: { type: 'string', minLength: 1 } },
  },
};
const DISCOVERY_SCHEMA = {
  type: 'object',
  required: ['changeset', 'contact', 'key_service', 'endpoints'],
  properties: {
    changeset: { type: 'string' },
    contact: { type: 'string' },
    key_service: { type: 'string' },
    endpoints: {
      type: 'array',
      minItems: 1,
      items: {
        type: 'object',
        required: ['specification', 'url', 'changeset', 'type', 'formats'],
        properties: {
          specification: { type: 'string' },
          url: { type: 'string', format: 'uri' },
          changeset: { type: 'string' },
          type: { enum: ['production', 'test'] },
          formats: { type: 'array', items: { type: 'string' } },
        },
      },
    },
  },
};
const POST_SCHEMA = {
  type: 'array',
  minItems: 1,
  items: {
    type: 'object',
    properties: {
      service_request_id: { type: 'string' },
      token: { type: 'string' },
      service_notice: { type: ['string', 'null'] },
      account_id: { type: ['string', 'null'] },
    },
    oneOf: [{ required: ['service_request_id'] }, { required: ['token'] }],
  },
};
const TOKENS_SCHEMA = {
  type: 'array',
  minItems: 1,
  items: {
    type: 'object',
    required: ['service_request_id', 'token'],
    properties: { service_request_id: { type: ['string', 'null'] }, token: { type: 'string' } },
  },
};
const UPDATES_SCHEMA = {
  type: 'array',
  items: {
    type: 'object',
    required: ['update_id', 'service_request_id', 'status', 'updated_datetime', 'description'],
    properties: {
      update_id: { type: 'string' },
      service_request_id: { type: 'string' },
      status: {
        enum: [
          'open',
          'closed',
          'fixed',
          'in_progress',
          'action_scheduled',
          'investigating',
          'duplicate',
          'not_councils_responsibility',
          'no_further_action',
          'internal_referral',
        ],
      },
      updated_datetime: { type: 'string', format: 'date-time' },
      description: { type: 'string' },
      media_url: { type: ['string', 'null'] },
    },
  },
};

export type Shape =
  'services' | 'service-definition' | 'requests' | 'errors' | 'discovery' | 'post' | 'tokens' | 'updates';

function buildAjv(coerce: boolean): Record<Shape, ValidateFunction> {
  const ajv = new Ajv({ strict: false, allErrors: true, coerceTypes: coerce });
  addFormats(ajv);
  ajv.addSchema(schemaFile('service.json'), 'service.json');
  ajv.addSchema(schemaFile('request.json'), 'request.json');
  return {
    services: ajv.compile(schemaFile('services.json')),
    'service-definition': ajv.compile(schemaFile('service-definition.json')),
    requests: ajv.compile(schemaFile('requests.json')),
    errors: ajv.compile(ERRORS_SCHEMA),
    discovery: ajv.compile(DISCOVERY_SCHEMA),
    post: ajv.compile(POST_SCHEMA),
    tokens: ajv.compile(TOKENS_SCHEMA),
    updates: ajv.compile(UPDATES_SCHEMA),
  };
}

const strict = buildAjv(false);
// XML carries text only; the conversion gives numbers and booleans back their type.
const fromXml = buildAjv(true);

export function assertShape(shape: Shape, value: unknown, xml = false): void {
  const v = (xml ? fromXml : strict)[shape];
  const ok = v(value);
  assert.ok(ok, `${shape}${xml ? ' (from XML)' : ''}: ${JSON.stringify(v.errors?.slice(0, 5))}`);
}

/** Containers whose children form a list (Spark convention: one kind of repeated child). */
const LISTS: Record<string, string> = {
  services: 'service',
  service_requests: 'request',
  service_request_updates: 'request_update',
  attributes: 'attribute',
  values: 'value',
  errors: 'error',
  endpoints: 'endpoint',
  formats: 'format',
  photos: 'photo',
};

type Node = Record<string, unknown>;
const parser = new XMLParser({
  preserveOrder: true,
  parseTagValue: false,
  ignoreAttributes: true,
  trimValues: false,
});

function tagOf(n: Node): string {
  const k = Object.keys(n).find((x) => x !== ':@');
  assert.ok(k, 'an element without a name');
  return k;
}

function convert(name: string, children: Node[]): unknown {
  const elements = children.filter((c) => tagOf(c) !== '#text');
  const text = children
    .filter((c) => tagOf(c) === '#text')
    .map((c) => String(c['#text']))
    .join('');
  if (name in LISTS) {
    const item = LISTS[name];
    return elements.map((c) => {
      assert.equal(tagOf(c), item, `<${name}> holds <${tagOf(c)}>, expected <${item ?? ''}>`);
      return convert(item ?? '', c[tagOf(c)] as Node[]);
    });
  }
  if (elements.length === 0) return text === '' ? null : text;
  const obj: Record<string, unknown> = {};
  for (const c of elements) {
    const k = tagOf(c);
    assert.ok(!(k in obj), `<${name}> repeats <${k}> outside a list container`);
    obj[k] = convert(k, c[k] as Node[]);
  }
  return obj;
}

/** Parses an Open311 XML document into the JSON shape; checks the declaration says UTF-8. */
export function xmlToJson(xml: string): { root: string; value: unknown } {
  assert.match(xml, /^<\?xml version="1\.0" encoding="UTF-8"\?>/i, 'XML declaration with UTF-8');
  const doc = parser.parse(xml) as Node[];
  const roots = doc.filter((n) => tagOf(n) !== '?xml' && tagOf(n) !== '#text');
  assert.equal(roots.length, 1, 'one root element');
  const root = roots[0] as Node;
  const name = tagOf(root);
  return { root: name, value: convert(name, root[name] as Node[]) };
}

/** W3C date-time with a time zone (Z or ±hh:mm). */
export const W3_WITH_ZONE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;

export function assertTimesHaveZone(requests: unknown): void {
  for (const r of requests as Record<string, unknown>[]) {
    for (const k of ['requested_datetime', 'updated_datetime', 'expected_datetime']) {
      const v = r[k];
      if (v !== null && v !== undefined) assert.match(String(v), W3_WITH_ZONE, `${k}=${String(v)}`);
    }
  }
}

/** application/x-www-form-urlencoded from pairs (repeated keys allowed). */
export function form(pairs: [string, string][]): string {
  return pairs.map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`).join('&');
}

export function postForm(
  app: FastifyInstance,
  url: string,
  pairs: [string, string][],
  headers: Record<string, string> = {},
): Promise<LightMyRequestResponse> {
  return app.inject({
    method: 'POST',
    url,
    payload: form(pairs),
    headers: { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8', ...headers },
  });
}

/** Parses a response in the format its URL names, checking the content type. */
export function body(res: LightMyRequestResponse, fmt: 'json' | 'xml'): unknown {
  if (fmt === 'json') {
    assert.match(String(res.headers['content-type']), /^application\/json; charset=utf-8/i);
    return res.json();
  }
  assert.match(String(res.headers['content-type']), /^text\/xml; charset=utf-8/i);
  return xmlToJson(res.body).value;
}
