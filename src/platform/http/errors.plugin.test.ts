import { test } from 'node:test';
import assert from 'node:assert/strict';
import Fastify from 'fastify';
import { registerErrorHandler } from './errors.plugin.ts';

test('a transaction the database rolled back (deadlock, serialization, busy) answers 503 retryable, anything else 500', async () => {
  const app = Fastify({ logger: false });
  registerErrorHandler(app);
  for (const code of ['40P01', '40001', 'SQLITE_BUSY', '23505'])
    app.get(`/${code}`, async () => {
      throw Object.assign(new Error(`database said ${code}`), { code });
    });
  for (const code of ['40P01', '40001', 'SQLITE_BUSY']) {
    const res = await app.inject({ method: 'GET', url: `/${code}` });
    assert.equal(res.statusCode, 503, code);
    assert.equal(res.headers['retry-after'], '1');
    assert.deepEqual(res.json().error.code, 'service_unavailable');
    assert.equal(res.json().error.details.retryable, true);
    assert.doesNotMatch(res.body, /database said/);
  }
  const other = await app.inject({ method: 'GET', url: '/23505' });
  assert.equal(other.statusCode, 500);
  assert.doesNotMatch(other.body, /database said/);
  await app.close();
});
