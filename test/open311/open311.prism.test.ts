/**
 * The outside check: a real server on 127.0.0.1 behind Stoplight Prism in proxy mode, with the
 * Open311 project's own swagger.json, so every JSON answer is validated by a tool we did not
 * write (a violation comes back as HTTP 500 with an `sl-violations` header). XML answers are
 * parsed into the JSON shape and checked with ajv against the standard's JSON Schemas.
 *
 * `swagger.corrected.json` is the published file with its three known defects fixed:
 * 1. the single-request path is `/requests/{id}.{format}` (it said `/request/…`);
 * 2. the POST fields and `api_key` are `formData` of an `application/x-www-form-urlencoded` body
 *    (they were query parameters, with `api_key` as a query security scheme);
 * 3. the fields the standard's examples show as null (`status_notes`, `account_id`, …) are
 *    `x-nullable`.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { join, resolve } from 'node:path';
import { createTestContext } from '../helpers.ts';
import type { TestContext } from '../helpers.ts';
import { HERE, assertShape, assertTimesHaveZone, form, xmlToJson } from './open311.helpers.ts';
import type { Shape } from './open311.helpers.ts';

const PRISM = resolve(HERE, '..', '..', 'node_modules', '@stoplight', 'prism-cli', 'dist', 'index.js');
const SWAGGER = join(HERE, 'swagger.corrected.json');
const J = 'jurisdiction_id=taoyuan';

async function freePort(): Promise<number> {
  return new Promise((ok, fail) => {
    const s = createServer();
    s.once('error', fail);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as AddressInfo;
      s.close(() => ok(port));
    });
  });
}

/** Starts Prism and resolves once it listens; rejects with its output if it does not within 60 s. */
async function startPrism(upstream: string, port: number): Promise<ChildProcess> {
  const child = spawn(
    process.execPath,
    [PRISM, 'proxy', SWAGGER, upstream, '--errors', '-h', '127.0.0.1', '-p', String(port)],
    { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NO_COLOR: '1' } },
  );
  let out = '';
  await new Promise<void>((ok, fail) => {
    const timer = setTimeout(() => fail(new Error(`prism did not start within 60 s:\n${out}`)), 60_000);
    const onData = (d: Buffer) => {
      out += d.toString();
      if (out.includes('Prism is listening')) {
        clearTimeout(timer);
        ok();
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      fail(new Error(`prism exited (${code}):\n${out}`));
    });
  });
  return child;
}

interface Checked {
  status: number;
  value: unknown;
  violations: { severity: string; message: string }[];
}

describe('Open311 through Prism (standard swagger.json) and the JSON Schemas', () => {
  let ctx: TestContext;
  let prism: ChildProcess;
  let base: string;
  let direct: string;
  const warnings = new Set<string>();

  before(async () => {
    ctx = await createTestContext({ orders: 40, config: { trustProxy: 1, defaultJurisdiction: 'taoyuan' } });
    await ctx.app.listen({ host: '127.0.0.1', port: 0 });
    const { port } = ctx.app.server.address() as AddressInfo;
    direct = `http://127.0.0.1:${port}`;
    const pport = await freePort();
    // The standard's paths have no base path: Prism adds none and forwards under the upstream's.
    prism = await startPrism(`${direct}/open311/v2`, pport);
    base = `http://127.0.0.1:${pport}`;
  });
  after(async () => {
    prism?.kill('SIGTERM');
    await ctx?.close();
  });

  /**
   * One call: JSON through Prism (no violation of severity error), XML straight from the server
   * (Prism reads XML without the standard's conversion rules) then through the JSON Schemas.
   */
  async function check(
    path: string,
    shape: Shape,
    status: number,
    init: RequestInit = {},
    root?: string,
  ): Promise<Checked> {
    const xml = path.split('?')[0]?.endsWith('.xml') ?? false;
    const res = await fetch(`${root ?? (xml ? `${direct}/open311/v2` : base)}${path}`, init);
    const text = await res.text();
    const header = res.headers.get('sl-violations');
    const violations = header ? (JSON.parse(header) as { severity: string; message: string }[]) : [];
    const errors = violations.filter((v) => v.severity === 'Error');
    assert.deepEqual(errors, [], `${path}: ${header}`);
    assert.equal(res.status, status, `${path}: ${text.slice(0, 500)}`);
    // Prism warns when the standard's file lists no response for an error status; nothing else is allowed.
    for (const v of violations) {
      assert.match(v.message, /Unable to match the returned status code/, `${path}: ${v.message}`);
      warnings.add(`${status} ${path.split('?')[0]}`);
    }
    const type = res.headers.get('content-type') ?? '';
    let value: unknown;
    if (xml) {
      assert.match(type, /^text\/xml; charset=utf-8/i, path);
      value = xmlToJson(text).value;
      assertShape(shape, value, true);
    } else {
      assert.match(type, /^application\/json; charset=utf-8/i, path);
      value = JSON.parse(text) as unknown;
      assertShape(shape, value);
    }
    if (shape === 'requests') assertTimesHaveZone(value);
    return { status, value, violations };
  }

  const postInit = (pairs: [string, string][]): RequestInit => ({
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' },
    body: form(pairs),
  });

  it('serves services and service definitions that fit the standard', async () => {
    for (const fmt of ['json', 'xml']) {
      await check(`/services.${fmt}?${J}`, 'services', 200);
      await check(`/services.${fmt}?${J}&locale=en`, 'services', 200);
      await check(`/services/basic_living.elevator.${fmt}?${J}`, 'service-definition', 200);
      await check(`/services/safety_emergency.hazard.${fmt}?${J}&locale=en`, 'service-definition', 200);
      await check(`/services/basic_living.appliance.${fmt}?${J}`, 'service-definition', 200);
      await check(`/services/nope.${fmt}?${J}`, 'errors', 404);
    }
  });

  it('creates requests and answers errors as the standard says', async () => {
    const ok: [string, string][] = [
      ['api_key', 'demo-open311-key'],
      ['jurisdiction_id', 'taoyuan'],
      ['service_code', 'basic_living.noise'],
      ['lat', '22.5615'],
      ['long', '113.9413'],
      ['address_string', '深圳市南山区桃源街道桃源村2栋'],
      ['attribute[source]', 'dancing'],
      ['attribute[periods][]', 'evening'],
      ['attribute[periods][]', 'night'],
      ['description', '广场舞音响太吵'],
      ['email', 'a@example.com'],
      ['first_name', 'A'],
      ['last_name', 'B'],
      ['phone', '13700000000'],
      ['device_id', 'dev-1'],
      ['account_id', 'acc-1'],
      ['media_url', 'https://example.com/a.jpg'],
    ];
    for (const fmt of ['json', 'xml']) {
      const created = await check(`/requests.${fmt}`, 'post', 200, postInit(ok));
      const [r] = created.value as { service_request_id: string; account_id: string | null }[];
      assert.match(r?.service_request_id ?? '', /^TAOYUAN-/);
      assert.equal(r?.account_id, 'acc-1');
      const one = await check(`/requests/${r?.service_request_id}.${fmt}?${J}`, 'requests', 200);
      assert.equal((one.value as { service_code: string }[])[0]?.service_code, 'basic_living.noise');
      const missingKey = ok.filter(([k]) => k !== 'api_key');
      await check(`/requests.${fmt}`, 'errors', 403, postInit([['api_key', 'wrong'], ...missingKey]));
      await check(
        `/requests.${fmt}`,
        'errors',
        400,
        postInit([...ok.filter(([k]) => k !== 'attribute[source]')]),
      );
      await check(
        `/requests.${fmt}`,
        'errors',
        404,
        postInit([...ok.filter(([k]) => k !== 'service_code'), ['service_code', 'nope']]),
      );
    }
  });

  it('lists requests with every filter', async () => {
    const list = await check(`/requests.json?${J}`, 'requests', 200);
    const rows = list.value as { service_request_id: string }[];
    assert.ok(rows.length > 2);
    const ids = rows
      .slice(0, 2)
      .map((r) => r.service_request_id)
      .join(',');
    const queries = [
      '',
      `&service_request_id=${ids}`,
      '&service_code=basic_living.noise',
      '&service_code=basic_living',
      '&status=open',
      '&status=closed',
      '&start_date=2026-10-01T00:00:00%2B08:00&end_date=2026-11-20T00:00:00%2B08:00',
      '&start_date=2026-09-01T00:00:00Z',
      '&end_date=2026-11-01T00:00:00Z',
      '&updated_after=2026-11-01T00:00:00Z',
      '&updated_before=2026-11-15T00:00:00Z',
      '&page=2&page_size=3',
      '&extensions=true',
      '&locale=en',
    ];
    for (const fmt of ['json', 'xml']) {
      for (const q of queries) await check(`/requests.${fmt}?${J}${q}`, 'requests', 200);
      for (const q of ['&start_date=2026-01-01T00:00:00Z&end_date=2026-11-01T00:00:00Z', '&page_size=5000'])
        await check(`/requests.${fmt}?${J}${q}`, 'errors', 400);
      // Prism itself refuses a malformed date (422) before the server sees it: asked directly.
      await check(`/requests.${fmt}?${J}&start_date=not-a-date`, 'errors', 400, {}, `${direct}/open311/v2`);
      await check(`/requests.${fmt}?jurisdiction_id=atlantis`, 'errors', 404);
      await check(`/requests/NOPE-1.${fmt}?${J}`, 'errors', 404);
    }
  });

  it('answers tokens and the extensions outside the standard file', async (t) => {
    for (const fmt of ['json', 'xml']) await check(`/tokens/unknown.${fmt}?${J}`, 'errors', 404);
    // Discovery and mySociety's updates are not in the standard's swagger.json: checked directly.
    for (const fmt of ['json', 'xml']) {
      await check(`/discovery.${fmt}`, 'discovery', 200, {}, `${direct}/open311/v2`);
      await check(
        `/servicerequestupdates.${fmt}?start_date=2026-10-01T00:00:00Z&end_date=2026-11-20T00:00:00Z`,
        'updates',
        200,
        {},
        `${direct}/open311/v2`,
      );
    }
    t.diagnostic(
      `status codes absent from swagger.json (Prism warnings): ${[...warnings].sort().join('; ')}`,
    );
  });
});
