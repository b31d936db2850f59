import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { buildingOf, coarsen, scrubText, streetOf } from './open311.privacy.ts';

describe('scrubText', () => {
  it('blanks phones, ID numbers, e-mail addresses and the names given', () => {
    const out = scrubText(
      '王秀英家漏水，电话13800000001或0755-26601234，邮箱wang@example.com，身份证44030519500101123X',
      ['王秀英'],
    );
    for (const s of ['王秀英', '13800000001', '26601234', 'wang@example.com', '123X'])
      assert.ok(!out.includes(s), s);
    assert.match(out, /家漏水/);
  });

  it('keeps ordinary numbers and one-character names', () => {
    assert.equal(scrubText('3栋电梯停在7楼', ['王']), '3栋电梯停在7楼');
    assert.equal(scrubText('温度低于10度，持续2026年'), '温度低于10度，持续2026年');
  });
});

describe('coarsen', () => {
  const community = { name: '桃源社区', lat: 22.56, lng: 113.945 };
  const loc = { address: '深圳市南山区桃源街道桃源村4栋602室', lat: 22.561234, lng: 113.941234 };

  it('drops the room at building level and numbers at street level', () => {
    assert.equal(buildingOf(loc.address), '深圳市南山区桃源街道桃源村4栋');
    assert.equal(buildingOf('桃源村3栋2单元501'), '桃源村3栋2单元');
    assert.equal(buildingOf('Nanshan Road 12, 501'), 'Nanshan Road 12');
    assert.equal(streetOf(loc.address), '深圳市南山区桃源街道桃源村');
  });

  it('maps each precision to what a public listing shows', () => {
    assert.deepEqual(coarsen('exact', loc, community), { address: loc.address, lat: loc.lat, long: loc.lng });
    assert.deepEqual(coarsen('building', loc, community), {
      address: '深圳市南山区桃源街道桃源村4栋',
      lat: 22.5612,
      long: 113.9412,
    });
    assert.deepEqual(coarsen('street', loc, community), {
      address: '深圳市南山区桃源街道桃源村',
      lat: 22.561,
      long: 113.941,
    });
    assert.deepEqual(coarsen('community', loc, community), {
      address: '桃源社区',
      lat: 22.56,
      long: 113.945,
    });
    assert.deepEqual(coarsen('hidden', loc, community), { address: null, lat: null, long: null });
    assert.deepEqual(coarsen('building', { address: null, lat: null, lng: null }, community), {
      address: null,
      lat: null,
      long: null,
    });
  });
});
