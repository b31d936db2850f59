/**
 * The absolute URLs Open311 publishes (discovery's endpoint, photo links) are built from the
 * configured public address (LINLI_PUBLIC_URL), else the address the server listens on; never
 * from the Host header, which a client writes: a forged one must not make the server advertise
 * another.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createTestContext } from '../helpers.ts';
import type { TestContext } from '../helpers.ts';
import { loadConfig, publicBaseUrl, publicUrlFrom } from '../../src/platform/config.ts';
import { body, postForm } from './open311.helpers.ts';

const V2 = '/open311/v2';
const PNG =
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==';

describe('Open311 absolute URLs and the Host header', () => {
  let ctx: TestContext;
  let number: string;
  before(async () => {
    ctx = await createTestContext({ orders: 3, config: { host: '127.0.0.1', port: 3000 } });
    const created = await postForm(ctx.app, `${V2}/requests.json`, [
      ['api_key', 'demo-open311-key'],
      ['jurisdiction_id', 'taoyuan'],
      ['service_code', 'basic_living.noise'],
      ['description', '楼下商铺音响太吵'],
      ['lat', '22.5615'],
      ['long', '113.9413'],
      ['attribute[source]', 'shop'],
    ]);
    assert.equal(created.statusCode, 200, created.body);
    number = created.json<{ service_request_id: string }[]>()[0]?.service_request_id ?? '';
    const admin = await ctx.login('admin');
    const found = await ctx.call('GET', `/api/v1/work-orders?q=${number}`, admin);
    const id = found.json<{ items: { id: string }[] }>().items[0]?.id ?? '';
    const photo = await ctx.call('POST', `/api/v1/work-orders/${id}/photos`, admin, {
      contentType: 'image/png',
      dataBase64: PNG,
    });
    assert.equal(photo.statusCode, 201, photo.body);
  });
  after(() => ctx.close());

  const forged = { host: 'evil.example.com', 'x-forwarded-host': 'evil.example.com' };
  async function urls(fmt: 'json' | 'xml'): Promise<{ endpoint: string; media: string[] }> {
    const d = await ctx.app.inject({
      method: 'GET',
      url: `${V2}/discovery.${fmt}?jurisdiction_id=taoyuan`,
      headers: forged,
    });
    assert.equal(d.statusCode, 200, d.body);
    const r = await ctx.app.inject({
      method: 'GET',
      url: `${V2}/requests/${number}.${fmt}?jurisdiction_id=taoyuan&extensions=true`,
      headers: forged,
    });
    assert.equal(r.statusCode, 200, r.body);
    const req = (
      body(r, fmt) as { media_url: string; extended_attributes: { photos: { media_url: string }[] } }[]
    )[0];
    return {
      endpoint: (body(d, fmt) as { endpoints: { url: string }[] }).endpoints[0]?.url ?? '',
      media: [req?.media_url ?? '', ...(req?.extended_attributes.photos.map((p) => p.media_url) ?? [])],
    };
  }

  it('never advertises the host a request names: without LINLI_PUBLIC_URL, the address it listens on', async () => {
    for (const fmt of ['json', 'xml'] as const) {
      const u = await urls(fmt);
      assert.equal(u.endpoint, 'http://127.0.0.1:3000/open311/v2', fmt);
      assert.equal(u.media.length, 2);
      for (const m of u.media)
        assert.match(m, /^http:\/\/127\.0\.0\.1:3000\/open311\/v2\/media\/[\w-]+$/, fmt);
    }
  });

  it('publishes the configured public URL, with its path', async () => {
    ctx.deps.config.publicUrl = 'https://hub.example.org/linli';
    try {
      for (const fmt of ['json', 'xml'] as const) {
        const u = await urls(fmt);
        assert.equal(u.endpoint, 'https://hub.example.org/linli/open311/v2', fmt);
        for (const m of u.media)
          assert.match(m, /^https:\/\/hub\.example\.org\/linli\/open311\/v2\/media\//, fmt);
        const media = await ctx.app.inject({
          method: 'GET',
          url: new URL(u.media[0] ?? '').pathname.slice(6),
        });
        assert.equal(media.statusCode, 200, 'the link names a photo the server serves');
      }
    } finally {
      ctx.deps.config.publicUrl = undefined;
    }
  });

  it('reads LINLI_PUBLIC_URL strictly, and falls back to the listening address', () => {
    assert.equal(publicUrlFrom('https://hub.example.org/'), 'https://hub.example.org');
    assert.equal(publicUrlFrom(' https://hub.example.org/linli/ '), 'https://hub.example.org/linli');
    assert.equal(publicUrlFrom(''), undefined);
    for (const bad of [
      'hub.example.org',
      'ftp://hub.example.org',
      'https://hub.example.org/?a=1',
      'https://u:p@x.org',
    ])
      assert.throws(() => publicUrlFrom(bad), /LINLI_PUBLIC_URL/, bad);
    assert.equal(loadConfig({ LINLI_PUBLIC_URL: 'https://a.example' }).publicUrl, 'https://a.example');
    assert.equal(
      publicBaseUrl({ publicUrl: undefined, host: '0.0.0.0', port: 8080 }),
      'http://localhost:8080',
    );
    assert.equal(publicBaseUrl({ publicUrl: undefined, host: '::1', port: 8080 }), 'http://[::1]:8080');
  });
});
