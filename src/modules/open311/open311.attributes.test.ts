import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { checkAttributes, describeAnswers, readAttributeFields } from './open311.attributes.ts';
import type { CategoryQuestion } from './open311.types.ts';

const L = (zh: string) => ({ zh, en: zh });
const Q: CategoryQuestion[] = [
  {
    code: 'kind',
    datatype: 'singlevaluelist',
    required: true,
    order: 1,
    label: L('类型'),
    values: [
      { key: 'a', label: L('甲') },
      { key: 'b', label: L('乙') },
    ],
  },
  {
    code: 'when',
    datatype: 'multivaluelist',
    required: false,
    order: 2,
    label: L('时段'),
    values: [
      { key: 'am', label: L('上午') },
      { key: 'pm', label: L('下午') },
    ],
  },
  { code: 'n', datatype: 'number', required: false, order: 3, label: L('数量') },
  { code: 'at', datatype: 'datetime', required: false, order: 4, label: L('时间') },
  { code: 's', datatype: 'string', required: false, order: 5, label: L('短句') },
  { code: 't', datatype: 'text', required: false, order: 6, label: L('说明') },
  { code: 'info', datatype: 'string', variable: false, required: true, order: 7, label: L('提示') },
];

describe('attributes', () => {
  it('refuses a date that is not on the calendar and a number past the integer range', () => {
    const check = (fields: Record<string, string>) =>
      checkAttributes(Q, readAttributeFields({ 'attribute[kind]': 'a', ...fields }), 'x').problems;
    assert.deepEqual(check({ 'attribute[at]': '2026-02-28T10:00:00+08:00' }), []);
    assert.match(check({ 'attribute[at]': '2026-02-30T10:00:00+08:00' }).join(), /attribute\[at\]/);
    assert.match(check({ 'attribute[at]': '2026-11-20T24:00:00+08:00' }).join(), /attribute\[at\]/);
    assert.deepEqual(check({ 'attribute[n]': '2147483647' }), []);
    assert.match(check({ 'attribute[n]': '1e308' }).join(), /attribute\[n\]/);
    assert.match(check({ 'attribute[n]': '-2147483648' }).join(), /attribute\[n\]/);
  });

  it('reads attribute[CODE] and attribute[CODE][] fields, repeated or not', () => {
    const f = readAttributeFields({
      'attribute[kind]': 'a',
      'attribute[when][]': ['am', 'pm'],
      other: 'x',
      'attribute[n]': '3',
    });
    assert.deepEqual(
      [...f],
      [
        ['kind', ['a']],
        ['when', ['am', 'pm']],
        ['n', ['3']],
      ],
    );
  });

  it('accepts well-typed answers and skips information-only questions', () => {
    const f = readAttributeFields({
      'attribute[kind]': 'b',
      'attribute[when][]': ['pm', 'pm'],
      'attribute[n]': '2.5',
      'attribute[at]': '2026-11-20T08:30:00+08:00',
      'attribute[s]': '一句话',
      'attribute[t]': '多行\n说明',
    });
    const r = checkAttributes(Q, f, 'svc');
    assert.deepEqual(r.problems, []);
    assert.deepEqual(r.answers, {
      kind: 'b',
      when: ['pm'],
      n: 2.5,
      at: '2026-11-20T08:30:00+08:00',
      s: '一句话',
      t: '多行\n说明',
    });
    assert.equal(describeAnswers(Q, r.answers, 'zh').split('；')[0], '类型：乙');
  });

  it('names every problem: missing, unknown, wrong type, not a listed value, too many values', () => {
    const f = readAttributeFields({
      'attribute[when][]': ['am', 'noon'],
      'attribute[n]': 'many',
      'attribute[at]': 'tomorrow',
      'attribute[s]': 'two\nlines',
      'attribute[zzz]': '1',
    });
    const r = checkAttributes(Q, f, 'svc');
    const text = r.problems.join(' | ');
    for (const p of [
      'attribute[kind]: required',
      'attribute[zzz]',
      'noon is not one of',
      'expected a number',
      'ISO 8601',
      'no line breaks',
    ])
      assert.ok(text.includes(p), `${p} in ${text}`);
    const twice = checkAttributes(Q, readAttributeFields({ 'attribute[kind]': ['a', 'b'] }), 'svc');
    assert.match(twice.problems.join(), /takes one value/);
  });
});
