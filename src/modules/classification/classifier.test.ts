import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { parseCsvRecords } from '../../platform/csv.ts';
import { allCategoryCodes } from '../taxonomy/taxonomy.default.ts';
import { createClassifier, createDefaultClassifier, loadDefaultModel } from './classifier.ts';

const classifier = createDefaultClassifier();

test('the shipped model covers the default taxonomy', () => {
  const m = loadDefaultModel();
  assert.equal(m.taxonomyId, 'default');
  assert.equal(m.heads.category?.classes.length, 7);
  assert.equal(m.heads.subcategory?.classes.length, 45);
  assert.deepEqual(m.heads.urgency?.classes, ['critical', 'high', 'low', 'normal']);
});

test('everyday requests get category, sub-category and urgency', () => {
  const cases: Array<[string, string, string]> = [
    ['厨房水龙头一直滴水 麻烦派人修一下', 'basic_living', 'basic_living.water_electric'],
    ['我想给我爸预约老年人体检', 'health', 'health.checkup'],
    ['孩子三岁了想报名幼儿园', 'education_employment', 'education_employment.childcare'],
    ['社区合唱团还招人吗', 'social_culture', 'social_culture.interest_group'],
    ['想给我妈订社区食堂的午餐', 'elderly_care', 'elderly_care.meal_assistance'],
    ['我想办居住证需要什么材料', 'government_affairs', 'government_affairs.residence_permit'],
  ];
  for (const [text, cat, sub] of cases) {
    const p = classifier.predict(text);
    assert.equal(p.category, cat, text);
    assert.equal(p.subcategory, sub, text);
    assert.notEqual(p.urgency, 'critical', text);
    assert.equal(p.source, 'model');
  }
});

test('an emergency rule forces safety_emergency, its sub-category and critical, and says why', () => {
  const p = classifier.predict('我家老头子突然晕倒了叫不醒');
  assert.equal(p.category, 'safety_emergency');
  assert.equal(p.subcategory, 'safety_emergency.medical_emergency');
  assert.equal(p.urgency, 'critical');
  assert.equal(p.source, 'rule');
  assert.equal(p.explanation.rule?.ruleId, 'collapse_medical');
  assert.equal(p.needsTriage, false);
});

test('an emergency written in English is critical too, under its sub-category', () => {
  const p = classifier.predict('There is a strong smell of gas in the stairwell');
  assert.deepEqual(
    [p.category, p.subcategory, p.urgency, p.source],
    ['safety_emergency', 'safety_emergency.gas_leak', 'critical', 'rule'],
  );
});

test('a taxonomy without the rule’s sub-category still gets critical, under one of its own sub-categories', () => {
  const known = new Set(allCategoryCodes().filter((c) => c !== 'safety_emergency.missing_person'));
  const narrow = createClassifier(loadDefaultModel(), { knownCategories: known });
  for (const tables of [true, false]) {
    const p = narrow.predict('老人走失了，穿着蓝色外套', { probabilities: tables });
    assert.equal(p.category, 'safety_emergency');
    assert.equal(p.urgency, 'critical');
    assert.equal(p.explanation.rule?.ruleId, 'missing_person');
    assert.ok(p.subcategory && known.has(p.subcategory), `${p.subcategory} is in the taxonomy`);
    assert.ok(p.subcategory.startsWith('safety_emergency.'));
  }
  // With the full taxonomy the rule's own sub-category stands.
  assert.equal(classifier.predict('老人走失了，穿着蓝色外套').subcategory, 'safety_emergency.missing_person');
});

test('a near miss is not critical', () => {
  for (const text of ['燃气灶打不着火了想找人来修', '电梯广告太吵了', '燃气费怎么在网上交']) {
    const p = classifier.predict(text);
    assert.notEqual(p.urgency, 'critical', text);
    assert.equal(p.explanation.rule, null, text);
  }
});

test('only a rule makes critical: the model’s own vote for it is high, in triage, flagged as suspected', () => {
  const corpus = readFileSync(new URL('./corpus/test.csv', import.meta.url), 'utf8');
  const texts = parseCsvRecords(corpus, { fileName: 'test.csv' }).rows.map((r) => r.text ?? '');
  // Everyday requests the corpus never spelled, on which the model's n-grams (在…里了, 有人, 快来)
  // once voted critical and sent responders.
  const unseen = ['钥匙锁在家里了', '楼顶有人搭了个棚子', '电动车在楼道里充电', '我爸手机突然不见了'];
  let suspected = 0;
  for (const text of [...texts, ...unseen]) {
    for (const tables of [true, false]) {
      const p = classifier.predict(text, { probabilities: tables });
      if (p.urgency === 'critical') assert.equal(p.source, 'rule', text);
      if (p.source === 'rule') assert.equal(p.explanation.suspectedEmergency, false, text);
      if (!p.explanation.suspectedEmergency) continue;
      suspected++;
      assert.equal(p.urgency, 'high', text);
      assert.equal(p.needsTriage, true, text);
      if (tables) {
        const top = Object.entries(p.urgencyProbabilities ?? {})[0]?.[0];
        assert.equal(top, 'critical', `${text}: the urgency head voted critical`);
      }
    }
  }
  for (const text of unseen) {
    const p = classifier.predict(text);
    assert.notEqual(p.urgency, 'critical', text);
  }
  assert.ok(suspected > 0, 'some request is a suspected emergency');
});

test('low confidence goes to triage at a configurable threshold', () => {
  const strict = createDefaultClassifier({ triageThreshold: 0.999 });
  assert.equal(strict.predict('嗯 那个 我说一下').needsTriage, true);
  const lax = createDefaultClassifier({ triageThreshold: 0 });
  assert.equal(lax.predict('嗯 那个 我说一下').needsTriage, false);
});

test('prediction is fast', () => {
  const t0 = performance.now();
  for (let i = 0; i < 200; i++) classifier.predict(`3号楼电梯又坏了 老人下不了楼 第${i}次`);
  const per = (performance.now() - t0) / 200;
  assert.ok(per < 5, `${per.toFixed(3)} ms per prediction`);
});

test('without probability tables a prediction makes the same decisions and explanation', () => {
  const corpus = readFileSync(new URL('./corpus/test.csv', import.meta.url), 'utf8');
  const texts = parseCsvRecords(corpus, { fileName: 'test.csv' }).rows.map((r) => r.text ?? '');
  texts.push('燃气泄漏了，闻到很大的煤气味', '楼道里着火了快来人', '', '   ', 'hello 123');
  for (const text of texts) {
    const full = classifier.predict(text);
    const lean = classifier.predict(text, { probabilities: false });
    const { probabilities, subcategoryProbabilities, urgencyProbabilities, ...decisions } = full;
    assert.ok(probabilities && subcategoryProbabilities !== undefined && urgencyProbabilities !== undefined);
    assert.deepEqual(
      {
        ...lean,
        probabilities: undefined,
        subcategoryProbabilities: undefined,
        urgencyProbabilities: undefined,
      },
      {
        ...decisions,
        probabilities: undefined,
        subcategoryProbabilities: undefined,
        urgencyProbabilities: undefined,
      },
      text,
    );
    assert.deepEqual(lean.probabilities, {});
    assert.equal(lean.subcategoryProbabilities, null);
    assert.equal(lean.urgencyProbabilities, null);
  }
  assert.ok(texts.length > 500);
});
