/**
 * Resident ID numbers (居民身份证号码, GB 11643-1999), checked as the standard defines them: six
 * digits of the issuing area, the birth date as YYYYMMDD, a three-digit sequence, and a check
 * character over the first 17 (ISO 7064 MOD 11-2: a digit or X). Pure.
 */

const WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const CHECK = '10X98765432';
const SHAPE = /^[1-9]\d{16}[\dX]$/;

/** The check character of an ID number's first 17 digits. */
export function idNumberCheckDigit(first17: string): string {
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += (WEIGHTS[i] ?? 0) * Number(first17[i]);
  return CHECK[sum % 11] ?? '';
}

/** The year of birth an ID number holds (characters 7–10). */
export function idNumberBirthYear(id: string): number {
  return Number(id.slice(6, 10));
}

/**
 * Why an ID number (upper case) cannot be a real one, or null when it can: its shape, its birth
 * date (a real day of a year from 1900 to `currentYear`), its check character. The messages do
 * not repeat the number.
 */
export function idNumberProblem(id: string, currentYear: number): string | null {
  if (!SHAPE.test(id)) return 'an ID number has 18 characters: 17 digits (the first not 0) and a digit or X';
  const year = idNumberBirthYear(id);
  const month = Number(id.slice(10, 12));
  const day = Number(id.slice(12, 14));
  const date = new Date(Date.UTC(year, month - 1, day));
  const real =
    date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
  if (!real || year < 1900 || year > currentYear)
    return `the birth date in the ID number (characters 7–14) is not a day of the years 1900 to ${currentYear}`;
  if (idNumberCheckDigit(id) !== id[17])
    return 'the ID number does not end in its check character: a character is mistyped';
  return null;
}
