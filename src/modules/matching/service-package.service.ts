import type { Deps } from '../../platform/context.ts';
import type { Principal } from '../../platform/auth/principal.ts';
import { notFound } from '../../platform/errors.ts';
import { newId } from '../../platform/ids.ts';
import { allCategoryCodes } from '../taxonomy/taxonomy.default.ts';
import { communityFor, requireEditor } from './resource.access.ts';
import type { Problem } from './resource.model.ts';
import * as repo from './resource.repository.ts';
import type { PackageBody } from './resource.schema.ts';
import type { CatalogueService } from './resource.service.ts';
import { refused } from './resource.service.ts';

const CATEGORY_CODES = new Set(allCategoryCodes());
const CODE = /^[a-z0-9][a-z0-9._-]{0,63}$/;

/** Standardised services (meal delivery, fall-prevention training, appliance repair …) offered by resources. */
export class ServicePackageService {
  constructor(
    private readonly deps: Deps,
    private readonly catalogue: CatalogueService,
  ) {}

  private get db() {
    return this.deps.database.db;
  }

  async list(p: Principal, communityRef: string) {
    const c = await communityFor(this.db, p, communityRef);
    return repo.packagesOf(this.db, c.id);
  }

  async get(p: Principal, id: string) {
    const row = await repo.findPackage(this.db, id);
    if (!row || row.active !== 1) throw notFound('not_found', 'service package', id);
    await communityFor(this.db, p, row.community_id).catch(() => {
      throw notFound('not_found', 'service package', id);
    });
    return row;
  }

  private async check(communityId: string, input: PackageBody, currentId: string | null) {
    const problems: Problem[] = [];
    if (!CODE.test(input.code))
      problems.push({ field: 'code', message: 'use lower-case letters, digits, ".", "_" or "-"' });
    if (!CATEGORY_CODES.has(input.category)) {
      problems.push({ field: 'category', message: `unknown category "${input.category}"` });
    }
    if (input.durationMinutes <= 0)
      problems.push({ field: 'durationMinutes', message: 'must be more than 0' });
    if (input.priceCny < 0)
      problems.push({ field: 'priceCny', message: 'a price cannot be negative (0 = free)' });
    const resource =
      (await repo.findResourceByCode(this.db, communityId, input.resourceId)) ??
      (await repo.findResource(this.db, input.resourceId));
    if (!resource || resource.community_id !== communityId || resource.active !== 1) {
      problems.push({
        field: 'resourceId',
        message: `no active resource ${input.resourceId} in this community`,
      });
    }
    const same = await repo.findPackageByCode(this.db, communityId, input.code);
    if (same && same.id !== currentId) {
      problems.push({ field: 'code', message: `a package with code ${input.code} exists in this community` });
    }
    if (problems.length || !resource) throw refused(problems);
    return resource;
  }

  async create(p: Principal, communityRef: string, input: PackageBody) {
    const c = await communityFor(this.db, p, communityRef);
    requireEditor(p, c.id);
    const resource = await this.check(c.id, input, null);
    const at = this.deps.clock.now().toISOString();
    const row = {
      id: newId(),
      community_id: c.id,
      code: input.code,
      resource_id: resource.id,
      name: input.name,
      category: input.category,
      description: input.description,
      duration_minutes: input.durationMinutes,
      price_cny: input.priceCny,
      eligibility_json: JSON.stringify(input.eligibility ?? []),
      active: 1,
      created_at: at,
      updated_at: at,
    };
    await this.db.transaction().execute(async (trx) => {
      await repo.insertPackage(trx, row);
      await this.catalogue.audit(trx, p, c.id, 'service_package.created', row.id, { code: row.code });
    });
    return row;
  }

  async update(p: Principal, id: string, input: PackageBody) {
    const current = await this.get(p, id);
    requireEditor(p, current.community_id);
    const resource = await this.check(current.community_id, input, id);
    const at = this.deps.clock.now().toISOString();
    await this.db.transaction().execute(async (trx) => {
      await repo.updatePackage(trx, id, {
        code: input.code,
        resource_id: resource.id,
        name: input.name,
        category: input.category,
        description: input.description,
        duration_minutes: input.durationMinutes,
        price_cny: input.priceCny,
        eligibility_json: JSON.stringify(input.eligibility ?? []),
        updated_at: at,
      });
      await this.catalogue.audit(trx, p, current.community_id, 'service_package.updated', id, {
        code: input.code,
      });
    });
    return this.get(p, id);
  }

  async remove(p: Principal, id: string): Promise<void> {
    const current = await this.get(p, id);
    requireEditor(p, current.community_id);
    const at = this.deps.clock.now().toISOString();
    await this.db.transaction().execute(async (trx) => {
      await repo.updatePackage(trx, id, { active: 0, updated_at: at });
      await this.catalogue.audit(trx, p, current.community_id, 'service_package.retired', id, {
        code: current.code,
      });
    });
  }
}
