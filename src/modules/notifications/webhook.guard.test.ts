import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { internalHostReason, isInternalAddress } from './webhook.guard.ts';

describe('webhook guard: which addresses a webhook may never reach', () => {
  it('refuses internal IPv4 addresses however an IPv6 address carries them', () => {
    for (const a of [
      '127.0.0.1',
      '10.1.2.3',
      '169.254.169.254',
      '::ffff:127.0.0.1',
      '::ffff:a9fe:a9fe',
      '64:ff9b::7f00:1',
      '::1',
      'fd00:ec2::254',
    ])
      assert.equal(isInternalAddress(a), true, a);
  });

  it('refuses the local-use NAT64 prefix, which reaches the operator’s own IPv4 network', () => {
    for (const a of ['64:ff9b:1::7f00:1', '64:ff9b:1::a00:1', '64:ff9b:1:ffff::1'])
      assert.equal(isInternalAddress(a), true, a);
    assert.match(internalHostReason(new URL('http://[64:ff9b:1::7f00:1]/hook')) ?? '', /reserved/);
  });

  it('lets public addresses through', () => {
    for (const a of ['93.184.216.34', '2606:2800:220:1:248:1893:25c8:1946', '64:ff9b::5db8:d822'])
      assert.equal(isInternalAddress(a), false, a);
  });
});
