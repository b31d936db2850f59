/** The participation index of several communities and their grids, from the stored facts, ranked. */
import type { Kysely } from 'kysely';
import type { DB } from '../../platform/db/schema.ts';
import * as repo from './proposal.repository.ts';
import type { Period } from './proposal.repository.ts';
import { participationScore, rankByParticipation } from './proposal.participation.ts';
import type { ParticipationFacts, ParticipationScore } from './proposal.participation.ts';

const SELECTED = new Set(['selected', 'implementing', 'completed']);

export interface ParticipationLine extends ParticipationFacts, ParticipationScore {
  rank: number;
}

export interface ParticipationReport {
  from: string;
  to: string;
  communities: (ParticipationLine & {
    communityId: string;
    code: string;
    name: string;
    grids: (ParticipationLine & { gridId: string | null; name: string | null })[];
  })[];
}

const empty = (): ParticipationFacts => ({
  residents: 0,
  participants: 0,
  proposals: 0,
  votes: 0,
  selected: 0,
  completed: 0,
});

export async function participationReport(
  db: Kysely<DB>,
  communityIds: string[],
  period: Period,
): Promise<ParticipationReport> {
  const [residents, participants, proposals, votes, communities, grids] = await Promise.all([
    repo.residentsPerGrid(db, communityIds),
    repo.participantsPerGrid(db, communityIds, period),
    repo.proposalsPerStatus(db, communityIds, period),
    repo.votesPerGrid(db, communityIds, period),
    repo.communityNames(db, communityIds),
    repo.gridNames(db, communityIds),
  ]);
  // Facts per community, and per grid within it ('' : residents without a grid).
  const byCommunity = new Map<string, { all: ParticipationFacts; grids: Map<string, ParticipationFacts> }>(
    communityIds.map((id) => [id, { all: empty(), grids: new Map() }]),
  );
  const add = (communityId: string, gridId: string | null, f: (x: ParticipationFacts) => void) => {
    const c = byCommunity.get(communityId);
    if (!c) return;
    f(c.all);
    const key = gridId ?? '';
    const g = c.grids.get(key) ?? empty();
    c.grids.set(key, g);
    f(g);
  };
  for (const r of residents) add(r.communityId, r.gridId, (x) => (x.residents += r.n));
  for (const r of participants) add(r.communityId, r.gridId, (x) => (x.participants += r.n));
  for (const r of votes) add(r.communityId, r.gridId, (x) => (x.votes += r.n));
  for (const r of proposals)
    add(r.communityId, r.gridId, (x) => {
      x.proposals += r.n;
      if (SELECTED.has(r.status)) x.selected += r.n;
      if (r.status === 'completed') x.completed += r.n;
    });
  const gridName = new Map(grids.map((g) => [g.id, g.name]));
  const lines = communities.map((c) => {
    const facts = byCommunity.get(c.id)?.all ?? empty();
    const gridLines = [...(byCommunity.get(c.id)?.grids ?? new Map<string, ParticipationFacts>())].map(
      ([key, f]) => ({ key, facts: f, score: participationScore(f) }),
    );
    const rankedGrids = rankByParticipation(gridLines).map(({ rank, item }) => ({
      rank,
      gridId: item.key || null,
      name: item.key ? (gridName.get(item.key) ?? null) : null,
      ...item.facts,
      ...item.score,
    }));
    return { key: c.id, facts, score: participationScore(facts), community: c, grids: rankedGrids };
  });
  return {
    from: period.from,
    to: period.to,
    communities: rankByParticipation(lines).map(({ rank, item }) => ({
      rank,
      communityId: item.community.id,
      code: item.community.code,
      name: item.community.name,
      ...item.facts,
      ...item.score,
      grids: item.grids,
    })),
  };
}
