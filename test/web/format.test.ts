/** The apps' shared formatting: times say their year when it is not this year's, and a place is never a dash when a point was picked. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { categoryName, formatPlace, formatTime, labelled, mapLink } from '../../web/src/lib/format.ts';

describe('formatting for the apps', () => {
  const now = new Date(2026, 11, 7, 9, 0);
  it("a time of this year without the year, another year's with it", () => {
    const thisYear = formatTime('zh', new Date(2026, 1, 3, 8, 5).toISOString(), now);
    const lastYear = formatTime('zh', new Date(2025, 11, 17, 2, 44).toISOString(), now);
    assert.doesNotMatch(thisYear, /2026/);
    assert.match(thisYear, /02\/03/);
    assert.match(lastYear, /2025/);
    assert.match(formatTime('en', new Date(2025, 11, 17, 2, 44).toISOString(), now), /2025/);
    assert.equal(formatTime('zh', null, now), '—');
    assert.equal(formatTime('zh', 'not a time', now), '—');
  });

  it('a place: the address, else the point picked, else a dash', () => {
    assert.equal(
      formatPlace({ address: '桃源村一区3栋', location: { lat: 22.56, lng: 113.94 } }),
      '桃源村一区3栋',
    );
    assert.equal(
      formatPlace({ address: null, location: { lat: 22.560007, lng: 113.945 } }),
      '22.56001, 113.94500',
    );
    assert.equal(formatPlace({ address: null, location: null }), '—');
    assert.equal(mapLink({ lat: 22.560007, lng: 113.945 }), 'geo:22.560007,113.945000');
  });

  it('a label ends with the colon of its language', () => {
    assert.equal(labelled('zh', '地址'), '地址：');
    assert.equal(labelled('en', 'Address'), 'Address: ');
  });

  it('a category by its name even when the list could not be loaded, never by its code', () => {
    const list = [{ code: 'custom', parent: null, nameZh: '自定义', nameEn: 'Custom', private: false }];
    assert.equal(categoryName(list, 'zh', 'custom'), '自定义');
    assert.equal(categoryName([], 'zh', 'basic_living.elevator'), '电梯故障');
    assert.equal(categoryName([], 'en', 'basic_living'), 'Basic living');
    assert.equal(
      categoryName([], 'zh', 'basic_living.not_built_in'),
      '基本生活',
      'named by its top category',
    );
    assert.equal(categoryName([], 'zh', 'repair_water'), '其他事项');
    assert.equal(categoryName([], 'en', 'repair_water'), 'Other');
    assert.equal(categoryName([], 'zh', null), '—');
  });
});
