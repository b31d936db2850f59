/**
 * jurisdiction_id: GeoReport v2 requires it where an endpoint serves several jurisdictions. With
 * several communities and no configured default (LINLI_DEFAULT_JURISDICTION), a request that
 * names none is refused with 400 naming jurisdiction_id, in the format its path asks for; a
 * configured default answers for that community; a deployment of one community needs none.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { createTestContext, freshDatabase, TEST_NOW } from '../helpers.ts';
import type { TestContext } from '../helpers.ts';
import { loadConfig } from '../../src/platform/config.ts';
import { ManualClock } from '../../src/platform/clock.ts';
import { silentLogger } from '../../src/platform/context.ts';
import { buildApp } from '../../src/platform/http/app.ts';
import { openConfiguredFileStore } from '../../src/server.ts';
import { setUpCommunity } from '../../src/seed/setup.ts';
import { assertShape, body, postForm } from './open311.helpers.ts';

const V2 = '/open311/v2';
const KEY = 'demo-open311-key';

describe('Open311 jurisdiction_id on an endpoint serving several communities', () => {
  let ctx: TestContext;
  before(async () => {
    ctx = await createTestContext({ orders: 10 });
  });
  after(() => ctx.close());
  const get = (url: string) => ctx.app.inject({ method: 'GET', url });

  it('refuses every GET that names no jurisdiction with 400 naming jurisdiction_id, in JSON and XML', async () => {
    const some = (await get(`${V2}/requests.json?jurisdiction_id=taoyuan&page_size=1`)).json<
      { service_request_id: string }[]
    >();
    const id = some[0]?.service_request_id ?? '';
    for (const fmt of ['json', 'xml'] as const) {
      for (const path of [
        `/requests.${fmt}`,
        `/services.${fmt}`,
        `/services/basic_living.elevator.${fmt}`,
        `/requests/${id}.${fmt}`,
        `/tokens/abc.${fmt}`,
        `/servicerequestupdates.${fmt}`,
        `/requests.${fmt}?jurisdiction_id=`,
      ]) {
        const res = await get(`${V2}${path}`);
        assert.equal(res.statusCode, 400, `${path}: ${res.body}`);
        const errors = body(res, fmt) as { code: number; description: string }[];
        assertShape('errors', errors, fmt === 'xml');
        assert.match(errors[0]?.description ?? '', /^jurisdiction_id: required/, path);
      }
    }
  });

  it('answers the community named, and a configured default for a request that names none', async () => {
    const named = (await get(`${V2}/requests.json?jurisdiction_id=longzhu&page_size=1`)).json<
      { service_request_id: string }[]
    >();
    assert.match(named[0]?.service_request_id ?? '', /^LONGZHU-/);
    ctx.deps.config.defaultJurisdiction = 'longzhu';
    try {
      const res = await get(`${V2}/requests.xml?page_size=1`);
      assert.equal(res.statusCode, 200, res.body);
      const list = body(res, 'xml') as { service_request_id: string }[];
      assert.match(list[0]?.service_request_id ?? '', /^LONGZHU-/);
    } finally {
      ctx.deps.config.defaultJurisdiction = undefined;
    }
  });

  it("files a POST without jurisdiction_id in its api_key's community", async () => {
    const res = await postForm(ctx.app, `${V2}/requests.json`, [
      ['api_key', KEY],
      ['service_code', 'basic_living.elevator'],
      ['description', '3栋电梯停在7楼不动了'],
      ['lat', '22.5615'],
      ['long', '113.9413'],
      ['attribute[building]', '3栋'],
      ['attribute[people_trapped]', 'no'],
    ]);
    assert.equal(res.statusCode, 200, res.body);
    assert.match(res.json<{ service_request_id: string }[]>()[0]?.service_request_id ?? '', /^TAOYUAN-/);
  });

  it('says in discovery that jurisdiction_id is required, and which codes there are', async () => {
    for (const fmt of ['json', 'xml'] as const) {
      const res = await get(`${V2}/discovery.${fmt}?locale=en`);
      assert.equal(res.statusCode, 200, res.body);
      const d = body(res, fmt) as { contact: string };
      assertShape('discovery', d, fmt === 'xml');
      assert.match(d.contact, /jurisdiction_id \(taoyuan, longzhu\)/);
    }
    const one = body(await get(`${V2}/discovery.json?jurisdiction_id=taoyuan`), 'json') as {
      contact: string;
    };
    assert.match(one.contact, /^桃源社区服务中心/);
  });
});

describe('Open311 jurisdiction_id on a deployment of one community', () => {
  let app: FastifyInstance;
  let dispose: () => Promise<void>;
  before(async () => {
    const fresh = await freshDatabase();
    dispose = fresh.dispose;
    const clock = new ManualClock(TEST_NOW);
    await setUpCommunity(
      fresh.database,
      {
        streetCode: 'nanshan',
        streetName: '南山街道',
        communityCode: 'lihu',
        communityName: '荔湖社区',
        center: { lat: 22.53, lng: 113.93 },
        timeZone: 'Asia/Shanghai',
        adminUsername: 'lihu.admin',
        adminName: '荔湖管理员',
      },
      clock.now(),
    );
    const config = {
      ...loadConfig({}),
      dataDir: fresh.dataDir,
      auditAnchorFile: join(fresh.dataDir, 'audit-anchors.jsonl'),
      auditSigningKeyFile: join(fresh.dataDir, 'audit-signing-key.pem'),
      fileStore: process.env.DATABASE_URL ? ('database' as const) : ('disk' as const),
      filesDir: join(fresh.dataDir, 'files'),
      workers: false,
    };
    const deps = {
      database: fresh.database,
      clock,
      config,
      files: openConfiguredFileStore(config, fresh.database),
      logger: silentLogger,
    };
    app = (await buildApp(deps)).app;
    await app.ready();
  });
  after(async () => {
    await app.close();
    await dispose();
  });

  it('answers without jurisdiction_id for its only community', async () => {
    for (const fmt of ['json', 'xml'] as const) {
      const list = await app.inject({ method: 'GET', url: `${V2}/requests.${fmt}` });
      assert.equal(list.statusCode, 200, list.body);
      assertShape('requests', body(list, fmt), fmt === 'xml');
      const services = await app.inject({ method: 'GET', url: `${V2}/services.${fmt}` });
      assert.equal(services.statusCode, 200, services.body);
      const d = await app.inject({ method: 'GET', url: `${V2}/discovery.${fmt}` });
      assert.equal(d.statusCode, 200, d.body);
      assert.match((body(d, fmt) as { contact: string }).contact, /^荔湖社区服务中心/);
    }
  });
});
