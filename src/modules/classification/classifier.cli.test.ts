import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import iconv from 'iconv-lite';
import { runClassifierCli, runClassifyCli } from './classifier.cli.ts';
import { fixtureCsv } from './test-fixtures.ts';

function capture(): {
  io: { out: (s: string) => void; err: (s: string) => void };
  out: string[];
  err: string[];
} {
  const out: string[] = [];
  const err: string[] = [];
  return { io: { out: (s) => out.push(s), err: (s) => err.push(s) }, out, err };
}

const dir = mkdtempSync(join(tmpdir(), 'linli-cli-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const csv = join(dir, 'train.csv');
writeFileSync(csv, fixtureCsv());
const model = join(dir, 'model.json');

test('train then eval on a small fixture (several text columns, JSON report)', async () => {
  const t = capture();
  assert.equal(
    await runClassifierCli(
      ['train', '--csv', csv, '--text', 'text,title', '--label', 'label', '--out', model],
      t.io,
    ),
    0,
  );
  assert.match(t.out.join('\n'), /trained on 90 rows, 3 classes/);
  assert.ok(existsSync(model));
  const e = capture();
  const code = await runClassifierCli(
    ['eval', '--model', model, '--csv', csv, '--text', 'text,title', '--label', 'label', '--json'],
    e.io,
  );
  assert.equal(code, 0);
  const report = JSON.parse(e.out.join('')) as {
    accuracy: number;
    macroF1: number;
    confusion: number[][];
    perClass: object;
  };
  assert.ok(report.accuracy > 0.9, `accuracy ${report.accuracy}`);
  assert.ok(report.macroF1 > 0.9);
  assert.equal(report.confusion.length, 3);
  const plain = capture();
  await runClassifierCli(
    ['eval', '--model', model, '--csv', csv, '--text', 'text', '--label', 'label'],
    plain.io,
  );
  assert.match(plain.out.join('\n'), /accuracy .* macro-F1/);
  assert.match(plain.out.join('\n'), /confusion matrix/);
});

test('rows with an empty label are skipped', async () => {
  const f = join(dir, 'gaps.csv');
  writeFileSync(f, fixtureCsv() + '没有标签的一行,,\n');
  const t = capture();
  assert.equal(
    await runClassifierCli(
      ['train', '--csv', f, '--text', 'text', '--label', 'label', '--out', join(dir, 'g.json')],
      t.io,
    ),
    0,
  );
  assert.match(t.err.join('\n'), /skipped 1 row/);
});

test('a GBK file is detected, converted and said so', async () => {
  const f = join(dir, 'gbk.csv');
  writeFileSync(f, iconv.encode(fixtureCsv(), 'gbk'));
  const t = capture();
  assert.equal(
    await runClassifierCli(
      ['train', '--csv', f, '--text', 'text', '--label', 'label', '--out', join(dir, 'gbk.json')],
      t.io,
    ),
    0,
  );
  assert.match(t.err.join('\n'), /GB18030 text, not UTF-8; converted/);
});

test('bad input: clear message naming file/column, non-zero exit, --out untouched', async () => {
  writeFileSync(model + '.keep', readFileSync(model));
  const cases: Array<[string[], RegExp]> = [
    [
      ['train', '--csv', join(dir, 'nope.csv'), '--text', 'text', '--label', 'label', '--out', model],
      /nope\.csv: no such file/,
    ],
    [
      ['train', '--csv', csv, '--text', 'body', '--label', 'label', '--out', model],
      /train\.csv: missing column "body" \(columns are: text, title, label\)/,
    ],
    [['train', '--csv', csv, '--text', 'text', '--out', model], /missing --label/],
    [
      ['train', '--csv', csv, '--text', 'text', '--label', 'label', '--out', model, '--sed', '5'],
      /unknown option --sed/,
    ],
  ];
  for (const [args, re] of cases) {
    const t = capture();
    const code = await runClassifierCli(args, t.io);
    assert.notEqual(code, 0, args.join(' '));
    assert.match(t.err.join('\n'), re);
  }
  const empty = join(dir, 'empty.csv');
  writeFileSync(empty, '');
  const oneClass = join(dir, 'one.csv');
  writeFileSync(oneClass, 'text,label\n电梯坏了,lift\n电梯又坏了,lift\n');
  const headerOnly = join(dir, 'header.csv');
  writeFileSync(headerOnly, 'text,label\n');
  for (const [f, re] of [
    [empty, /empty\.csv: the file is empty/],
    [oneClass, /one\.csv: column "label" has only one class \("lift"\)/],
    [headerOnly, /header\.csv: no data rows/],
  ] as const) {
    writeFileSync(model, readFileSync(model + '.keep'));
    const t = capture();
    const code = await runClassifierCli(
      ['train', '--csv', f, '--text', 'text', '--label', 'label', '--out', model],
      t.io,
    );
    assert.equal(code, 1);
    assert.match(t.err.join('\n'), re);
    assert.deepEqual(
      readFileSync(model),
      readFileSync(model + '.keep'),
      'a failed training leaves --out as it was',
    );
  }
});

test('eval refuses a corrupt model and a model of another taxonomy', async () => {
  const broken = join(dir, 'broken.json');
  writeFileSync(broken, readFileSync(model, 'utf8').slice(0, 500));
  const t = capture();
  assert.equal(
    await runClassifierCli(
      ['eval', '--model', broken, '--csv', csv, '--text', 'text', '--label', 'label'],
      t.io,
    ),
    1,
  );
  assert.match(t.err.join('\n'), /broken\.json: not a model file/);
  const c = capture();
  assert.equal(
    await runClassifierCli(
      ['eval', '--model', model, '--csv', csv, '--text', 'text', '--label', 'label', '--target', 'urgency'],
      c.io,
    ),
    1,
  );
  assert.match(c.err.join('\n'), /no "urgency" output/);
  const k = capture();
  assert.equal(await runClassifyCli(['--model', broken, '电梯坏了'], k.io), 1);
});

test('classify prints category, urgency, probabilities and the explanation', async () => {
  const t = capture();
  assert.equal(await runClassifyCli(['楼道里闻到很大的煤气味'], t.io), 0);
  const text = t.out.join('\n');
  assert.match(text, /category: +safety_emergency \/ safety_emergency\.gas_leak/);
  assert.match(text, /urgency: +critical/);
  assert.match(text, /probabilities:/);
  assert.match(text, /rule "gas_leak"/);
  const j = capture();
  assert.equal(await runClassifyCli(['--model', model, '--json', '电梯坏了'], j.io), 0);
  const pred = JSON.parse(j.out.join('')) as { category: string; probabilities: Record<string, number> };
  assert.equal(pred.category, 'lift');
  const u = capture();
  assert.equal(await runClassifyCli([], u.io), 2);
  assert.match(u.err.join('\n'), /usage: linli classify/);
});

test('eval of the default model on the urgency target', async () => {
  const f = join(dir, 'urgency.csv');
  writeFileSync(
    f,
    'text,urgency\n楼下着火了,critical\n社区最近有什么活动 不着急,low\n电梯坏了好几天,normal\n',
  );
  const t = capture();
  assert.equal(
    await runClassifierCli(
      [
        'eval',
        '--model',
        'default',
        '--csv',
        f,
        '--text',
        'text',
        '--label',
        'urgency',
        '--target',
        'urgency',
        '--json',
      ],
      t.io,
    ),
    0,
  );
  const r = JSON.parse(t.out.join('')) as { accuracy: number; target: string };
  assert.equal(r.target, 'urgency');
  assert.equal(r.accuracy, 1);
});

test('classify refuses an option it does not know rather than reading it as a value', async () => {
  const t = capture();
  assert.equal(await runClassifyCli(['--jsno', '楼道灯坏了'], t.io), 2);
  assert.match(t.err.join('\n'), /unknown option --jsno/);
});
