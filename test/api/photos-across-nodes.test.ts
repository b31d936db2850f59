/**
 * Several stateless app nodes on one database: a photo taken by one node is served by every
 * other, with photos in the database (the default on PostgreSQL). With each node's own disk
 * folder the other node answered 404 `photo file … was not found`; the last case shows that still
 * holds for the disk store, so the first cannot pass by accident.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTestContext } from '../helpers.ts';
import { plainPng } from '../image-fixtures.ts';
import { buildApp } from '../../src/platform/http/app.ts';
import type { BuiltApp } from '../../src/platform/http/app.ts';
import type { FileStoreKind } from '../../src/platform/config.ts';
import { openConfiguredFileStore } from '../../src/server.ts';

type Order = { id: string; photos?: { id: string; url: string }[] };

/** A first node (the test context) and a second one built as a server builds it, with its own data folder. */
async function twoNodes(fileStore: FileStoreKind) {
  const ctx = await createTestContext({ orders: 0, config: { fileStore } });
  const otherDir = mkdtempSync(join(tmpdir(), 'linli-node-b-'));
  const config = { ...ctx.deps.config, dataDir: otherDir, filesDir: join(otherDir, 'files') };
  const other = await buildApp({ ...ctx.deps, config, files: openConfiguredFileStore(config, ctx.database) });
  await other.app.ready();
  return {
    ctx,
    other,
    close: async () => {
      await other.app.close();
      await ctx.close();
      rmSync(otherDir, { recursive: true, force: true });
    },
  };
}

const onNode = (node: Pick<BuiltApp, 'app'>, method: string, url: string, token: string, body?: unknown) =>
  node.app.inject({
    method: method as 'GET',
    url,
    headers: { authorization: `Bearer ${token}` },
    ...(body !== undefined ? { payload: body as Record<string, unknown> } : {}),
  });

describe('photos in the database: every app node serves every photo', () => {
  let nodes: Awaited<ReturnType<typeof twoNodes>>;
  let agent: string;
  before(async () => {
    nodes = await twoNodes('database');
    agent = await nodes.ctx.login('agent');
  });
  after(() => nodes.close());

  it('serves on the second node a photo taken with a report on the first', async () => {
    const { ctx, other } = nodes;
    const png = plainPng();
    const made = await ctx.call('POST', '/api/v1/work-orders', agent, {
      channel: 'hotline',
      description: '两台服务器：楼道灯不亮',
      photos: [{ contentType: 'image/png', dataBase64: png.toString('base64') }],
    });
    assert.equal(made.statusCode, 201, made.body);
    const order = (
      await onNode(other, 'GET', `/api/v1/work-orders/${(made.json() as Order).id}`, agent)
    ).json() as Order;
    const url = order.photos?.[0]?.url ?? '';
    const served = await onNode(other, 'GET', url, agent);
    assert.equal(served.statusCode, 200, served.body);
    assert.equal(served.headers['content-type'], 'image/png');
    assert.ok(served.rawPayload.equals((await ctx.call('GET', url, agent)).rawPayload));
  });

  it('serves on the first node a photo added on the second, and the order lists it on both', async () => {
    const { ctx, other } = nodes;
    const made = await ctx.call('POST', '/api/v1/work-orders', agent, {
      channel: 'hotline',
      description: '两台服务器：补拍照片',
    });
    assert.equal(made.statusCode, 201, made.body);
    const id = (made.json() as Order).id;
    const added = await onNode(other, 'POST', `/api/v1/work-orders/${id}/photos`, agent, {
      contentType: 'image/png',
      dataBase64: plainPng().toString('base64'),
    });
    assert.equal(added.statusCode, 201, added.body);
    const photoId = (added.json() as { id: string }).id;
    for (const node of [ctx, other])
      assert.deepEqual(
        ((await onNode(node, 'GET', `/api/v1/work-orders/${id}`, agent)).json() as Order).photos?.map(
          (p) => p.id,
        ),
        [photoId],
      );
    const served = await ctx.call('GET', `/api/v1/work-orders/${id}/photos/${photoId}`, agent);
    assert.equal(served.statusCode, 200, served.body);
    assert.equal(served.headers['content-type'], 'image/png');
  });
});

describe("photos on each node's own disk", () => {
  let nodes: Awaited<ReturnType<typeof twoNodes>>;
  before(async () => {
    nodes = await twoNodes('disk');
  });
  after(() => nodes.close());

  it('are not found by another node (why the database is the default with several nodes)', async () => {
    const { ctx, other } = nodes;
    const agent = await ctx.login('agent');
    const made = await ctx.call('POST', '/api/v1/work-orders', agent, {
      channel: 'hotline',
      description: '两台服务器：各自的磁盘',
      photos: [{ contentType: 'image/png', dataBase64: plainPng().toString('base64') }],
    });
    assert.equal(made.statusCode, 201, made.body);
    const order = (
      await ctx.call('GET', `/api/v1/work-orders/${(made.json() as Order).id}`, agent)
    ).json() as Order;
    const url = order.photos?.[0]?.url ?? '';
    assert.ok(url);
    assert.equal((await ctx.call('GET', url, agent)).statusCode, 200);
    assert.equal((await onNode(other, 'GET', url, agent)).statusCode, 404);
  });
});
