/**
 * What every deployment needs before its first community, demo or not: the default category
 * tree with its questions and the default SLA calendars and policies. Idempotent: it fills only
 * what is missing, so `linli setup` may run on a database that already holds them.
 */
import type { Database } from '../platform/db/database.ts';
import { DEFAULT_TAXONOMY } from '../modules/taxonomy/taxonomy.default.ts';
import { applyDefaultQuestions } from '../modules/open311/open311.repository.ts';
import { seedSla } from '../modules/sla/sla.seed.ts';

/** The rows of the default category tree (top categories, then their sub-categories). */
export function defaultCategoryRows() {
  return DEFAULT_TAXONOMY.flatMap((top, i) => [
    {
      code: top.code,
      parent_code: null,
      name_zh: top.nameZh,
      name_en: top.nameEn,
      is_private: top.private ? 1 : 0,
      sort_order: i * 100,
      questions_json: '[]',
      active: 1,
    },
    ...(top.children ?? []).map((s, j) => ({
      code: s.code,
      parent_code: top.code,
      name_zh: s.nameZh,
      name_en: s.nameEn,
      is_private: s.private ? 1 : 0,
      sort_order: i * 100 + j + 1,
      questions_json: '[]',
      active: 1,
    })),
  ]);
}

/** Categories (when there are none yet), their default questions, and the SLA defaults. */
export async function ensureBaseline(database: Database, now: Date): Promise<{ categories: number }> {
  const db = database.db;
  let inserted = 0;
  await db.transaction().execute(async (trx) => {
    const any = await trx.selectFrom('categories').select('code').limit(1).executeTakeFirst();
    if (!any) {
      const rows = defaultCategoryRows();
      await trx.insertInto('categories').values(rows).execute();
      inserted = rows.length;
    }
    await applyDefaultQuestions(trx);
  });
  await seedSla(database, now);
  return { categories: inserted };
}
