/**
 * Open311 GeoReport v2 in-process: every endpoint in JSON and XML, every error case and filter,
 * privacy, jurisdictions, extensions and rate limits. Every answer is checked against the
 * standard's JSON Schemas (XML after conversion to the JSON shape).
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import Fastify from 'fastify';
import type { LightMyRequestResponse } from 'fastify';
import rateLimit from '@fastify/rate-limit';
import { createTestContext } from '../helpers.ts';
import type { TestContext } from '../helpers.ts';
import { registerOpen311Routes } from '../../src/modules/open311/open311.routes.ts';
import { upsertServiceSettings } from '../../src/modules/open311/open311.repository.ts';
import type { Principal } from '../../src/platform/auth/principal.ts';
import { assertShape, assertTimesHaveZone, body, postForm } from './open311.helpers.ts';
import type { Shape } from './open311.helpers.ts';

const V2 = '/open311/v2';
const KEY = 'demo-open311-key';
type Req = Record<string, unknown> & { service_request_id: string; status: string; service_code: string };

describe('Open311 GeoReport v2', () => {
  let ctx: TestContext;
  let privateKey: string;
  let otherKey: string;
  let noScopeKey: string;
  const ip = (n: number) => ({ 'x-forwarded-for': `10.0.${Math.floor(n / 250)}.${n % 250}` });
  let seq = 0;
  const get = (url: string, headers: Record<string, string> = {}) =>
    ctx.app.inject({ method: 'GET', url, headers: { ...ip(seq++), ...headers } });
  const post = (url: string, pairs: [string, string][], headers: Record<string, string> = {}) =>
    postForm(ctx.app, url, pairs, { ...ip(seq++), ...headers });

  /** GET in both formats; the two must carry the same content and fit the schema. */
  async function both(path: string, shape: Shape, status = 200): Promise<unknown> {
    const sep = path.includes('?') ? '?' : '';
    const [p, q] = sep ? path.split('?') : [path, ''];
    const j = await get(`${V2}${p}.json${q ? `?${q}` : ''}`);
    const x = await get(`${V2}${p}.xml${q ? `?${q}` : ''}`);
    assert.equal(j.statusCode, status, j.body);
    assert.equal(x.statusCode, status, x.body);
    const jv = body(j, 'json');
    const xv = body(x, 'xml');
    assertShape(shape, jv);
    assertShape(shape, xv, true);
    return jv;
  }

  before(async () => {
    // Two communities: a request that names no jurisdiction is answered for the one configured.
    ctx = await createTestContext({ orders: 40, config: { trustProxy: 1, defaultJurisdiction: 'taoyuan' } });
    const [taoyuan, longzhu] = ctx.seed.communities;
    privateKey = (
      await ctx.services.auth.createApiKey(taoyuan?.id ?? '', 'partner clinic', [
        'open311',
        'private_categories',
      ])
    ).key;
    otherKey = (await ctx.services.auth.createApiKey(longzhu?.id ?? '', 'longzhu app', ['open311'])).key;
    noScopeKey = (await ctx.services.auth.createApiKey(taoyuan?.id ?? '', 'kiosk', ['kiosk'])).key;
  });
  after(() => ctx.close());

  describe('discovery and services', () => {
    it('publishes discovery in XML and JSON with both formats', async () => {
      const d = (await both('/discovery', 'discovery')) as {
        endpoints: { url: string; formats: string[] }[];
      };
      assert.deepEqual(d.endpoints[0]?.formats, ['text/xml', 'application/json']);
      assert.match(d.endpoints[0]?.url ?? '', /\/open311\/v2$/);
    });

    it('lists one service per category and sub-category, zh-CN by default and English with locale=en', async () => {
      const zh = (await both('/services', 'services')) as Record<string, unknown>[];
      const lift = zh.find((s) => s.service_code === 'basic_living.elevator');
      assert.deepEqual(lift, {
        service_code: 'basic_living.elevator',
        service_name: '电梯故障',
        description: '基本生活：电梯故障',
        metadata: true,
        type: 'realtime',
        keywords: '电梯,故障,异响',
        group: '基本生活',
      });
      assert.ok(zh.some((s) => s.service_code === 'basic_living' && s.group === '基本生活'));
      assert.equal(zh.find((s) => s.service_code === 'basic_living.appliance')?.metadata, false);
      const en = (await both('/services?locale=en', 'services')) as Record<string, unknown>[];
      const enLift = en.find((s) => s.service_code === 'basic_living.elevator');
      assert.equal(enLift?.service_name, 'Broken lift');
      assert.equal(enLift?.group, 'Basic living');
      assert.ok(zh.filter((s) => s.metadata === true).length >= 8, 'several categories ask extra questions');
    });

    it('describes a service definition with typed, ordered attributes and values', async () => {
      const d = (await both('/services/basic_living.elevator?locale=en', 'service-definition')) as {
        service_code: string;
        attributes: {
          code: string;
          datatype: string;
          required: boolean;
          order: number;
          values?: unknown[];
        }[];
      };
      assert.equal(d.service_code, 'basic_living.elevator');
      assert.deepEqual(
        d.attributes.map((a) => [a.code, a.datatype, a.required, a.order]),
        [
          ['building', 'string', true, 1],
          ['people_trapped', 'singlevaluelist', true, 2],
          ['floor', 'number', false, 3],
        ],
      );
      assert.deepEqual(d.attributes[1]?.values, [
        { key: 'yes', name: 'Yes' },
        { key: 'no', name: 'No' },
      ]);
      const multi = (await both('/services/basic_living.sanitation', 'service-definition')) as {
        attributes: { datatype: string }[];
      };
      assert.ok(multi.attributes.some((a) => a.datatype === 'multivaluelist'));
      const info = (await both('/services/safety_emergency.hazard', 'service-definition')) as {
        attributes: { variable: boolean; required: boolean }[];
      };
      assert.deepEqual(info.attributes[0], { ...info.attributes[0], variable: false, required: false });
      const none = (await both('/services/basic_living.appliance', 'service-definition')) as {
        attributes: unknown[];
      };
      assert.deepEqual(none.attributes, []);
    });

    it('answers 404 for an unknown service and 400 without a format, as error lists', async () => {
      const e = (await both('/services/no_such', 'errors', 404)) as { code: number; description: string }[];
      assert.equal(e[0]?.code, 404);
      assert.match(e[0]?.description ?? '', /service_code/);
      const nofmt = await get(`${V2}/services/basic_living.elevator`);
      assert.equal(nofmt.statusCode, 400);
      assertShape('errors', body(nofmt, 'xml'), true);
      const unknownRoute = await get(`${V2}/nothing.json`);
      assert.equal(unknownRoute.statusCode, 404);
      assertShape('errors', body(unknownRoute, 'json'));
    });
  });

  describe('POST requests', () => {
    const base: [string, string][] = [
      ['api_key', KEY],
      ['service_code', 'basic_living.elevator'],
      ['lat', '22.5615'],
      ['long', '113.9413'],
      ['attribute[building]', '3栋'],
      ['attribute[people_trapped]', 'no'],
      ['attribute[floor]', '7'],
    ];

    it('creates a work order on the open311 channel through the intake pipeline, in JSON and XML', async () => {
      const res = await post(`${V2}/requests.json`, [
        ...base,
        ['description', '3栋电梯停在7楼不动了，联系人张伟 13912345678'],
        ['first_name', '伟'],
        ['last_name', '张'],
        ['phone', '13912345678'],
        ['email', 'zhang@example.com'],
        ['media_url', 'https://example.com/lift.jpg'],
      ]);
      assert.equal(res.statusCode, 200, res.body);
      const created = body(res, 'json') as { service_request_id: string; service_notice: string | null }[];
      assertShape('post', created);
      const id = created[0]?.service_request_id ?? '';
      assert.match(id, /^TAOYUAN-\d{8}-\d{6}$/);
      const row = await ctx.database.db
        .selectFrom('work_orders')
        .selectAll()
        .where('number', '=', id)
        .executeTakeFirstOrThrow();
      assert.equal(row.channel, 'open311');
      assert.equal(row.subcategory, 'basic_living.elevator');
      assert.equal(row.reporter_type, 'api_key');
      assert.equal(row.reporter_name, '张伟');
      assert.equal(row.reporter_phone, '13912345678');
      assert.notEqual(row.grid_id, null, 'placed in a grid from lat/long');
      // The client's e-mail is contact data: shown to who may call the resident, masked like a phone to others.
      const meta = async (username: string) => {
        const got = await ctx.call('GET', `/api/v1/work-orders/${row.id}`, await ctx.login(username));
        assert.equal(got.statusCode, 200, got.body);
        return (got.json() as { attributes: { _open311: Record<string, string> } }).attributes._open311;
      };
      assert.equal((await meta('dispatcher')).email, 'zhang@example.com');
      const masked = await meta('manager');
      assert.equal(masked.email, 'z***@example.com');
      assert.equal(masked.media_url, 'https://example.com/lift.jpg');
      const attrs = JSON.parse(row.attributes_json ?? '{}') as Record<string, unknown>;
      assert.deepEqual(
        { building: attrs.building, people_trapped: attrs.people_trapped, floor: attrs.floor },
        { building: '3栋', people_trapped: 'no', floor: 7 },
      );
      const audit = await ctx.database.db
        .selectFrom('audit_entries')
        .select('action')
        .where('entity_id', '=', row.id)
        .execute();
      // One creation entry; the dispatch rules may add an automatic dispatch after it, depending
      // on the urgency the classifier gives a stopped lift.
      assert.deepEqual(
        audit.map((a) => a.action).filter((a) => a === 'work_order.created'),
        ['work_order.created'],
      );

      const xml = await post(`${V2}/requests.xml`, [
        ['api_key', KEY],
        ['jurisdiction_id', 'taoyuan'],
        ['service_code', 'basic_living.noise'],
        ['address_string', '深圳市南山区桃源街道桃源村2栋301室'],
        ['attribute[source]', 'renovation'],
        ['attribute[periods][]', 'night'],
        ['attribute[periods][]', 'evening'],
      ]);
      assert.equal(xml.statusCode, 200, xml.body);
      const x = body(xml, 'xml') as { service_request_id: string }[];
      assertShape('post', x, true);
      const noise = await ctx.database.db
        .selectFrom('work_orders')
        .select(['attributes_json', 'description'])
        .where('number', '=', x[0]?.service_request_id ?? '')
        .executeTakeFirstOrThrow();
      assert.deepEqual((JSON.parse(noise.attributes_json ?? '{}') as { periods: string[] }).periods, [
        'night',
        'evening',
      ]);
      assert.match(noise.description, /装修/, 'without a description the answers describe the need');
    });

    it('returns the first order again for a retried Idempotency-Key', async () => {
      const h = { 'idempotency-key': 'o311-retry-1' };
      const a = body(await post(`${V2}/requests.json`, base, h), 'json') as { service_request_id: string }[];
      const b = body(await post(`${V2}/requests.json`, base, h), 'json') as { service_request_id: string }[];
      assert.equal(a[0]?.service_request_id, b[0]?.service_request_id);
    });

    it('answers 403 with the spec error body for a missing, wrong or unfit api_key', async () => {
      const cases: [string, [string, string][]][] = [
        ['missing', base.filter(([k]) => k !== 'api_key')],
        ['wrong', [['api_key', 'nope'], ...base.slice(1)]],
        ['no open311 scope', [['api_key', noScopeKey], ...base.slice(1)]],
        ['another community', [['api_key', otherKey], ['jurisdiction_id', 'taoyuan'], ...base.slice(1)]],
      ];
      for (const [why, pairs] of cases) {
        for (const fmt of ['json', 'xml'] as const) {
          const res = await post(`${V2}/requests.${fmt}`, pairs);
          assert.equal(res.statusCode, 403, `${why}: ${res.body}`);
          const e = body(res, fmt) as { code: number; description: string }[];
          assertShape('errors', e, fmt === 'xml');
          assert.equal(Number(e[0]?.code), 403);
          assert.match(e[0]?.description ?? '', /api_key/);
        }
      }
    });

    it('reads parameters sent in the URL of a POST as if in the form, and refuses the two disagreeing', async () => {
      // The jurisdiction in the URL is heard: taoyuan's key may not file in longzhu.
      const elsewhere = await post(`${V2}/requests.json?jurisdiction_id=longzhu`, base);
      assert.equal(elsewhere.statusCode, 403, elsewhere.body);
      const disagree = await post(`${V2}/requests.json?jurisdiction_id=longzhu`, [
        ...base,
        ['jurisdiction_id', 'taoyuan'],
      ]);
      assert.equal(disagree.statusCode, 400, disagree.body);
      assert.match(disagree.body, /jurisdiction_id: sent in the URL and in the form/);
      // A key in the URL works like one in the form.
      const keyInUrl = await post(
        `${V2}/requests.json?api_key=${KEY}&jurisdiction_id=taoyuan`,
        base.filter(([k]) => k !== 'api_key'),
      );
      assert.equal(keyInUrl.statusCode, 200, keyInUrl.body);
    });

    it('answers 400 naming every problem, and 404 for an unknown service or jurisdiction', async () => {
      const expect400 = async (pairs: [string, string][], ...patterns: RegExp[]) => {
        const res = await post(`${V2}/requests.json`, pairs);
        assert.equal(res.statusCode, 400, res.body);
        const e = body(res, 'json') as { code: number; description: string }[];
        assertShape('errors', e);
        for (const p of patterns)
          assert.ok(
            e.some((x) => p.test(x.description)),
            `${p} in ${res.body}`,
          );
        return e;
      };
      const without = (k: string) => base.filter(([x]) => x !== k);
      await expect400([['api_key', KEY]], /service_code: required/);
      await expect400(
        without('lat').filter(([k]) => k !== 'long'),
        /location/,
      );
      await expect400(without('long'), /lat\/long/);
      await expect400([...without('lat'), ['lat', '123']], /lat:/);
      // Only decimal numbers: Number() would read 0x16 and 0b10110 as 22.
      await expect400([...without('lat'), ['lat', '0x16']], /lat/);
      await expect400([...without('long'), ['long', '0b1110001']], /long/);
      await expect400(without('attribute[building]'), /attribute\[building\]: required/);
      const many = await expect400(
        [
          ...without('attribute[people_trapped]'),
          ['attribute[people_trapped]', 'maybe'],
          ['attribute[colour]', 'red'],
          ['description', 'x'.repeat(4001)],
        ],
        /attribute\[people_trapped\]: maybe is not one of/,
        /attribute\[colour\]/,
        /description: at most 4000/,
      );
      assert.ok(many.length >= 3, 'several problems at once');
      await expect400([...without('attribute[floor]'), ['attribute[floor]', 'seven']], /expected a number/);
      await expect400([...base, ['description', '<script>alert(1)</script>']], /no HTML/);
      await expect400([...base, ['email', 'not-an-email']], /email/);
      await expect400(
        [
          ['api_key', KEY],
          ['service_code', 'basic_living.noise'],
          ['address_string', '桃源村'],
          ['attribute[source]', 'shop'],
          ['attribute[source]', 'traffic'],
        ],
        /takes one value/,
      );
      const unknown = await post(`${V2}/requests.xml`, [
        ['api_key', KEY],
        ['service_code', 'nope'],
        ...base.slice(2),
      ]);
      assert.equal(unknown.statusCode, 404);
      assertShape('errors', body(unknown, 'xml'), true);
      const nowhere = await post(`${V2}/requests.json`, [...base, ['jurisdiction_id', 'atlantis']]);
      assert.equal(nowhere.statusCode, 404);
    });

    it('answers a token for a batch service, resolved by GET tokens/{token}', async () => {
      await upsertServiceSettings(ctx.database.db, 'basic_living.property', { service_type: 'batch' });
      const pairs: [string, string][] = [
        ['api_key', KEY],
        ['service_code', 'basic_living.property'],
        ['address_string', '桃源村5栋'],
        ['description', '门禁坏了'],
      ];
      // The service list is cached briefly; a fresh service object is what a restart would see.
      const routesFresh = Fastify();
      await routesFresh.register(rateLimit, { global: false });
      await registerOpen311Routes(routesFresh, {
        deps: ctx.deps,
        auth: ctx.services.auth,
        workOrders: ctx.services.workOrders,
      });
      const res = await postForm(routesFresh, `${V2}/requests.json`, pairs);
      assert.equal(res.statusCode, 200, res.body);
      const [created] = body(res, 'json') as { token?: string; service_request_id?: string }[];
      assert.ok(created?.token, 'a token');
      assert.equal(created.service_request_id, undefined, 'no id beside a token');
      for (const fmt of ['json', 'xml'] as const) {
        const t: LightMyRequestResponse = await routesFresh.inject({
          method: 'GET',
          url: `${V2}/tokens/${created.token}.${fmt}`,
        });
        assert.equal(t.statusCode, 200, t.body);
        const tv = body(t, fmt) as { service_request_id: string; token: string }[];
        assertShape('tokens', tv, fmt === 'xml');
        assert.match(tv[0]?.service_request_id ?? '', /^TAOYUAN-/);
      }
      const missing = await routesFresh.inject({ method: 'GET', url: `${V2}/tokens/nope.xml` });
      assert.equal(missing.statusCode, 404);
      assertShape('errors', body(missing, 'xml'), true);
      await routesFresh.close();
      await upsertServiceSettings(ctx.database.db, 'basic_living.property', { service_type: 'realtime' });
    });
  });

  describe('GET requests', () => {
    it('lists the last 90 days by default, newest first, with times in the community zone', async () => {
      const list = (await both('/requests', 'requests')) as Req[];
      assert.ok(list.length > 0);
      assertTimesHaveZone(list);
      const times = list.map((r) => Date.parse(String(r.requested_datetime)));
      assert.deepEqual(
        times,
        [...times].sort((a, b) => b - a),
      );
      const cutoff = Date.parse('2026-11-20T02:00:00Z') - 90 * 86_400_000;
      assert.ok(times.every((t) => t >= cutoff - 1000));
      assert.ok(String(list[0]?.requested_datetime).endsWith('+08:00'));
    });

    it('filters by service_code (top category or sub-category, comma list), status and dates', async () => {
      const all = (await both(
        '/requests?start_date=2026-08-22T02:00:00Z&end_date=2026-11-20T02:00:00Z',
        'requests',
      )) as Req[];
      const lift = (await both('/requests?service_code=basic_living.elevator', 'requests')) as Req[];
      assert.ok(lift.length >= 1);
      assert.ok(lift.every((r) => r.service_code === 'basic_living.elevator'));
      const top = (await both('/requests?service_code=basic_living', 'requests')) as Req[];
      assert.ok(top.every((r) => String(r.service_code).startsWith('basic_living')));
      const two = (await both(
        '/requests?service_code=basic_living.elevator,basic_living.noise',
        'requests',
      )) as Req[];
      assert.ok(two.length >= lift.length);
      const open = (await both('/requests?status=open', 'requests')) as Req[];
      const closed = (await both('/requests?status=closed', 'requests')) as Req[];
      assert.ok(open.every((r) => r.status === 'open'));
      assert.ok(closed.every((r) => r.status === 'closed'));
      const both2 = (await both('/requests?status=open,closed', 'requests')) as Req[];
      assert.equal(both2.length, open.length + closed.length);
      const october = (await both(
        '/requests?start_date=2026-10-01T00:00:00%2B08:00&end_date=2026-11-01T00:00:00%2B08:00',
        'requests',
      )) as Req[];
      for (const r of october) {
        const t = Date.parse(String(r.requested_datetime));
        assert.ok(
          t >= Date.parse('2026-10-01T00:00:00+08:00') && t <= Date.parse('2026-11-01T00:00:00+08:00'),
        );
      }
      assert.ok(october.length < all.length);
      const onlyStart = (await both('/requests?start_date=2026-06-01T00:00:00Z', 'requests')) as Req[];
      for (const r of onlyStart)
        assert.ok(Date.parse(String(r.requested_datetime)) <= Date.parse('2026-08-30T00:00:01Z'));
      const empty = (await both('/requests?start_date=&status=', 'requests')) as Req[];
      assert.equal(empty.length, ((await both('/requests', 'requests')) as Req[]).length, 'empty = absent');
    });

    it('lets service_request_id override every other filter', async () => {
      const old = await ctx.database.db
        .selectFrom('work_orders')
        .select('number')
        .where('community_id', '=', ctx.seed.communities[0]?.id ?? '')
        .where('category', 'not in', ['health', 'elderly_care'])
        .where('subcategory', 'not in', ['safety_emergency.violence', 'safety_emergency.medical_emergency'])
        .orderBy('created_at')
        .limit(2)
        .execute();
      const ids = old.map((o) => o.number);
      const list = (await both(
        `/requests?service_request_id=${ids.join(',')}&service_code=basic_living.noise&status=open&start_date=2026-11-01T00:00:00Z`,
        'requests',
      )) as Req[];
      assert.deepEqual(new Set(list.map((r) => r.service_request_id)), new Set(ids));
    });

    it('answers 400 for bad dates, a span over 90 days, a bad status, paging or service_code', async () => {
      for (const q of [
        'start_date=2026-01-01T00:00:00Z&end_date=2026-11-01T00:00:00Z',
        'start_date=2026-11-01',
        'start_date=yesterday',
        'start_date=2026-11-01T00:00:00Z&end_date=2026-10-01T00:00:00Z',
        'status=pending',
        'page_size=1001',
        'page=0',
        'service_code=nope',
        'updated_after=2026-01-01T00:00:00Z&updated_before=2026-11-01T00:00:00Z',
      ]) {
        const e = (await both(`/requests?${q}`, 'errors', 400)) as { code: number; description: string }[];
        assert.ok(e.length >= 1, q);
      }
      const e = (await both('/requests?status=nope&page_size=0', 'errors', 400)) as unknown[];
      assert.equal(e.length, 2, 'every problem is listed');
    });

    it('pages with page/page_size and filters by updated_after/updated_before', async () => {
      const all = (await both('/requests', 'requests')) as Req[];
      const p1 = (await both('/requests?page_size=3', 'requests')) as Req[];
      const p2 = (await both('/requests?page_size=3&page=2', 'requests')) as Req[];
      assert.deepEqual(
        [...p1, ...p2].map((r) => r.service_request_id),
        all.slice(0, 6).map((r) => r.service_request_id),
      );
      const since = '2026-11-10T00:00:00Z';
      const upd = (await both(`/requests?updated_after=${since}`, 'requests')) as Req[];
      assert.ok(upd.length > 0);
      assert.ok(upd.every((r) => Date.parse(String(r.updated_datetime)) >= Date.parse(since)));
      const before = (await both('/requests?updated_before=2026-11-10T00:00:00Z', 'requests')) as Req[];
      assert.ok(before.every((r) => Date.parse(String(r.updated_datetime)) <= Date.parse(since)));
    });

    it('adds extended_attributes (channel, photos) with extensions=true and serves public photos', async () => {
      const taoyuan = ctx.seed.communities[0]?.id ?? '';
      const system: Principal = { kind: 'system', name: 'test' };
      const png = Buffer.from(
        'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==',
        'base64',
      );
      const { order } = await ctx.services.workOrders.create(system, {
        channel: 'kiosk',
        description: '楼道灯坏了',
        communityId: taoyuan,
        category: 'basic_living.water_electric',
        address: '深圳市南山区桃源街道桃源村1栋101室',
        photos: [{ contentType: 'image/png', dataBase64: png.toString('base64') }],
      });
      const plain = (await both(`/requests/${order.number}`, 'requests')) as Req[];
      assert.equal(plain[0]?.extended_attributes, undefined);
      assert.match(String(plain[0]?.media_url), /\/open311\/v2\/media\//);
      const ext = (await both(`/requests/${order.number}?extensions=true`, 'requests')) as (Req & {
        extended_attributes: { channel: string; photos: { media_url: string }[] };
      })[];
      assert.equal(ext[0]?.extended_attributes.channel, 'kiosk');
      assert.equal(ext[0]?.extended_attributes.photos.length, 1);
      const list = (await both('/requests?extensions=true&page_size=5', 'requests')) as Req[];
      assert.ok(list.every((r) => typeof r.extended_attributes === 'object'));
      const url = new URL(ext[0]?.extended_attributes.photos[0]?.media_url ?? '');
      const img = await get(url.pathname);
      assert.equal(img.statusCode, 200);
      assert.equal(img.headers['content-type'], 'image/png');
      assert.equal(img.rawPayload.length, png.length);
      const nophoto = await get(`${V2}/media/nope`);
      assert.equal(nophoto.statusCode, 404);
    });

    it('answers one request by id in both formats, 404 for unknown ids and other jurisdictions', async () => {
      const [first] = (await both('/requests?page_size=1', 'requests')) as Req[];
      const one = (await both(`/requests/${first?.service_request_id}`, 'requests')) as Req[];
      assert.equal(one.length, 1, 'a list, even of one');
      assert.equal(one[0]?.service_request_id, first?.service_request_id);
      await both('/requests/TAOYUAN-19990101-000001', 'errors', 404);
      await both(`/requests/${first?.service_request_id}?jurisdiction_id=longzhu`, 'errors', 404);
      const lz = (await both('/requests?jurisdiction_id=longzhu&page_size=1', 'requests')) as Req[];
      assert.match(lz[0]?.service_request_id ?? '', /^LONGZHU-/);
      await both(`/requests/${lz[0]?.service_request_id}?jurisdiction_id=longzhu`, 'requests');
      await both('/requests?jurisdiction_id=atlantis', 'errors', 404);
    });

    it('takes expected_datetime from the SLA resolution deadline', async () => {
      const res = await post(`${V2}/requests.json`, [
        ['api_key', KEY],
        ['service_code', 'basic_living.water_electric'],
        ['address_string', '桃源村6栋'],
        ['attribute[problem_type]', 'tap'],
      ]);
      const [created] = body(res, 'json') as { service_request_id: string }[];
      const order = await ctx.database.db
        .selectFrom('work_orders')
        .select('id')
        .where('number', '=', created?.service_request_id ?? '')
        .executeTakeFirstOrThrow();
      const due = '2026-11-25T09:30:00.000Z';
      const updated = await ctx.database.db
        .withTables<{ sla_order_metrics: { work_order_id: string; resolution_due_at: string | null } }>()
        .updateTable('sla_order_metrics')
        .set({ resolution_due_at: due })
        .where('work_order_id', '=', order.id)
        .executeTakeFirst();
      assert.equal(Number(updated.numUpdatedRows), 1, 'the SLA module keeps metrics for the new order');
      const [r] = (await both(`/requests/${created?.service_request_id}`, 'requests')) as Req[];
      assert.equal(r?.expected_datetime, '2026-11-25T17:30:00+08:00');
    });

    it('caps a listing at 1,000 rows', async () => {
      const taoyuan = ctx.seed.communities[0]?.id ?? '';
      const src = await ctx.database.db
        .selectFrom('work_orders')
        .selectAll()
        .where('community_id', '=', taoyuan)
        .limit(1)
        .executeTakeFirst();
      assert.ok(src);
      // Any order of the community, copied as 1,010 parking reports.
      const at = Date.parse('2026-11-01T00:00:00Z');
      const rows = Array.from({ length: 1010 }, (_, i) => ({
        ...src,
        id: `cap-${String(i).padStart(5, '0')}`,
        number: `CAP-20261101-${String(i).padStart(6, '0')}`,
        category: 'basic_living',
        subcategory: 'basic_living.parking',
        created_at: new Date(at + i * 1000).toISOString(),
        updated_at: new Date(at + i * 1000).toISOString(),
      }));
      for (let i = 0; i < rows.length; i += 100)
        await ctx.database.db
          .insertInto('work_orders')
          .values(rows.slice(i, i + 100))
          .execute();
      const res = await get(`${V2}/requests.json?service_code=basic_living.parking`);
      const list = body(res, 'json') as Req[];
      assert.equal(list.length, 1000);
      const page2 = body(
        await get(`${V2}/requests.json?service_code=basic_living.parking&page=2`),
        'json',
      ) as Req[];
      assert.ok(page2.length >= 10);
      await ctx.database.db.deleteFrom('work_orders').where('id', 'like', 'cap-%').execute();
    });
  });

  describe('privacy', () => {
    it('never shows reporter names, phones or e-mail, and coarsens locations per category', async () => {
      const res = await post(`${V2}/requests.json`, [
        ['api_key', KEY],
        ['service_code', 'basic_living.water_electric'],
        ['address_string', '深圳市南山区桃源街道桃源村4栋602室'],
        ['attribute[problem_type]', 'leak'],
        ['description', '厨房漏水，请联系李四 13700001111 或 lisi@example.com，身份证440305199001011234'],
        ['first_name', '四'],
        ['last_name', '李'],
        ['phone', '13700001111'],
        ['email', 'lisi@example.com'],
      ]);
      const id = (body(res, 'json') as { service_request_id: string }[])[0]?.service_request_id ?? '';
      for (const fmt of ['json', 'xml'] as const) {
        const one = await get(`${V2}/requests/${id}.${fmt}?extensions=true`);
        assert.equal(one.statusCode, 200);
        for (const secret of ['13700001111', 'lisi@example.com', '李四', '440305199001011234', '602'])
          assert.ok(!one.body.includes(secret), `${secret} leaked in ${fmt}`);
        const [r] = body(one, fmt) as Req[];
        assert.equal(r?.address, '深圳市南山区桃源街道桃源村4栋', 'building precision drops the room');
      }
      const list = await get(`${V2}/requests.json?service_code=basic_living.water_electric`);
      assert.ok(!list.body.includes('13700001111'));
      // The seed's reporters and their special-group tags never appear.
      const all = await get(`${V2}/requests.json`);
      for (const s of ['13800000001', 'elderly_alone', 'chronic_illness', '王秀英'])
        assert.ok(!all.body.includes(s), s);
    });

    it('withholds private categories from public GETs unless the key may see them', async () => {
      const health = await ctx.database.db
        .selectFrom('work_orders')
        .select(['number', 'created_at'])
        .where('community_id', '=', ctx.seed.communities[0]?.id ?? '')
        .where('category', 'in', ['health', 'elderly_care'])
        .orderBy('created_at', 'desc')
        .limit(1)
        .executeTakeFirstOrThrow();
      const pub = (await both('/requests', 'requests')) as Req[];
      assert.ok(pub.every((r) => !/^(health|elderly_care)/.test(r.service_code)));
      await both(`/requests/${health.number}`, 'errors', 404);
      const ids = (await both(`/requests?service_request_id=${health.number}`, 'requests')) as Req[];
      assert.equal(ids.length, 0);
      const seen = await get(`${V2}/requests/${health.number}.json?api_key=${privateKey}`);
      assert.equal(seen.statusCode, 200, seen.body);
      const [r] = body(seen, 'json') as Req[];
      assert.equal(r?.address, '桃源社区', 'private categories show the community only');
      const other = await get(`${V2}/requests/${health.number}.json?api_key=${otherKey}`);
      assert.equal(other.statusCode, 404, "another community's key sees nothing private here");
      const bad = await get(`${V2}/requests.json?api_key=wrong`);
      assert.equal(bad.statusCode, 403);
      assertShape('errors', body(bad, 'json'));
      const withKey = body(await get(`${V2}/requests.json?api_key=${privateKey}`), 'json') as Req[];
      assert.ok(withKey.length > pub.length);
    });
  });

  describe('jurisdictions, updates and limits', () => {
    it('answers a GET without jurisdiction_id for the configured default, and 400 when there is none', async () => {
      const first = (await both('/requests?page_size=1', 'requests')) as Req[];
      assert.match(first[0]?.service_request_id ?? '', /^TAOYUAN-/);
      ctx.deps.config.defaultJurisdiction = 'longzhu';
      try {
        const lz = (await both('/requests?page_size=1', 'requests')) as Req[];
        assert.match(lz[0]?.service_request_id ?? '', /^LONGZHU-/);
        // Two communities and no default: jurisdiction_id is required (GeoReport v2).
        ctx.deps.config.defaultJurisdiction = undefined;
        const none = (await both('/requests?page_size=1', 'errors', 400)) as { description: string }[];
        assert.match(none[0]?.description ?? '', /^jurisdiction_id: required/);
      } finally {
        ctx.deps.config.defaultJurisdiction = 'taoyuan';
      }
    });

    it('publishes the status history as mySociety servicerequestupdates', async () => {
      const u = (await both(
        '/servicerequestupdates?start_date=2026-09-01T00:00:00Z&end_date=2026-11-20T02:00:00Z',
        'updates',
      )) as {
        status: string;
        external_status_code: string;
        updated_datetime: string;
        service_request_id: string;
      }[];
      assert.ok(u.length > 0);
      assert.ok(u.some((x) => x.status === 'fixed' && x.external_status_code === 'resolved'));
      assert.ok(u.every((x) => !/^(health|elderly)/.test(x.service_request_id)));
      const times = u.map((x) => Date.parse(x.updated_datetime));
      assert.deepEqual(
        times,
        [...times].sort((a, b) => a - b),
        'oldest first',
      );
      await both(
        '/servicerequestupdates?start_date=2026-01-01T00:00:00Z&end_date=2026-11-01T00:00:00Z',
        'errors',
        400,
      );
      const one = (await both(
        `/servicerequestupdates?start_date=2026-09-01T00:00:00Z&end_date=2026-11-20T02:00:00Z&service_request_id=${u[0]?.service_request_id}`,
        'updates',
      )) as { service_request_id: string }[];
      assert.ok(one.every((x) => x.service_request_id === u[0]?.service_request_id));
    });

    it('limits requests per IP and per key with 429 error lists', async () => {
      const app = Fastify({ trustProxy: true });
      await app.register(rateLimit, { global: false });
      await registerOpen311Routes(app, {
        deps: ctx.deps,
        auth: ctx.services.auth,
        workOrders: ctx.services.workOrders,
        limits: { perIp: 3, perKey: 2, windowMs: 60_000 },
      });
      const hit = (ipAddr: string, q = '') =>
        app.inject({ method: 'GET', url: `${V2}/services.json${q}`, headers: { 'x-forwarded-for': ipAddr } });
      for (let i = 0; i < 3; i++) assert.equal((await hit('192.0.2.1')).statusCode, 200);
      const limited = await hit('192.0.2.1');
      assert.equal(limited.statusCode, 429);
      assertShape('errors', body(limited, 'json'));
      assert.equal((await hit('192.0.2.2')).statusCode, 200, 'another address is not limited');
      const keyed = (n: number) => hit(`198.51.100.${n}`, `?api_key=${KEY}`);
      assert.equal((await keyed(1)).statusCode, 200);
      assert.equal((await keyed(2)).statusCode, 200);
      const overKey = await keyed(3);
      assert.equal(overKey.statusCode, 429, 'the key is limited across addresses');
      assert.match((body(overKey, 'json') as { description: string }[])[0]?.description ?? '', /api_key/);
      await app.close();
    });
  });
});
