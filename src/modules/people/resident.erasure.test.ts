import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { anonymise, anonymiseJson, anonymisedOrder, erasedRecord, ERASED_NAME } from './resident.erasure.ts';
import type { ErasedPerson, OrderText } from './resident.erasure.ts';

const wang: ErasedPerson = {
  id: 'r1',
  name: '王秀英',
  formerNames: [],
  phone: '13800000001',
  idNumber: '440305195001019010',
  emergencyContactName: '刘敏',
  emergencyContactPhone: '13712340001',
};

const order = (o: Partial<OrderText>): OrderText => ({
  description: '',
  reporter_type: 'user',
  reporter_id: 'u1',
  reporter_name: null,
  reporter_phone: null,
  resolution_note: null,
  rating_comment: null,
  closure_reason: null,
  referred_to: null,
  attributes_json: null,
  ...o,
});

describe('resident erasure (pure)', () => {
  it('blanks the name as people write it, the contact’s name, and every phone, ID number and e-mail', () => {
    const out = anonymise(
      '王秀英家漏水，王阿姨说找秀英奶奶的女儿刘敏，电话１３８００００００01，身份证110101199003074512，a@b.cn；老王家隔壁',
      wang,
    );
    assert.doesNotMatch(out, /王秀英|王阿姨|秀英|刘敏|138|110101|a@b\.cn|老王/);
    assert.match(out, /家漏水/);
    assert.match(out, /阿姨/, 'the honorific stays, the name goes');
  });

  it('leaves text without her alone, and null and empty as they are', () => {
    assert.equal(anonymise('楼道灯坏了', wang), '楼道灯坏了');
    assert.equal(anonymise(null, wang), null);
    assert.equal(anonymise('', wang), '');
  });

  it('clears the reporter only where the reporter was her', () => {
    assert.deepEqual(
      anonymisedOrder(
        order({
          reporter_type: 'resident',
          reporter_id: 'r1',
          reporter_name: '王秀英',
          reporter_phone: '13800000001',
        }),
        wang,
      ),
      { reporter_name: null, reporter_phone: null },
    );
    assert.deepEqual(
      anonymisedOrder(order({ reporter_name: '接线员', reporter_phone: '13800000001' }), wang),
      { reporter_name: null, reporter_phone: null },
      'an agent took her call',
    );
    assert.deepEqual(
      anonymisedOrder(
        order({ reporter_name: '张邻居', reporter_phone: '13955550000', description: '楼道灯坏了' }),
        wang,
      ),
      {},
      'a neighbour keeps theirs; nothing else changes',
    );
  });

  it('names only the columns that change', () => {
    const set = anonymisedOrder(
      order({ description: '王秀英家漏水', resolution_note: '已修好', rating_comment: '谢谢 13800000001' }),
      wang,
    );
    assert.deepEqual(Object.keys(set).sort(), ['description', 'rating_comment']);
  });

  it('anonymises intake answers inside JSON, and says null when nothing changes', () => {
    const json = JSON.stringify({ contact: { phone: '13800000001', name: '王秀英' }, floors: 6, ok: true });
    const out = anonymiseJson(json, wang);
    assert.ok(out);
    assert.deepEqual(JSON.parse(out), { contact: { phone: '***', name: '***' }, floors: 6, ok: true });
    assert.equal(anonymiseJson(JSON.stringify({ floors: 6 }), wang), null);
    assert.equal(anonymiseJson('not json', wang), null);
    assert.equal(anonymiseJson(null, wang), null);
  });

  it('leaves no personal field on the record', () => {
    const r = erasedRecord('2026-12-06T00:00:00.000Z');
    assert.equal(r.name, ERASED_NAME);
    for (const k of [
      'phone',
      'id_number',
      'birth_year',
      'emergency_contact_name',
      'emergency_contact_phone',
      'preferred_channel',
      'household_id',
      'household_since',
    ] as const)
      assert.equal(r[k], null, k);
    assert.deepEqual([r.tags_json, r.tags_consent], ['[]', 0]);
  });

  it('finds her numbers and name however they are written, and only where they stand alone', () => {
    const her: ErasedPerson = {
      ...wang,
      emergencyContactName: '女儿',
      emergencyContactPhone: '0755-26001234',
    };
    for (const t of [
      '王 秀英',
      '王·秀英',
      '138.0000.0001',
      '1 3 8 0 0 0 0 0 0 0 1',
      '一三八零零零零零零零一',
      '幺三八零零零零零零零幺',
      '+86 138 0000 0001',
      '440305 19500101 9010',
      '440305-19500101-9010',
      '0755 2600 1234',
      '26001234',
    ])
      assert.equal(anonymise(`电话：${t}。`, her), '电话：***。', t);
    // Another number that holds hers, and a relation word given as a contact's name, stay.
    assert.equal(anonymise('订单号 20261380000000123', her), '订单号 20261380000000123');
    assert.equal(anonymise('我女儿明天来', her), '我女儿明天来');
  });

  it('blanks the names she had before a rename as it blanks today’s, with separators, longest first', () => {
    // Renamed 王秀 → 周秀英 → 王秀英: text written before names her by either.
    const her: ErasedPerson = { ...wang, formerNames: ['王秀', '周秀英'] };
    const out = anonymise('周秀英来电；周 秀英说王秀家漏水，周阿姨再打；王秀英', her);
    assert.doesNotMatch(out, /周秀英|周\s秀英|王秀|周阿姨|秀英/);
    assert.equal(anonymise('周·秀英', her), '***');
    // The reporter's name is hers when it is any of her names.
    assert.deepEqual(
      anonymisedOrder(order({ reporter_name: '周秀英', reporter_phone: '13912345678' }), her),
      {
        reporter_name: null,
        reporter_phone: null,
      },
    );
    // Without them, the old names stay (what this fixes).
    assert.match(anonymise('周秀英来电', wang), /周秀英/);
  });

  it('property: neither her phone, her ID number nor her full name survives, wherever they stand in a text', () => {
    const fragment = fc.constantFrom(
      '楼道',
      '灯坏了',
      '，',
      '。',
      ' ',
      '电话',
      '家',
      '3号楼',
      '请联系',
      'abc',
      '12',
    );
    const hers = fc.constantFrom(
      wang.name,
      wang.phone ?? '',
      '１３８０００００００１',
      wang.idNumber ?? '',
      '138-0000-0001',
    );
    // Her numbers stand apart from other digits (run into them they are another number).
    const part = fc.oneof(
      fragment,
      hers.map((h) => `，${h}，`),
    );
    fc.assert(
      fc.property(fc.array(part), (parts) => {
        const out = anonymise(parts.join(''), wang).normalize('NFKC').replace(/-/g, '');
        return (
          !out.includes(wang.name) && !out.includes(wang.phone ?? '') && !out.includes(wang.idNumber ?? '')
        );
      }),
      { numRuns: 500 },
    );
  });
});
