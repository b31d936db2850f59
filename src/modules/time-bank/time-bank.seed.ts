/**
 * The demo's time bank, in the first community: volunteers with verified service (by the
 * beneficiary, a grid worker, the manager), one record rejected, a transfer to an elderly
 * resident, her redemption, a second redemption taken by mistake at the window and reversed (冲正)
 * by the manager, and one record awaiting verification by her. Written through the
 * service, so the ledger, the balances and the audit chain are as the API would leave them.
 */
import type { Database } from '../../platform/db/database.ts';
import { ManualClock } from '../../platform/clock.ts';
import { residentPrincipalOf } from '../../platform/auth/principal.ts';
import type { Principal, StaffRole } from '../../platform/auth/principal.ts';
import { localDay } from '../work-orders/work-order.number.ts';
import { TimeBankService } from './time-bank.service.ts';

const DAY = 86_400_000;
/** 王秀英, the demo's elderly resident, and 李建国, a neighbour who volunteers. */
const ELDER_PHONE = '13800000001';
const NEIGHBOUR_PHONE = '13800000003';

export async function seedTimeBank(
  database: Database,
  now: Date,
  communityId: string | undefined,
): Promise<void> {
  if (!communityId) return;
  const db = database.db;
  const named = await db
    .selectFrom('residents')
    .selectAll()
    .where('community_id', '=', communityId)
    .where('phone', 'in', [ELDER_PHONE, NEIGHBOUR_PHONE])
    .where('erased_at', 'is', null)
    .execute();
  const others = await db
    .selectFrom('residents')
    .selectAll()
    .where('community_id', '=', communityId)
    .where('phone', 'like', '139%')
    .where('erased_at', 'is', null)
    .orderBy('phone')
    .limit(2)
    .execute();
  const elderRow = named.find((r) => r.phone === ELDER_PHONE);
  const neighbourRow = named.find((r) => r.phone === NEIGHBOUR_PHONE);
  const [aRow, bRow] = others;
  if (!elderRow || !neighbourRow || !aRow || !bRow) return;
  const [elder, neighbour, a, b] = [elderRow, neighbourRow, aRow, bRow].map(residentPrincipalOf) as [
    Principal,
    Principal,
    Principal,
    Principal,
  ];
  const staffOf = async (username: string): Promise<Principal> => {
    const u = await db
      .selectFrom('users')
      .select(['id', 'username', 'display_name', 'role'])
      .where('username', '=', username)
      .executeTakeFirstOrThrow();
    return {
      kind: 'user',
      id: u.id,
      username: u.username,
      name: u.display_name,
      role: u.role as StaffRole,
      communityIds: [communityId],
      gridIds: [],
    };
  };
  const gridWorker = await staffOf('grid_worker');
  const manager = await staffOf('manager');

  const clock = new ManualClock(new Date(now.getTime() - 15 * DAY));
  const bank = new TimeBankService({ database, clock });
  /** Moves the demo's clock to `days` before now, at the hour given (China time). */
  const on = (days: number, hour: number) => {
    const day = localDay(new Date(now.getTime() - days * DAY).toISOString(), 'Asia/Shanghai');
    clock.set(new Date(`${day}T${String(hour).padStart(2, '0')}:00:00+08:00`));
    return day;
  };
  const idOf = (p: Principal) => (p.kind === 'resident' ? p.id : '');
  const served = async (
    by: Principal,
    input: { minutes: number; description: string; beneficiary?: Principal; volunteer?: Principal },
    days: number,
  ) =>
    bank.record(by, {
      minutes: input.minutes,
      serviceDate: on(days, 18),
      description: input.description,
      ...(input.volunteer ? { volunteerId: idOf(input.volunteer) } : {}),
      ...(input.beneficiary ? { beneficiaryId: idOf(input.beneficiary) } : {}),
    });

  const visit = await served(
    neighbour,
    { minutes: 120, description: '陪同行动不便的老人去社区医院复诊', beneficiary: elder },
    14,
  );
  on(13, 9);
  await bank.decide(elder, visit.id, 'verify', {});

  const cleaning = await served(a, { minutes: 90, description: '为独居老人上门打扫卫生' }, 10);
  on(9, 10);
  await bank.decide(gridWorker, cleaning.id, 'verify', {});

  const sorting = await served(gridWorker, { minutes: 60, description: '垃圾分类宣传值守', volunteer: b }, 7);
  on(7, 20);
  await bank.decide(manager, sorting.id, 'verify', {});

  const tap = await served(
    neighbour,
    { minutes: 45, description: '帮邻居修理漏水的水龙头', beneficiary: a },
    5,
  );
  on(4, 8);
  await bank.decide(a, tap.id, 'verify', {});

  const twice = await served(b, { minutes: 60, description: '垃圾分类宣传值守' }, 7);
  on(6, 9);
  await bank.decide(manager, twice.id, 'reject', { reason: '与 7 天前的记录重复' });

  on(3, 19);
  await bank.transfer(neighbour, { toPhone: ELDER_PHONE, minutes: 60, memo: '转给王阿姨，留着请人上门服务' });
  on(2, 15);
  await bank.redeem(elder, { minutes: 30, memo: '上门理发' });
  // The window took the same haircut twice; the manager reverses (冲正) the second the next morning.
  on(2, 16);
  const doubled = await bank.redeem(manager, { minutes: 30, memo: '上门理发', residentId: idOf(elder) });
  on(1, 9);
  await bank.reverse(manager, doubled.result.transaction.transactionId, {
    reason: '同一次理发重复扣减，冲正',
  });

  await served(a, { minutes: 60, description: '陪老人在小区散步聊天', beneficiary: elder }, 1);
}
