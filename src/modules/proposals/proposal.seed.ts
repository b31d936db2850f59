/**
 * The demo's 议事厅: proposals of the first community in each state, made through the service (so
 * the machine, the tallies and the audit chain are the real ones) on a clock walked through the
 * past weeks. One is open for voting at `now`, with votes; 王秀英 (13800000001) has not voted yet.
 * One (夜间广场舞音量管理公约) was decided by the close pass when its window ended, as the system.
 */
import type { Database } from '../../platform/db/database.ts';
import { SYSTEM, residentPrincipalOf } from '../../platform/auth/principal.ts';
import type { Principal, StaffRole } from '../../platform/auth/principal.ts';
import { ProposalService } from './proposal.service.ts';
import type { ProposalAction, ProposalInput } from './proposal.machine.ts';
import * as repo from './proposal.repository.ts';

const DAY = 86_400_000;

interface DemoProposal {
  /** Index into the authors (see below). */
  author: number;
  title: string;
  description: string;
  budgetEstimate?: number;
  /** Days before `now` it was filed. */
  filed: number;
  /** `close`: the step is the close pass's (the system decides once the window has ended). */
  steps: { day: number; action: ProposalAction; input?: ProposalInput; by?: 'close' }[];
  /** Voters (a slice of the residents who are not named ones) and the day they voted. */
  votes?: { from: number; count: number; day: number };
}

const PROPOSALS: DemoProposal[] = [
  {
    author: 1,
    title: '3号楼加装电梯扶手和休息座椅',
    description: '楼里老人多，等电梯时站不住，希望在电梯厅装扶手和两张休息座椅。',
    budgetEstimate: 6000,
    filed: 12,
    steps: [
      { day: 10, action: 'review' },
      { day: 5, action: 'open_voting', input: { votingEndsAt: '+9', quorum: 20 } },
    ],
    votes: { from: 0, count: 12, day: 4 },
  },
  {
    author: 0,
    title: '小区健身角铺设防滑地垫',
    description: '健身器材下面是水泥地，雨天很滑，老人和孩子容易摔倒，建议铺设防滑地垫。',
    budgetEstimate: 12000,
    filed: 60,
    steps: [
      { day: 58, action: 'review' },
      { day: 50, action: 'open_voting', input: { votingEndsAt: '+14', quorum: 15 } },
      { day: 35, action: 'decide' },
      { day: 34, action: 'start' },
      { day: 20, action: 'progress', input: { percent: 40, note: '已完成选材和报价，施工队进场' } },
      { day: 5, action: 'progress', input: { percent: 70, note: '东侧健身区地垫已铺好' } },
    ],
    votes: { from: 0, count: 18, day: 45 },
  },
  {
    author: 3,
    title: '社区长者食堂增加周末供餐',
    description: '周末子女不在家，独居老人吃饭不方便，希望长者食堂周六也能供应午餐。',
    budgetEstimate: 30000,
    filed: 120,
    steps: [
      { day: 118, action: 'review' },
      { day: 110, action: 'open_voting', input: { votingEndsAt: '+10', quorum: 10 } },
      { day: 99, action: 'decide' },
      { day: 98, action: 'start' },
      { day: 70, action: 'progress', input: { percent: 50, note: '已与配餐企业签订周末供餐协议' } },
      { day: 30, action: 'complete', input: { note: '每周六午餐已开始供应' } },
    ],
    votes: { from: 10, count: 14, day: 105 },
  },
  {
    author: 4,
    title: '楼顶加装太阳能热水器',
    description: '希望在楼顶统一加装太阳能热水器。',
    filed: 20,
    steps: [
      { day: 19, action: 'review' },
      {
        day: 18,
        action: 'reject',
        input: { reason: '楼顶属于公共部位且承重未经鉴定，不适合统一加装；可向物业咨询个人申请流程' },
      },
    ],
  },
  {
    author: 5,
    title: '夜间广场舞音量管理公约',
    description: '建议居民共同商定广场舞的时间和音量，晚上八点半后降低音量。',
    filed: 80,
    steps: [
      { day: 78, action: 'review' },
      { day: 75, action: 'open_voting', input: { votingEndsAt: '+10', quorum: 25 } },
      { day: 64, action: 'decide', by: 'close' },
    ],
    votes: { from: 30, count: 6, day: 70 },
  },
  {
    author: 2,
    title: '单元门口增设快递暂存架',
    description: '快递经常堆在单元门口地上，建议每个单元门口增设一个快递暂存架。',
    budgetEstimate: 3000,
    filed: 1,
    steps: [],
  },
];

/** Seeds the demo's proposals in the community; a no-op when it has any. */
export async function seedDemoProposals(database: Database, communityId: string, now: Date): Promise<number> {
  const db = database.db;
  const existing = await repo.listProposals(db, { communityIds: [communityId], limit: 1 });
  if (existing.length > 0) return 0;
  let at = now;
  const svc = new ProposalService({ database, clock: { now: () => at } });
  const residents = await db
    .selectFrom('residents')
    .leftJoin('households', 'households.id', 'residents.household_id')
    .select([
      'residents.id',
      'residents.name',
      'residents.phone',
      'residents.community_id',
      'residents.household_id',
      'residents.household_since',
    ])
    .where('residents.community_id', '=', communityId)
    .where('residents.erased_at', 'is', null)
    .orderBy('residents.phone')
    .execute();
  // Authors: 李建国 (13800000003) and the last ten others; voters from the first others. 王秀英 has not voted.
  const named = residents.filter((r) => r.phone?.startsWith('1380000000'));
  const others = residents.filter((r) => !r.phone?.startsWith('1380000000'));
  const authors = [...named.filter((r) => r.phone !== '13800000001'), ...others.slice(-10)];
  const manager = await db
    .selectFrom('users')
    .innerJoin('user_communities', 'user_communities.user_id', 'users.id')
    .select(['users.id', 'users.username', 'users.display_name'])
    .where('user_communities.community_id', '=', communityId)
    .where('users.role', '=', 'manager')
    .orderBy('users.username')
    .executeTakeFirst();
  if (!manager || others.length < 60) return 0;
  const steward: Principal = {
    kind: 'user',
    id: manager.id,
    username: manager.username,
    name: manager.display_name,
    role: 'manager' as StaffRole,
    communityIds: [communityId],
    gridIds: [],
  };
  const daysAgo = (d: number) => new Date(now.getTime() - d * DAY);
  let n = 0;
  for (const d of PROPOSALS) {
    const author = authors[d.author];
    if (!author) continue;
    at = daysAgo(d.filed);
    const filed = await svc.propose(residentPrincipalOf(author), {
      title: d.title,
      description: d.description,
      ...(d.budgetEstimate !== undefined ? { budgetEstimate: d.budgetEstimate } : {}),
    });
    let version = filed.version;
    for (const s of d.steps) {
      at = daysAgo(s.day);
      const input = { ...s.input };
      if (input.votingEndsAt?.startsWith('+'))
        input.votingEndsAt = new Date(at.getTime() + Number(input.votingEndsAt.slice(1)) * DAY).toISOString();
      if (s.by === 'close') {
        await svc.closeDue(SYSTEM);
        version = (await repo.findProposal(db, filed.id))?.version ?? version;
      } else version = (await svc.act(steward, filed.id, s.action, { ...input, version })).version;
      // The votes come in the window, an hour apart, before the step that follows it.
      if (s.action === 'open_voting' && d.votes)
        for (const [i, voter] of others.slice(d.votes.from, d.votes.from + d.votes.count).entries()) {
          at = new Date(daysAgo(d.votes.day).getTime() + i * 3_600_000);
          await svc.vote(residentPrincipalOf(voter), filed.id);
        }
    }
    n++;
  }
  return n;
}
