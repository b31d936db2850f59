import { test } from 'node:test';
import assert from 'node:assert/strict';
import { idNumberBirthYear, idNumberCheckDigit, idNumberProblem } from './id-number.ts';

test('the check character of GB 11643 (ISO 7064 MOD 11-2)', () => {
  // Examples of the standard's annex and of published numbers.
  assert.equal(idNumberCheckDigit('11010519491231002'), 'X');
  assert.equal(idNumberCheckDigit('44030519450101002'), 'X');
  assert.equal(idNumberCheckDigit('44030519470315882'), '3');
  assert.equal(idNumberBirthYear('44030519470315882X'), 1947);
});

test('an ID number is refused for its shape, its birth date or its check character', () => {
  assert.equal(idNumberProblem('11010519491231002X', 2026), null);
  assert.equal(idNumberProblem('440305194703158823', 2026), null);
  const problem = (id: string) => idNumberProblem(id, 2026) ?? '';
  assert.match(problem('000000000000000000'), /18 characters/); // area code 000000
  assert.match(problem('11010519491231002'), /18 characters/);
  assert.match(problem('11010519491231002x'), /18 characters/, 'callers give it in upper case');
  assert.match(problem('110101199902301235'), /birth date/); // 30 February
  assert.match(problem('110101189912311234'), /birth date/); // before 1900
  assert.match(problem('110101202701011234'), /birth date/); // after this year
  assert.match(problem('110101199003071234'), /check character/);
  for (const id of ['110101199902301235', '110101199003071234'])
    assert.ok(!problem(id).includes(id), 'the number is not repeated');
});
