import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import type { Kysely } from 'kysely';
import { freshDatabase } from '../helpers.ts';
import * as migration from '../../src/platform/db/migrations/2026120501_missing_person.ts';

const CODE = 'safety_emergency.missing_person';

describe('migration 2026120501: the missing-person sub-category reaches databases seeded before it', () => {
  it('adds the category and its Open311 settings where the built-in taxonomy is, once, and takes them back', async () => {
    const fresh = await freshDatabase();
    try {
      const db = fresh.database.db as unknown as Kysely<unknown>;
      // A database as an older release left it: the built-in safety categories, no missing person.
      await sql`delete from open311_services where category_code = ${CODE}`.execute(db);
      await sql`insert into categories (code, parent_code, name_zh, name_en, is_private, sort_order, questions_json, active)
        values ('safety_emergency', null, '安全应急', 'Safety and emergency', 0, 400, '[]', 1),
               ('safety_emergency.fire', 'safety_emergency', '火情', 'Fire', 0, 401, '[]', 1),
               ('safety_emergency.hazard', 'safety_emergency', '安全隐患', 'Hazards', 0, 408, '[]', 1)`.execute(
        db,
      );

      await migration.up(db);
      await migration.up(db); // a second run changes nothing
      const cats = await sql<{ code: string; parent_code: string; is_private: number; sort_order: number }>`
        select code, parent_code, is_private, sort_order from categories where code = ${CODE}`.execute(db);
      assert.deepEqual(
        cats.rows.map((r) => [r.code, r.parent_code, Number(r.is_private), Number(r.sort_order)]),
        [[CODE, 'safety_emergency', 1, 409]],
      );
      const services = await sql<{ address_precision: string; keywords_zh: string }>`
        select address_precision, keywords_zh from open311_services where category_code = ${CODE}`.execute(
        db,
      );
      assert.deepEqual(services.rows, [{ address_precision: 'hidden', keywords_zh: '走失,走丢,寻人' }]);

      await migration.down(db);
      const left = await sql<{
        n: number;
      }>`select count(*) as n from categories where code = ${CODE}`.execute(db);
      assert.equal(Number(left.rows[0]?.n), 0);
    } finally {
      await fresh.dispose();
    }
  });

  it('leaves a deployment with its own taxonomy alone', async () => {
    const fresh = await freshDatabase();
    try {
      const db = fresh.database.db as unknown as Kysely<unknown>;
      await sql`insert into categories (code, parent_code, name_zh, name_en, is_private, sort_order, questions_json, active)
        values ('repairs', null, '维修', 'Repairs', 0, 1, '[]', 1)`.execute(db);
      await migration.up(db);
      const cats = await sql<{ code: string }>`select code from categories order by code`.execute(db);
      assert.deepEqual(
        cats.rows.map((r) => r.code),
        ['repairs'],
      );
    } finally {
      await fresh.dispose();
    }
  });
});
