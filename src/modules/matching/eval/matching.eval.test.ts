import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { DEMO_RESOURCES } from '../../../seed/demo-catalogue.ts';
import { DEMO_COMMUNITIES } from '../../../seed/demo-geography.ts';
import { allCategoryCodes } from '../../taxonomy/taxonomy.default.ts';
import { evaluateMatching } from './evaluate.ts';
import type { EvalNeed } from './evaluate.ts';

const needs = JSON.parse(readFileSync(new URL('./needs.json', import.meta.url), 'utf8')) as EvalNeed[];

test('evaluation set: at least 200 well-formed needs over the demo catalogue', () => {
  assert.ok(needs.length >= 200, String(needs.length));
  const codes = new Set(DEMO_RESOURCES.map((r) => r.code));
  const categories = new Set(allCategoryCodes());
  const communities = new Set(DEMO_COMMUNITIES.map((c) => c.code));
  assert.equal(new Set(needs.map((n) => n.id)).size, needs.length);
  for (const n of needs) {
    assert.ok(communities.has(n.community), n.id);
    assert.ok(categories.has(n.category) && (!n.subcategory || categories.has(n.subcategory)), n.id);
    assert.ok(n.expected.length > 0 && n.expected.every((c) => codes.has(c)), n.id);
    assert.ok(!Number.isNaN(new Date(n.now).getTime()), n.id);
  }
});

test('evaluation set: Linli top-1 ≥ 0.95 and top-3 ≥ 0.99; baseline reported', (t) => {
  const report = evaluateMatching(needs, DEMO_RESOURCES);
  t.diagnostic(
    JSON.stringify({
      needs: report.needs,
      linli: { top1: report.linli.top1, top3: report.linli.top3 },
      baseline: { top1: report.baseline.top1, top3: report.baseline.top3 },
    }),
  );
  const topOnly = evaluateMatching(needs, DEMO_RESOURCES, { withSubcategory: false });
  t.diagnostic(JSON.stringify({ topCategoryOnly: { top1: topOnly.linli.top1, top3: topOnly.linli.top3 } }));
  for (const m of topOnly.linli.misses)
    t.diagnostic(`top-only miss ${m.id} ${m.text} expected ${m.expected.join()} got ${m.got.join()}`);
  for (const m of report.linli.misses)
    t.diagnostic(`linli miss ${m.id} ${m.text} expected ${m.expected.join()} got ${m.got.join()}`);
  assert.ok(report.linli.top1 >= 0.95, `top-1 ${report.linli.top1}`);
  assert.ok(report.linli.top3 >= 0.99, `top-3 ${report.linli.top3}`);
  assert.ok(report.linli.top1 > report.baseline.top1);
});
