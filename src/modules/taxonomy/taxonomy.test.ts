import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BUILTIN_TAXONOMY, allCategoryCodes, topCategory, validateTaxonomy } from './taxonomy.default.ts';

const tree = [
  {
    code: 'repairs',
    nameZh: '维修',
    nameEn: 'Repairs',
    children: [{ code: 'repairs.roof', nameZh: '屋顶', nameEn: 'Roof' }],
  },
  { code: 'safety_emergency', nameZh: '安全应急', nameEn: 'Safety' },
];

describe('taxonomy as configuration', () => {
  it('the built-in tree is valid and has 7 top categories', () => {
    assert.deepEqual(validateTaxonomy(BUILTIN_TAXONOMY), []);
    assert.equal(BUILTIN_TAXONOMY.length, 7);
    assert.ok(allCategoryCodes(BUILTIN_TAXONOMY).includes('elderly_care.bathing'));
    assert.equal(topCategory('health.checkup'), 'health');
  });

  it('names every problem of a bad tree with its path', () => {
    assert.deepEqual(validateTaxonomy(tree), []);
    const problems = validateTaxonomy([
      { code: 'Bad Code', nameZh: '', nameEn: 'x' },
      { code: 'a', nameZh: 'a', nameEn: 'a', children: [{ code: 'b.c', nameZh: 'x', nameEn: 'x' }] },
      { code: 'a', nameZh: 'a', nameEn: 'a' },
    ]);
    for (const p of [
      '[0].code',
      '[0].nameZh',
      '[1].children[0].code: must start with "a."',
      '[2].code: "a" appears twice',
      'safety_emergency',
    ]) {
      assert.ok(
        problems.some((x) => x.includes(p)),
        p,
      );
    }
    assert.deepEqual(validateTaxonomy({}), ['the taxonomy must be a non-empty array of top categories']);
  });

  it('a deployment replaces the tree with LINLI_TAXONOMY_FILE; a bad file stops start-up with the reason', () => {
    const dir = mkdtempSync(join(tmpdir(), 'linli-tax-'));
    try {
      const good = join(dir, 'tree.json');
      writeFileSync(good, JSON.stringify(tree));
      const script =
        "import('./src/modules/taxonomy/taxonomy.default.ts').then((m) => console.log(JSON.stringify(m.allCategoryCodes())))";
      const run = (file: string) =>
        spawnSync(process.execPath, ['--import', 'tsx', '-e', script], {
          env: { ...process.env, LINLI_TAXONOMY_FILE: file },
          encoding: 'utf8',
        });
      const ok = run(good);
      assert.equal(ok.status, 0, ok.stderr);
      assert.deepEqual(JSON.parse(ok.stdout), ['repairs', 'repairs.roof', 'safety_emergency']);
      const bad = join(dir, 'bad.json');
      writeFileSync(bad, JSON.stringify([{ code: 'x', nameZh: 'x', nameEn: 'x' }]));
      const failed = run(bad);
      assert.notEqual(failed.status, 0);
      assert.match(failed.stderr, /safety_emergency/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
