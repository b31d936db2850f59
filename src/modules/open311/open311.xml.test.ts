import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { escapeXml, toXml } from './open311.xml.ts';
import { w3 } from './open311.presenter.ts';

describe('toXml (the standard JSON ↔ XML conversion)', () => {
  it('writes a list as a container of items, even of one, and an empty list as an empty container', () => {
    assert.equal(
      toXml('services', [{ service_code: 'a', metadata: true }]),
      '<?xml version="1.0" encoding="UTF-8"?>\n<services><service><service_code>a</service_code><metadata>true</metadata></service></services>\n',
    );
    assert.match(
      toXml('service_definition', { service_code: 'x', attributes: [] }),
      /<attributes><\/attributes>/,
    );
    assert.match(
      toXml('service_definition', { attributes: [{ values: [{ key: 'k', name: 'n' }] }] }),
      /<attributes><attribute><values><value><key>k<\/key><name>n<\/name><\/value><\/values><\/attribute><\/attributes>/,
    );
  });

  it('writes null as an empty element and leaves undefined out', () => {
    assert.match(
      toXml('errors', [{ code: 400, description: null, extra: undefined }]),
      /<description\/><\/error>/,
    );
  });

  it('escapes markup and drops characters XML cannot carry', () => {
    assert.equal(escapeXml('a<b>&c'), 'a&lt;b&gt;&amp;c');
    assert.equal(escapeXml('ok\u0000\u0007\ttab\nline\uffff'), 'ok\ttab\nline');
    assert.equal(escapeXml('中文'), '中文');
  });
});

describe('w3 (times with their zone)', () => {
  it('writes Shanghai time with +08:00 and UTC with Z', () => {
    assert.equal(w3('2026-11-20T02:00:00.000Z', 'Asia/Shanghai'), '2026-11-20T10:00:00+08:00');
    assert.equal(w3('2026-11-20T02:00:00.000Z', 'UTC'), '2026-11-20T02:00:00Z');
  });

  it('follows daylight saving time', () => {
    assert.equal(w3('2026-07-01T12:00:00.000Z', 'America/New_York'), '2026-07-01T08:00:00-04:00');
    assert.equal(w3('2026-12-01T12:00:00.000Z', 'America/New_York'), '2026-12-01T07:00:00-05:00');
    assert.equal(w3('2026-03-29T00:30:00.000Z', 'Europe/Berlin'), '2026-03-29T01:30:00+01:00');
    assert.equal(w3('2026-03-29T01:30:00.000Z', 'Europe/Berlin'), '2026-03-29T03:30:00+02:00');
  });
});
