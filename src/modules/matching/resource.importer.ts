import type { Deps } from '../../platform/context.ts';
import type { Principal } from '../../platform/auth/principal.ts';
import { CsvError } from '../../platform/csv.ts';
import { AppError } from '../../platform/errors.ts';
import { newId } from '../../platform/ids.ts';
import { communityFor, requireEditor } from './resource.access.ts';
import { columnsOf, validateResource } from './resource.model.ts';
import type { ServiceArea } from './matching.types.ts';
import { columnOf, readSheet, rowsFromSheet } from './resource.import.ts';
import type { ImportProblem, ImportRow } from './resource.import.ts';
import * as repo from './resource.repository.ts';
import type { CatalogueService } from './resource.service.ts';

export interface ResourceImportReport {
  dryRun: boolean;
  format: string;
  rows: number;
  created: number;
  updated: number;
  problems: ImportProblem[];
}

/** Imports a resource catalogue from CSV or XLSX: every row valid, or nothing written. */
export class ResourceImporter {
  constructor(
    private readonly deps: Deps,
    private readonly catalogue: CatalogueService,
  ) {}

  private get db() {
    return this.deps.database.db;
  }

  async import(
    p: Principal,
    communityRef: string,
    file: Buffer,
    fileName: string,
    dryRun: boolean,
  ): Promise<ResourceImportReport> {
    const c = await communityFor(this.db, p, communityRef);
    requireEditor(p, c.id);
    let sheet;
    try {
      sheet = await readSheet(file, fileName);
    } catch (err) {
      if (err instanceof CsvError) {
        throw new AppError('invalid_input', err.message, { field: 'file', file: fileName, row: err.row });
      }
      throw err;
    }
    const { rows, problems } = rowsFromSheet(sheet);
    const checkCtx = await this.catalogue.checkContext(c);
    const valid: Array<ImportRow & { serviceArea: ServiceArea; staff: string[] }> = [];
    for (const r of rows) {
      const v = validateResource(r.input, checkCtx);
      for (const x of v.problems)
        problems.push({ row: r.row, column: columnOf(x.field), message: x.message });
      const staff = await this.catalogue.resolveStaff(c.id, r.input.staff ?? []);
      for (const x of staff.problems) problems.push({ row: r.row, column: 'staff', message: x.message });
      if (v.serviceArea) valid.push({ ...r, serviceArea: v.serviceArea, staff: staff.userIds });
    }
    const unique = dedupe(problems);
    const existing = new Map(
      (await repo.resourcesOf(this.db, c.id, { includeInactive: true })).map((r) => [r.code, r]),
    );
    const report: ResourceImportReport = {
      dryRun,
      format: sheet.format,
      rows: sheet.records.length,
      created: unique.length ? 0 : valid.filter((r) => !existing.has(r.input.code)).length,
      updated: unique.length ? 0 : valid.filter((r) => existing.has(r.input.code)).length,
      problems: unique,
    };
    if (unique.length) {
      if (dryRun) return report;
      const first = unique[0];
      throw new AppError(
        'validation_failed',
        `${unique.length} problem(s) in ${fileName}, nothing was imported: row ${first?.row}, ${first?.column}: ${first?.message}`,
        { field: first?.column, file: fileName, problems: unique.slice(0, 200) },
      );
    }
    if (dryRun) return report;
    const at = this.deps.clock.now().toISOString();
    await this.db.transaction().execute(async (trx) => {
      for (const r of valid) {
        const cols = columnsOf(r.input, r.serviceArea);
        const current = existing.get(r.input.code);
        let id = current?.id;
        if (current) {
          const ok = await repo.updateResourceIfVersion(trx, current.id, current.version, {
            ...cols,
            active: 1,
            updated_at: at,
          });
          if (!ok)
            throw new AppError('version_conflict', `resource ${current.code} changed during the import`);
        } else {
          id = newId();
          await repo.insertResource(trx, {
            id,
            community_id: c.id,
            ...cols,
            active: 1,
            version: 1,
            created_at: at,
            updated_at: at,
          });
        }
        if (id && r.staff.length) await repo.replaceStaff(trx, id, r.staff);
      }
      await this.catalogue.staleInside(trx, c.id);
      await this.catalogue.audit(trx, p, c.id, 'resource.imported', c.id, {
        file: fileName,
        created: report.created,
        updated: report.updated,
      });
    });
    this.catalogue.invalidate(c.id);
    return report;
  }
}

function dedupe(problems: ImportProblem[]): ImportProblem[] {
  const seen = new Set<string>();
  return problems
    .filter((x) => {
      const key = `${x.row}|${x.column}`;
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    })
    .sort((a, b) => a.row - b.row);
}
