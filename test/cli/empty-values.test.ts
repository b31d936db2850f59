/**
 * An option given an empty value is a usage error (exit 2) for every command, before anything
 * is opened: `--out ''` wrote the export to standard output, `files copy-to-database --from ''`
 * copied the working folder, `audit verify --anchors ''` verified without the node's anchors.
 */
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { cliHarness } from './cli-harness.ts';

describe('linli options given an empty value', () => {
  const h = cliHarness('empty');
  after(() => h.cleanUp());

  it('are refused with exit 2, naming the option, and nothing is written or opened', () => {
    const cases: Array<[args: string[], option: string]> = [
      [['export', 'work-orders', '--community', 'taoyuan', '--out', ''], 'out'],
      [['export', 'work-orders', '--community', 'taoyuan', '--out='], 'out'],
      [['residents', 'data', 'some-id', '--out', ''], 'out'],
      [['classifier', 'train', '--csv', 'x.csv', '--text', 't', '--label', 'l', '--out', ''], 'out'],
      [['audit', 'anchor', '--file', ''], 'file'],
      [['audit', 'verify', '--anchors', ''], 'anchors'],
      [['files', 'copy-to-database', '--from', ''], 'from'],
      [['import', 'residents', '--community', 'taoyuan', '--file', ''], 'file'],
      [['export', 'work-orders', '--community', '', '--out', 'x.csv'], 'community'],
      [['classifier', 'models', '--community', ''], 'community'],
      [['residents', 'erase', 'some-id', '--reason', ''], 'reason'],
      [
        [
          'setup',
          '--street',
          'nanshan',
          '--street-name',
          '南山街道',
          '--community',
          'lihu',
          '--name',
          '荔湖社区',
          '--center',
          '22.53,113.93',
          '--admin',
          'lihu.admin',
          '--admin-name',
          '',
        ],
        'admin-name',
      ],
    ];
    for (const [args, option] of cases) {
      const r = h.linli(args);
      assert.equal(r.status, 2, `${args.join(' ')}: ${r.stdout}${r.stderr}`);
      assert.equal(r.stdout, '', `${args.join(' ')}: nothing on standard output`);
      assert.match(r.stderr, new RegExp(`option --${option} needs a value`), args.join(' '));
    }
    if (!h.schema) assert.equal(existsSync(join(h.dataDir, 'linli.sqlite')), false, 'no database made');
  });
});
