import { sql } from 'kysely';
import type { Kysely } from 'kysely';

/**
 * The built-in taxonomy gains `safety_emergency.missing_person` (人员走失): an elderly person
 * who wandered off, a lost child. A database seeded before it existed gets the row here, with its
 * Open311 publication settings (withheld from public listings, like medical emergencies). A
 * deployment with its own taxonomy (no `safety_emergency` row) is left alone. The values are
 * written out rather than read from the application's taxonomy, so that this migration does
 * the same thing whatever the taxonomy becomes later.
 */
const CODE = 'safety_emergency.missing_person';
const PARENT = 'safety_emergency';

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`insert into categories (code, parent_code, name_zh, name_en, is_private, sort_order, questions_json, active)
    select ${CODE}, ${PARENT}, '人员走失', 'Missing person', 1,
      (select coalesce(max(s.sort_order), 0) + 1 from categories s where s.parent_code = ${PARENT}), '[]', 1
    where exists (select 1 from categories p where p.code = ${PARENT})
      and not exists (select 1 from categories c where c.code = ${CODE})`.execute(db);
  await sql`insert into open311_services (category_code, exposed, service_type, address_precision, keywords_zh, keywords_en)
    select ${CODE}, 1, 'realtime', 'hidden', '走失,走丢,寻人', 'missing person'
    where exists (select 1 from categories c where c.code = ${CODE})
      and not exists (select 1 from open311_services s where s.category_code = ${CODE})`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  // Orders filed under the sub-category keep it: the row stays while any order uses it.
  await sql`delete from open311_services where category_code = ${CODE}
    and not exists (select 1 from work_orders w where w.subcategory = ${CODE})`.execute(db);
  await sql`delete from categories where code = ${CODE}
    and not exists (select 1 from work_orders w where w.subcategory = ${CODE})`.execute(db);
}
