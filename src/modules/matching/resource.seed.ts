/**
 * Loads the demo catalogue into a seeded database: every demo resource and service package of the
 * demo communities, named field staff for each resource (so a dispatch names a person), their
 * capability, and the default dispatch rules. Idempotent: a community that has resources is left
 * as it is.
 */
import type { Database } from '../../platform/db/database.ts';
import { newId } from '../../platform/ids.ts';
import { DEMO_RESOURCES, DEMO_SERVICE_PACKAGES } from '../../seed/demo-catalogue.ts';
import { DEMO_COMMUNITIES } from '../../seed/demo-geography.ts';
import type { DemoResource } from '../../seed/demo-catalogue.ts';
import { insertDispatchRules } from './dispatch.repository.ts';
import { defaultRules } from './dispatch.rules.ts';
import * as repo from './resource.repository.ts';

export interface CatalogueSeedOptions {
  now: Date;
  /** Password hash for the staff accounts created (the demo's shared password). */
  passwordHash: string;
}

const SURNAMES = [
  '张',
  '王',
  '李',
  '赵',
  '刘',
  '陈',
  '杨',
  '黄',
  '周',
  '吴',
  '徐',
  '孙',
  '马',
  '朱',
  '胡',
  '郭',
];
const GIVEN = [
  '伟',
  '芳',
  '敏',
  '静',
  '磊',
  '军',
  '洋',
  '勇',
  '艳',
  '杰',
  '涛',
  '明',
  '超',
  '霞',
  '平',
  '刚',
];

/** Teams and organisations get two people, so load balancing has someone to balance between. */
const staffCount = (r: DemoResource): number => (r.type === 'team' || r.type === 'organisation' ? 2 : 1);

export async function seedDemoCatalogue(
  database: Database,
  options: CatalogueSeedOptions,
): Promise<{ resources: number; packages: number; staff: number }> {
  const db = database.db;
  const at = options.now.toISOString();
  const communities = await db.selectFrom('communities').select(['id', 'code']).execute();
  let resources = 0;
  let packages = 0;
  let staff = 0;
  for (const c of communities) {
    const mine = DEMO_RESOURCES.filter((r) => r.communityCode === c.code);
    if (mine.length === 0) continue;
    if ((await repo.resourcesOf(db, c.id, { includeInactive: true })).length > 0) continue;
    // The demo's own "provider" login works for the repair team, so it receives real dispatches.
    const ci = DEMO_COMMUNITIES.findIndex((d) => d.code === c.code);
    const suffix = ci <= 0 ? '' : String(ci + 1);
    const provider = await db
      .selectFrom('users')
      .select('id')
      .where('username', '=', `provider${suffix}`)
      .executeTakeFirst();
    await db.transaction().execute(async (trx) => {
      const idOf = new Map<string, string>();
      let n = 0;
      for (const r of mine) {
        const id = newId();
        idOf.set(r.code, id);
        await repo.insertResource(trx, {
          id,
          community_id: c.id,
          code: r.code,
          name: r.name,
          type: r.type,
          categories_json: JSON.stringify(r.categories),
          keywords_json: JSON.stringify(r.keywords),
          lat: r.location.lat,
          lng: r.location.lng,
          address: r.address,
          service_area_json: JSON.stringify(r.serviceArea),
          capacity_concurrent: r.capacity.concurrent,
          capacity_daily: r.capacity.dailyQuota,
          opening_hours_json: JSON.stringify(r.openingHours),
          contacts_json: JSON.stringify({ phone: r.phone }),
          rating: r.rating,
          on_duty: r.onDuty ? 1 : 0,
          emergency_responder: r.emergencyResponder ? 1 : 0,
          skills_json: JSON.stringify(r.skills),
          certificates_json: JSON.stringify(r.certificates),
          active: 1,
          version: 1,
          created_at: at,
          updated_at: at,
        });
        resources++;
        const userIds: string[] = [];
        for (let k = 1; k <= staffCount(r); k++) {
          const userId = newId();
          const name = `${SURNAMES[n % SURNAMES.length]}${GIVEN[(n * 7 + k) % GIVEN.length]}`;
          n++;
          await trx
            .insertInto('users')
            .values({
              id: userId,
              username: `${r.code}-${k}`,
              display_name: name,
              role: 'provider',
              phone: `1356${String(resources).padStart(4, '0')}${String(k).padStart(3, '0')}`,
              password_hash: options.passwordHash,
              active: 1,
              created_at: at,
            })
            .execute();
          await trx.insertInto('user_communities').values({ user_id: userId, community_id: c.id }).execute();
          await repo.upsertCapability(trx, {
            user_id: userId,
            skills_json: JSON.stringify(r.skills),
            certificates_json: JSON.stringify(r.certificates),
            // Responders on call around the clock; everyone else works their resource's hours.
            duty_hours_json: null,
            updated_at: at,
          });
          userIds.push(userId);
          staff++;
        }
        if (provider && r.code === `${c.code}-water-electric`) userIds.push(provider.id);
        await repo.replaceStaff(trx, id, userIds);
      }
      for (const p of DEMO_SERVICE_PACKAGES.filter((x) => x.communityCode === c.code)) {
        const resourceId = idOf.get(p.resourceCode);
        if (!resourceId) continue;
        await repo.insertPackage(trx, {
          id: newId(),
          community_id: c.id,
          code: p.code,
          resource_id: resourceId,
          name: p.name,
          category: p.category,
          description: p.description,
          duration_minutes: p.durationMinutes,
          price_cny: p.priceCny,
          eligibility_json: JSON.stringify(p.eligibility),
          active: 1,
          created_at: at,
          updated_at: at,
        });
        packages++;
      }
      await insertDispatchRules(trx, defaultRules(c.id, at));
    });
  }
  return { resources, packages, staff };
}
