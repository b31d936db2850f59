/**
 * The participation index (参与指数), pure. For a community (or a grid) over a period:
 *
 *   participation rate = residents who proposed or voted in the period ÷ residents
 *   implemented share  = proposals filed in the period now completed ÷ those selected
 *                        (selected, implementing or completed); 0 when none was selected
 *   index              = 100 × (0.7 × participation rate + 0.3 × implemented share), one decimal
 *
 * Residents counted are those not erased. A withdrawn vote is no vote. Communities are ranked by
 * the index, ties by participation rate, then by how many took part; equal ones share a rank.
 */
export const RATE_WEIGHT = 0.7;
export const IMPLEMENTED_WEIGHT = 0.3;

export interface ParticipationFacts {
  residents: number;
  participants: number;
  proposals: number;
  votes: number;
  /** Filed in the period and selected (or implementing, or completed). */
  selected: number;
  /** Of those, completed. */
  completed: number;
}

export interface ParticipationScore {
  participationRate: number;
  implementedShare: number;
  index: number;
}

const round = (x: number, digits: number) => {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
};

export function participationScore(f: ParticipationFacts): ParticipationScore {
  const rate = f.residents > 0 ? Math.min(1, f.participants / f.residents) : 0;
  const implemented = f.selected > 0 ? Math.min(1, f.completed / f.selected) : 0;
  return {
    participationRate: round(rate, 4),
    implementedShare: round(implemented, 4),
    index: round(100 * (RATE_WEIGHT * rate + IMPLEMENTED_WEIGHT * implemented), 1),
  };
}

export interface Ranked<T> {
  rank: number;
  item: T;
}

/** Best first; equal scores (index, rate and participants all equal) share a rank (1, 1, 3). */
export function rankByParticipation<
  T extends { score: ParticipationScore; facts: ParticipationFacts; key: string },
>(items: readonly T[]): Ranked<T>[] {
  const sorted = [...items].sort(
    (a, b) =>
      b.score.index - a.score.index ||
      b.score.participationRate - a.score.participationRate ||
      b.facts.participants - a.facts.participants ||
      (a.key < b.key ? -1 : a.key > b.key ? 1 : 0),
  );
  const same = (a: T, b: T) =>
    a.score.index === b.score.index &&
    a.score.participationRate === b.score.participationRate &&
    a.facts.participants === b.facts.participants;
  const out: Ranked<T>[] = [];
  sorted.forEach((item, i) => {
    const prev = out[i - 1];
    out.push({ rank: prev && same(prev.item, item) ? prev.rank : i + 1, item });
  });
  return out;
}
