import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { participationScore, rankByParticipation } from './proposal.participation.ts';
import type { ParticipationFacts } from './proposal.participation.ts';

const facts = (o: Partial<ParticipationFacts>): ParticipationFacts => ({
  residents: 100,
  participants: 0,
  proposals: 0,
  votes: 0,
  selected: 0,
  completed: 0,
  ...o,
});

describe('participation index', () => {
  it('weighs the participation rate 0.7 and the implemented share 0.3', () => {
    assert.deepEqual(participationScore(facts({ participants: 25, selected: 4, completed: 1 })), {
      participationRate: 0.25,
      implementedShare: 0.25,
      index: 25,
    });
    assert.deepEqual(participationScore(facts({ participants: 10, selected: 2, completed: 2 })), {
      participationRate: 0.1,
      implementedShare: 1,
      index: 37,
    });
  });

  it('is zero without residents or selections, never above 100', () => {
    assert.equal(participationScore(facts({ residents: 0, participants: 3 })).index, 0);
    assert.equal(participationScore(facts({ participants: 5 })).implementedShare, 0);
    assert.equal(
      participationScore(facts({ residents: 3, participants: 5, selected: 1, completed: 1 })).index,
      100,
    );
    assert.equal(participationScore(facts({ residents: 3, participants: 1 })).participationRate, 0.3333);
  });

  it('ranks best first and gives equal scores one rank', () => {
    const item = (key: string, f: ParticipationFacts) => ({ key, facts: f, score: participationScore(f) });
    const ranked = rankByParticipation([
      item('a', facts({ participants: 5 })),
      item('b', facts({ participants: 20 })),
      item('c', facts({ participants: 5 })),
      item('d', facts({ participants: 1 })),
    ]);
    assert.deepEqual(
      ranked.map((r) => [r.item.key, r.rank]),
      [
        ['b', 1],
        ['a', 2],
        ['c', 2],
        ['d', 4],
      ],
    );
  });
});
