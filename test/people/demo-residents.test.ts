/**
 * The demo's residents are people the residents import would take: real ID numbers (birth date,
 * check character) that agree with the birth year, one phone and one ID number per person.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { freshDatabase, TEST_NOW } from '../helpers.ts';
import { seedDemo } from '../../src/seed/demo.ts';
import { validateResidentRows } from '../../src/modules/people/resident.import.ts';

describe('demo residents', () => {
  it('pass the import checks, and no two share an ID number', async () => {
    const fresh = await freshDatabase();
    try {
      await seedDemo(fresh.database, { ordersPerCommunity: 0, now: new Date(TEST_NOW) });
      const residents = await fresh.database.db
        .selectFrom('residents')
        .select(['name', 'phone', 'id_number', 'birth_year', 'emergency_contact_phone'])
        .execute();
      assert.ok(residents.length > 100, `${residents.length} residents`);
      const header = ['name', 'address', 'phone', 'id_number', 'birth_year', 'emergency_contact_phone'];
      const rows = residents.map((r) => ({
        name: r.name,
        address: '桃源村1栋',
        phone: r.phone ?? '',
        id_number: r.id_number ?? '',
        birth_year: r.birth_year === null ? '' : String(r.birth_year),
        emergency_contact_phone: r.emergency_contact_phone ?? '',
      }));
      // In files of the import's size: within each, a repeated phone or ID number is a problem too.
      for (let i = 0; i < rows.length; i += 10_000) {
        const { problems } = validateResidentRows({ header, rows: rows.slice(i, i + 10_000) }, 2026);
        assert.deepEqual(problems.slice(0, 5), []);
      }
      const ids = residents.map((r) => r.id_number).filter((x) => x !== null);
      assert.equal(ids.length, residents.length, 'every demo resident has an ID number');
    } finally {
      await fresh.dispose();
    }
  });
});
