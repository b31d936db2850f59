import { test } from 'node:test';
import assert from 'node:assert/strict';
import { maskPersonalNumbers, normalizeText } from './normalize.ts';
import { extractTermCounts, isPresegmented, segmentUnits, DEFAULT_FEATURE_CONFIG } from './features.ts';

test('NFKC folds full-width letters, digits and punctuation', () => {
  assert.equal(normalizeText('ＡＢＣ１２３，电梯！'), 'abc123,电梯!');
  assert.equal(normalizeText('３号楼　２单元'), '3号楼 2单元');
});

test('traditional characters become simplified', () => {
  assert.equal(normalizeText('電梯壞了，請儘快維修'), '电梯坏了,请尽快维修');
  assert.equal(normalizeText('燃氣洩漏'), '燃气泄漏');
});

test('Latin is lower-cased and whitespace collapsed', () => {
  assert.equal(normalizeText('  WiFi   坏了\n\t谢谢 '), 'wifi 坏了 谢谢');
});

test('phone numbers and ID numbers are masked before features', () => {
  assert.equal(normalizeText('电话13812345678'), '电话 <tel>');
  assert.equal(normalizeText('打138-1234-5678或者+86 139 1234 5678'), '打 <tel> 或者 <tel>');
  assert.equal(normalizeText('座机0731-84561234'), '座机 <tel>');
  assert.equal(normalizeText('身份证430102195501011234'), '身份证 <id>');
  assert.equal(normalizeText('身份证43010219550101123X'), '身份证 <id>');
  assert.equal(maskPersonalNumbers('3号楼2单元601'), '3号楼2单元601');
  const counts = extractTermCounts(normalizeText('我的电话是13812345678'), DEFAULT_FEATURE_CONFIG);
  assert.ok(counts.has('<tel>'));
  assert.ok(![...counts.keys()].some((k) => /\d{3,}/.test(k)), 'no digits survive into features');
});

test('segments: punctuation and spaces separate, digit runs fold to 0', () => {
  assert.deepEqual(segmentUnits('3号楼,漏水 a1区'), [
    ['0', '号', '楼'],
    ['漏', '水'],
    ['a0', '区'],
  ]);
});

test('pre-segmented text is recognised and n-grams do not cross token gaps', () => {
  const tokens = '楼顶 水箱 长年 不洗 小区 高层 二次 供水';
  assert.equal(isPresegmented(tokens), true);
  assert.equal(isPresegmented('楼顶水箱长年不洗，小区高层二次供水'), false);
  const c = extractTermCounts(tokens, DEFAULT_FEATURE_CONFIG);
  assert.ok(c.has('水箱') && c.has('_水箱'));
  assert.ok(!c.has('顶水'), 'no bigram across a token boundary');
  const raw = extractTermCounts('楼顶水箱长年不洗', DEFAULT_FEATURE_CONFIG);
  assert.ok(raw.has('_水箱'), 'jieba finds the same words in raw text');
});
