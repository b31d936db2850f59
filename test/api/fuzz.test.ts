/**
 * Every route of the OpenAPI document, any input: malformed, mistyped, huge, hostile.
 *
 * For each documented operation, fast-check builds requests from its own schema and then
 * breaks them: path ids that exist, that belong to another community, or are junk and bad
 * percent-encoding; query values of every wrong type; bodies that are any JSON value, the
 * operation's own fields with wrong values, truncated JSON, deep nesting, megabyte strings;
 * wrong content types; every role, a resident, and nobody. The properties:
 *
 * - no answer is a 5xx;
 * - every refusal is the error envelope with a code from the closed set (Open311 routes: the
 *   GeoReport error list);
 * - a refusal writes nothing: the audit chain (which every change appends to in its own
 *   transaction), orders, events and the outbox keep their size;
 * - after it all, every community's audit chain still verifies.
 *
 * `LINLI_FUZZ_RUNS` (requests per operation) and `LINLI_FUZZ_SEED` widen a hunt;
 * `LINLI_FUZZ_DEBUG=<path part>` prints every refusal of the matching routes.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { sql } from 'kysely';
import { verifyChain } from '../../src/modules/audit/audit.repository.ts';
import { allCategoryCodes } from '../../src/modules/taxonomy/taxonomy.default.ts';
import { ACTIONS } from '../../src/modules/work-orders/work-order.machine.ts';
import { ERROR_STATUS } from '../../src/platform/errors.ts';
import { createTestContext } from '../helpers.ts';
import type { TestContext } from '../helpers.ts';

interface Operation {
  method: string;
  path: string;
  query: { name: string; schema: Schema; required: boolean }[];
  pathParams: Record<string, Schema>;
  body: Schema | null;
  form: boolean;
}

/** Streams that never end are tested on their own (live.test.ts); they cannot be injected and awaited. */
const STREAMING = new Set(['GET /api/v1/events']);
/**
 * Refusals here may write on purpose: a failed login counts towards the lockout, a code request is
 * rate-limited per phone, and a residents import refused for its rows is audited (its answer says
 * which phones and ID numbers are registered).
 */
const MAY_WRITE_ON_REFUSAL = /^\/api\/v1\/auth\/|^\/api\/v1\/residents\/import$/;
/** Percent-encodes any string, lone surrogates included (as U+FFFD, which is what a client would send). */
const enc = (s: string) =>
  encodeURIComponent(
    s.replace(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, '\uFFFD'),
  );
/** `/api/v1/work-orders/{id}/notes`, `id` → `work-orders`: what kind of thing the parameter names. */
const segmentBefore = (path: string, name: string) => {
  const parts = path.split('/');
  return parts[parts.indexOf(`{${name}}`) - 1] ?? '';
};

/** The content type each kind of generated body is sent with, unless a mismatched one is drawn. */
const CONTENT_TYPE = {
  json: 'application/json',
  form: 'application/x-www-form-urlencoded',
  csv: 'text/csv',
  text: 'text/plain',
} as const;

const RUNS = Number(process.env.LINLI_FUZZ_RUNS ?? 40);

function operationsOf(doc: { paths: Record<string, Record<string, Record<string, unknown>>> }): Operation[] {
  const ops: Operation[] = [];
  for (const [path, methods] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(methods)) {
      const params = (op.parameters ?? []) as {
        in: string;
        name: string;
        schema?: Schema;
        required?: boolean;
      }[];
      const content = (op.requestBody as { content?: Record<string, { schema?: unknown }> } | undefined)
        ?.content;
      const json = content?.['application/json']?.schema as Schema | undefined;
      ops.push({
        method: method.toUpperCase(),
        path,
        query: params
          .filter((p) => p.in === 'query')
          .map((p) => ({ name: p.name, schema: p.schema ?? {}, required: p.required === true })),
        pathParams: Object.fromEntries(
          params.filter((p) => p.in === 'path').map((p) => [p.name, p.schema ?? {}]),
        ),
        body: json && typeof json === 'object' ? json : null,
        form: Boolean(content?.['application/x-www-form-urlencoded']),
      });
    }
  }
  return ops;
}

// Values that break parsers, validators, SQL and date handling.
const NASTY_STRINGS = [
  '',
  ' ',
  'null',
  'undefined',
  'true',
  '-1',
  '0',
  '1e309',
  'NaN',
  '-0',
  '9'.repeat(40),
  '2026-13-45T99:99:99Z',
  "' OR 1=1 --",
  '"; drop table work_orders; --',
  '%',
  '%E0%A4%A',
  '../../etc/passwd',
  '\u0000',
  '\uFFFF\uD800',
  '🙂'.repeat(3),
  '<script>alert(1)</script>',
  '__proto__',
  'constructor',
  'a'.repeat(5000),
];
const nastyString = fc.oneof(
  fc.constantFrom(...NASTY_STRINGS),
  fc.string({ maxLength: 40 }),
  fc.string({ unit: 'binary', maxLength: 40 }),
);
const nastyValue: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 3, arbitrary: fc.jsonValue({ maxDepth: 3 }) },
  { weight: 2, arbitrary: nastyString },
  { weight: 1, arbitrary: fc.constantFrom(-1, 0, 1.5, 1e308, -1e308, Number.MAX_SAFE_INTEGER + 2) },
  {
    weight: 1,
    arbitrary: fc.constantFrom({ __proto__: { admin: true } }, { constructor: { prototype: 1 } }),
  },
);

const OMIT = Symbol('omit');

/** Values that exist in the seeded database, by the kind of field that would name them. */
interface Known {
  forField(key: string): string[];
}

interface Schema {
  type?: string | string[];
  enum?: unknown[];
  const?: unknown;
  anyOf?: Schema[];
  oneOf?: Schema[];
  properties?: Record<string, Schema>;
  required?: string[];
  items?: Schema;
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
  minItems?: number;
  maxItems?: number;
  format?: string;
}

/**
 * Values the schema accepts (short strings and arrays, to stay fast), with known ids for fields
 * that name one: these requests pass validation and reach the handlers and the database.
 */
function validOf(schema: Schema, known: Known, key = '', depth = 0): fc.Arbitrary<unknown> {
  if (schema.const !== undefined) return fc.constant(schema.const);
  if (schema.enum) return fc.constantFrom(...schema.enum);
  const alts = schema.anyOf ?? schema.oneOf;
  if (alts) return fc.oneof(...alts.map((a) => validOf(a, known, key, depth)));
  const type = Array.isArray(schema.type) ? schema.type[0] : schema.type;
  switch (type) {
    case 'null':
      return fc.constant(null);
    case 'boolean':
      return fc.boolean();
    case 'integer':
      return fc.integer({ min: schema.minimum ?? -1000, max: schema.maximum ?? 1000 });
    case 'number':
      return fc.double({ min: schema.minimum ?? -1000, max: schema.maximum ?? 1000, noNaN: true });
    case 'string': {
      if (schema.format === 'date-time') return fc.date({ noInvalidDate: true }).map((d) => d.toISOString());
      const min = schema.minLength ?? 0;
      const text = fc.string({
        minLength: min,
        maxLength: Math.max(min, Math.min(schema.maxLength ?? 24, 24)),
      });
      // Most of the time a value that exists, of the kind the field names: lookups then find something.
      const pool = known
        .forField(key)
        .filter((v) => v.length >= min && v.length <= (schema.maxLength ?? Infinity));
      return pool.length
        ? fc.oneof({ weight: 3, arbitrary: fc.constantFrom(...pool) }, { weight: 1, arbitrary: text })
        : text;
    }
    case 'array':
      if (!schema.items || depth > 3) return fc.constant([]);
      return fc.array(validOf(schema.items, known, key, depth + 1), {
        minLength: schema.minItems ?? 0,
        maxLength: Math.max(schema.minItems ?? 0, Math.min(schema.maxItems ?? 3, 3)),
      });
    case 'object': {
      if (!schema.properties || depth > 3) return fc.constant({});
      // Required fields always; each optional one a third of the time, so that a request with
      // several optional fields still often gets all of them right and reaches the handler.
      const required = new Set(schema.required ?? []);
      const props = Object.fromEntries(
        Object.entries(schema.properties).map(([k, v]) => [
          k,
          required.has(k)
            ? validOf(v, known, k, depth + 1)
            : fc.oneof(
                { weight: 2, arbitrary: fc.constant(OMIT) },
                { weight: 1, arbitrary: validOf(v, known, k, depth + 1) },
              ),
        ]),
      );
      return fc.record(props).map((o) => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== OMIT)));
    }
    default:
      return fc.jsonValue({ maxDepth: 2 });
  }
}

describe('fuzz: every route, any input', () => {
  let ctx: TestContext;
  let ops: Operation[];
  let tokens: (string | undefined)[];
  let ids: string[];
  let known: Known;

  /** The sizes a refusal must leave alone, read in one round trip (it runs around every request). */
  const counts = async () => {
    const { rows } = await sql<Record<string, number | string>>`select
        (select count(*) from audit_entries) as audit,
        (select count(*) from work_orders) as orders,
        (select count(*) from work_order_events) as events,
        (select count(*) from outbox) as outbox`.execute(ctx.database.db);
    return Object.values(rows[0] ?? {}).map(Number);
  };

  before(async () => {
    ctx = await createTestContext({ orders: 4 });
    ops = operationsOf(ctx.app.swagger() as never).filter((o) => !STREAMING.has(`${o.method} ${o.path}`));
    const staff = ['admin', 'agent', 'dispatcher', 'grid_worker', 'provider', 'manager', 'auditor', 'agent2'];
    tokens = [undefined, 'not-a-token', ...(await Promise.all(staff.map((u) => ctx.login(u))))];
    tokens.push(await ctx.residentLogin('13800000001'));
    // Tables of several modules: read by name, as the test only needs their ids.
    const take = async (table: string) =>
      (
        await sql<{ id: string }>`select id from ${sql.table(table)} limit 3`.execute(ctx.database.db)
      ).rows.map((r) => r.id);
    const pools: [RegExp, string[]][] = [
      [/communit/i, await take('communities')],
      [/resident|beneficiar/i, await take('residents')],
      [/assignee|user|staff|provider|responder/i, await take('users')],
      [/order|merged|duplicate/i, await take('work_orders')],
      [/grid/i, await take('grids')],
      [/resource/i, await take('resources')],
      [/polic/i, await take('sla_policies')],
      [/categor/i, allCategoryCodes()],
      [/phone/i, ['13800000001', '13800000002']],
    ];
    ids = [...new Set(pools.flatMap(([, v]) => v))];
    known = { forField: (key) => pools.find(([re]) => re.test(key))?.[1] ?? ids };
  });
  after(() => ctx.close());

  it(`answers every documented operation without a 5xx, with the error envelope, and refuses without writing`, async (t) => {
    assert.ok(ops.length > 80, `the OpenAPI document lists ${ops.length} operations`);
    const codes = new Set(Object.keys(ERROR_STATUS));
    let requests = 0;
    let refused = 0;
    let succeeded = 0;
    const unanswered: string[] = [];
    for (const op of ops) {
      const answeredBefore = succeeded;
      // Path parameters: ids that exist (in this community or another), what the schema allows, or junk.
      const pathParam = (name: string) =>
        fc.oneof(
          {
            weight: 4,
            arbitrary: fc.constantFrom(...known.forField(`${segmentBefore(op.path, name)}/${name}`)),
          },
          { weight: 1, arbitrary: fc.constantFrom(...ids) },
          {
            weight: 2,
            arbitrary: validOf(op.pathParams[name] ?? {}, known, name).map((v) => enc(String(v))),
          },
          {
            weight: 2,
            arbitrary: fc.constantFrom(
              ...ACTIONS,
              'explode',
              ...ids.map((id) => `${id}.json`),
              'basic_living.water_electric.json',
              'x.xml',
              'cn',
              '2026',
            ),
          },
          { weight: 1, arbitrary: nastyString.map(enc) },
          { weight: 1, arbitrary: fc.constantFrom('%', '%E0%A4%A', '%00', '..', '%2F') },
          { weight: 1, arbitrary: fc.uuid() },
        );
      const names = [...op.path.matchAll(/\{([^}]+)\}/g)].map((m) => m[1] as string);
      const nastyQuery = fc.array(
        fc.tuple(
          op.query.length
            ? fc.oneof(fc.constantFrom(...op.query.map((q) => q.name)), fc.string({ maxLength: 8 }))
            : fc.string(),
          nastyString,
        ),
        { maxLength: 5 },
      );
      // A query the schema accepts: each parameter present (required ones always) with a valid value.
      const validQuery = fc
        .tuple(
          ...op.query.map((q) =>
            fc.tuple(
              fc.constant(q.name),
              q.required
                ? validOf(q.schema, known, q.name)
                : fc.oneof(
                    { weight: 3, arbitrary: fc.constant(undefined) },
                    { weight: 1, arbitrary: validOf(q.schema, known, q.name) },
                  ),
            ),
          ),
        )
        .map((pairs) =>
          pairs.filter(([, v]) => v !== undefined).map(([k, v]) => [k, String(v)] as [string, string]),
        );
      const query = fc.oneof({ weight: 3, arbitrary: validQuery }, { weight: 1, arbitrary: nastyQuery });
      const schemaShaped = fc
        .tuple(
          fc.subarray(Object.keys(op.body?.properties ?? {})),
          fc.array(nastyValue, { minLength: 12, maxLength: 12 }),
        )
        .map(([keys, values]) => Object.fromEntries(keys.map((k, i) => [k, values[i % values.length]])));
      // A body the schema accepts, then (half the time) one field broken or one required field gone.
      const nearlyValid = fc
        .tuple(
          validOf(op.body ?? {}, known),
          fc.nat(),
          nastyValue,
          fc.constantFrom('break', 'drop', 'keep', 'keep'),
        )
        .map(([b, n, bad, how]) => {
          if (!b || typeof b !== 'object' || Array.isArray(b) || how === 'keep') return b;
          const keys = Object.keys(b);
          if (keys.length === 0) return b;
          const k = keys[n % keys.length] as string;
          const copy: Record<string, unknown> = { ...(b as Record<string, unknown>) };
          if (how === 'drop') delete copy[k];
          else copy[k] = bad;
          return copy;
        });
      const body = fc.oneof(
        {
          weight: op.body ? 6 : 0,
          arbitrary: nearlyValid.map((b) => ({ kind: 'json' as const, payload: JSON.stringify(b) })),
        },
        {
          weight: 4,
          arbitrary: schemaShaped.map((b) => ({ kind: 'json' as const, payload: JSON.stringify(b) })),
        },
        {
          weight: 2,
          arbitrary: fc.jsonValue().map((v) => ({ kind: 'json' as const, payload: JSON.stringify(v) })),
        },
        {
          weight: 1,
          arbitrary: fc
            .constantFrom(
              '{',
              '{"a":',
              '[]',
              'null',
              '"x"',
              '{"__proto__":{"isAdmin":true}}',
              '['.repeat(5000) + ']'.repeat(5000),
              JSON.stringify({ description: '水'.repeat(700_000), channel: 'hotline' }),
            )
            .map((payload) => ({ kind: 'json' as const, payload })),
        },
        { weight: 1, arbitrary: nastyString.map((payload) => ({ kind: 'text' as const, payload })) },
        {
          // Import routes take a CSV file as the body: a header row of real column names, rows of anything.
          weight: op.path.endsWith('/import') ? 4 : 1,
          arbitrary: fc
            .tuple(
              fc.subarray([
                'name',
                'phone',
                'household',
                'address',
                'tags',
                'kind',
                'category',
                'lat',
                'lng',
                'capacity',
                'code',
              ]),
              fc.array(fc.array(nastyString, { maxLength: 6 }), { maxLength: 5 }),
            )
            .map(([header, rows]) => ({
              kind: 'csv' as const,
              payload: [
                header.join(','),
                ...rows.map((r) => r.map((c) => c.replace(/\n/g, ' ')).join(',')),
              ].join('\n'),
            })),
        },
        {
          weight: op.form ? 3 : 1,
          arbitrary: nastyQuery.map((pairs) => ({
            kind: 'form' as const,
            payload: [['api_key', ctx.seed.open311Key], ...pairs]
              .map(([k, v]) => `${enc(k ?? '')}=${enc(v ?? '')}`)
              .join('&'),
          })),
        },
      );
      const request = fc.record({
        // Mostly the roles that may do most things, so requests get past authorization too.
        token: fc.oneof(
          { weight: 3, arbitrary: fc.constantFrom(...tokens.slice(2, 5)) },
          { weight: 2, arbitrary: fc.constantFrom(...tokens) },
        ),
        params: fc.tuple(...names.map(pathParam)),
        query,
        body,
        // Sometimes a content type that does not match the body, or that no parser takes.
        contentType: fc.oneof(
          { weight: 7, arbitrary: fc.constant(null) },
          {
            weight: 1,
            arbitrary: fc.constantFrom(
              'application/json; charset=utf-16',
              'application/json, text/plain',
              'multipart/form-data',
              'multipart/form-data; boundary=x',
              'application/xml',
              'application/octet-stream',
              'text/csv; charset=gbk',
            ),
          },
        ),
        idempotencyKey: fc.option(nastyString.map((s) => s.replace(/[^\x20-\x7e]/g, '') || 'k')),
      });

      const run = await fc.check(
        fc.asyncProperty(request, async (r) => {
          let i = 0;
          const path = op.path.replace(/\{[^}]+\}/g, () => r.params[i++] ?? 'x');
          const qs = r.query.map(([k, v]) => `${enc(k)}=${enc(v)}`).join('&');
          const url = qs ? `${path}?${qs}` : path;
          const withBody = op.method !== 'GET' && op.method !== 'DELETE';
          const headers: Record<string, string> = {};
          if (r.token && !(op.path === '/api/v1/auth/logout')) headers.authorization = `Bearer ${r.token}`;
          if (r.idempotencyKey !== null) headers['idempotency-key'] = r.idempotencyKey;
          if (withBody) headers['content-type'] = r.contentType ?? CONTENT_TYPE[r.body.kind];
          const before = await counts();
          const res = await ctx.app.inject({
            method: op.method as 'GET',
            url,
            headers,
            ...(withBody ? { payload: r.body.payload } : {}),
          });
          requests++;
          const where = `${op.method} ${url.slice(0, 200)} → ${res.statusCode} ${res.body.slice(0, 300)}`;
          assert.ok(res.statusCode < 500, where);
          if (res.statusCode < 400) {
            succeeded++;
            return;
          }
          refused++;
          if (process.env.LINLI_FUZZ_DEBUG && op.path.includes(process.env.LINLI_FUZZ_DEBUG))
            t.diagnostic(where);
          if (path.startsWith('/open311/')) {
            if (String(res.headers['content-type']).includes('json')) {
              const list = res.json() as { code: number; description: string }[];
              assert.ok(Array.isArray(list) && list.length > 0, where);
              for (const e of list) assert.ok(typeof e.code === 'number' && e.description.length > 0, where);
            } else assert.match(res.body, /^<\?xml/, where);
          } else {
            const err = (res.json() as { error?: { code?: string; message?: string; details?: unknown } })
              .error;
            assert.ok(err && codes.has(err.code ?? ''), where);
            assert.ok(typeof err.message === 'string' && err.message.length > 0, where);
            const { details } = err;
            assert.ok(typeof details === 'object' && details !== null && !Array.isArray(details), where);
          }
          if (!MAY_WRITE_ON_REFUSAL.test(op.path))
            assert.deepEqual(await counts(), before, `wrote on refusal: ${where}`);
        }),
        { numRuns: RUNS, seed: Number(process.env.LINLI_FUZZ_SEED ?? 20261121), endOnFailure: true },
      );
      if (succeeded === answeredBefore) unanswered.push(`${op.method} ${op.path}`);
      // The failing request itself is in the message; the generated value can be megabytes long.
      if (run.failed) {
        const cause =
          run.errorInstance instanceof Error ? run.errorInstance.message : String(run.errorInstance);
        assert.fail(`${op.method} ${op.path}: ${cause} (seed ${run.seed}, path ${run.counterexamplePath})`);
      }
    }
    t.diagnostic(`${ops.length} operations, ${requests} requests: ${succeeded} answered, ${refused} refused`);
    t.diagnostic(`never answered with a success: ${unanswered.join(', ') || 'none'}`);
    // Enough of both outcomes to mean something: the generators reach handlers, not only the validator.
    assert.ok(requests >= ops.length * RUNS, `${requests} requests`);
    assert.ok(refused > requests / 2, `${refused} of ${requests} refused`);
    assert.ok(succeeded > 0, `${succeeded} of ${requests} succeeded`);
    for (const c of ctx.seed.communities) {
      const v = await verifyChain(ctx.database.db, c.id);
      assert.equal(v.ok, true, `audit chain of ${c.code}: ${JSON.stringify(v)}`);
    }
  });
});
