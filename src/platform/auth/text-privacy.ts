/**
 * Contact data in free text (descriptions, notes): found and blanked for whoever may not see it,
 * the public (Open311) and staff whose role does not need it. Pure functions.
 * Free text is written by residents and staff; it can carry a phone number, an ID number, an
 * e-mail address or the name of the person concerned.
 */
const MASK = '***';
/** Kinds of contact data in free text, each masked for the viewers who may not see it. */
export type ContactKind = 'email' | 'idNumber' | 'phone';
export const ALL_CONTACTS: readonly ContactKind[] = ['email', 'idNumber', 'phone'];

const PATTERNS: [ContactKind, RegExp][] = [
  ['email', /[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}/g],
  ['idNumber', /(?<![\dA-Za-z])\d{17}[\dXx](?![\dA-Za-z])/g], // resident ID number (18)
  ['idNumber', /(?<!\d)\d{15}(?!\d)/g], // old ID number (15)
  ['phone', /(?<!\d)(?:\+?86[- ]?)?1[3-9]\d[- ]?\d{4}[- ]?\d{4}(?!\d)/g], // mobile
  ['phone', /(?<!\d)0\d{2,3}[- ]?\d{7,8}(?!\d)/g], // landline with area code
  // A number with a country code (+852 9123 4567, +1 (415) 555-0100): six digits or more after its code.
  ['phone', /(?<![\dA-Za-z+])\+\d{1,3}[- .]?(?:\(?\d{1,4}\)?[- .]?)?\d{3,4}(?:[- .]?\d{3,4}){1,3}(?!\d)/g],
];

// Dashes NFKC leaves alone, typed between digit groups as readily as "-".
const DASHES = /^[\u2010-\u2015\u2212\uFE58\uFE63]$/;
const PRINTABLE_ASCII = /^[\x20-\x7E]+$/;
// Characters that might fold: not ASCII, not a CJK ideograph (those are most of any text).
const FOLD_CANDIDATES = /[\u0080-\u33FF\u4DC0-\u4DFF\uA000-\u{10FFFF}]/gu;
const foldCache = new Map<string, string>();

/** One character as the patterns should read it: full-width and other compatibility forms as ASCII. */
function foldChar(ch: string): string {
  const hit = foldCache.get(ch);
  if (hit !== undefined) return hit;
  const n = ch.normalize('NFKC');
  const f = DASHES.test(ch) ? '-' : PRINTABLE_ASCII.test(n) ? n : ch;
  if (foldCache.size < 4096) foldCache.set(ch, f);
  return f;
}

/** Folds `text` (see `contactRanges`) into ASCII look-alikes where it can. */
function foldText(text: string): { folded: string; aligned: boolean } {
  let aligned = true;
  const folded = text.replace(FOLD_CANDIDATES, (ch) => {
    const f = foldChar(ch);
    if (f.length !== ch.length) aligned = false;
    return f;
  });
  return { folded, aligned };
}

/** For each code unit of the folded text, where its source character starts and ends in `text`. */
function sourcePositions(text: string): { start: number[]; end: number[] } {
  const start: number[] = [];
  const end: number[] = [];
  let at = 0;
  for (const ch of text) {
    const f = foldText(ch).folded;
    for (let k = 0; k < f.length; k++) {
      start.push(at);
      end.push(at + ch.length);
    }
    at += ch.length;
  }
  return { start, end };
}

/**
 * Ranges of `text` that carry contact data. The patterns run in turn over a folded copy
 * (１３９ → 139, ＠ → @, ideographic space → " ", － and — → "-"), so full-width and other
 * look-alike forms are found as well as ASCII; each match is starred out of the copy (same
 * length, so positions hold) before the next pattern runs, as if it had been replaced.
 */
function contactRanges(text: string, kinds: readonly ContactKind[]): [number, number][] {
  const { folded, aligned } = foldText(text);
  // Every pattern needs a digit or an @: most texts have neither and skip the work.
  if (!/[\d@]/.test(folded)) return [];
  // Folds that change length (𝟏 → 1, ⑩ → 10) are rare: only then map positions back one by one.
  const pos = aligned ? null : sourcePositions(text);
  const startOf = (i: number) => (pos ? (pos.start[i] ?? text.length) : i);
  const endOf = (i: number) => (pos ? (pos.end[i] ?? text.length) : i + 1);
  let copy = folded;
  const hits: [number, number][] = [];
  for (const [kind, re] of PATTERNS) {
    copy = copy.replace(re, (m: string, offset: number) => {
      // A kind the viewer may see is still starred out of the copy, so that its digits are not
      // read again as part of another kind (an ID number's tail as a phone).
      if (kinds.includes(kind)) hits.push([startOf(offset), endOf(offset + m.length - 1)]);
      return '*'.repeat(m.length);
    });
  }
  hits.sort((a, b) => a[0] - b[0]);
  // A character folded to several (⑩ → 10) can end one match and start the next: merge them.
  const merged: [number, number][] = [];
  for (const h of hits) {
    const last = merged[merged.length - 1];
    if (last && h[0] < last[1]) last[1] = Math.max(last[1], h[1]);
    else merged.push([h[0], h[1]]);
  }
  return merged;
}

/**
 * Blanks contact data (phone, ID number, e-mail, also typed in full-width or other look-alike
 * forms) and the given personal names in a text; the rest keeps its original characters.
 * `kinds` narrows which contact data is blanked (by default all of it).
 */
export function scrubText(
  text: string,
  names: readonly (string | null | undefined)[] = [],
  kinds: readonly ContactKind[] = ALL_CONTACTS,
): string {
  let out = '';
  let from = 0;
  for (const [s, e] of contactRanges(text, kinds)) {
    out += text.slice(from, s) + MASK;
    from = e;
  }
  out += text.slice(from);
  for (const name of names) {
    // One-character names would blank ordinary words.
    const n = name?.trim();
    if (!n || n.length < 2) continue;
    if (out.includes(n)) out = out.split(n).join(MASK);
    const forms = addressForms(n);
    if (forms) out = out.replace(forms, MASK);
  }
  return out;
}

// Two-character surnames: the given name follows them.
const COMPOUND_SURNAMES = new Set(
  '欧阳 司马 上官 诸葛 东方 皇甫 尉迟 公孙 慕容 长孙 宇文 司徒 夏侯 轩辕 令狐 端木 独孤 南宫 西门 百里'.split(
    ' ',
  ),
);
// How a neighbour, a grid worker or a family member names someone: 王阿姨, 王姨, 周先生, 秀英奶奶.
// After a surname, only words for a person's age, kin or address: 老师 or 医生 after a surname
// is more often someone else (高医生), and 老人 after 周 is as often 每周老人活动.
const KIN =
  '阿姨|奶奶|爷爷|大爷|大妈|大娘|大婶|大伯|大嫂|婆婆|阿婆|阿公|阿伯|伯伯|伯母|叔叔|婶婶|大叔|大姐|大哥|姐姐|哥哥|姥姥|姥爷|外婆|外公|老太太|老太|老先生|老爷子|老奶奶|老爷爷|老伯|妈妈|姨|叔|伯|婶|姐|哥|师傅|女士|先生';
const AFTER_GIVEN = `${KIN}|同志`;
// After 老 the surname (老王), after 小 or 阿 the given name (小秀英), only where the name ends
// (老王说, 老王家, 老王。): not in words that go on (老毛病, 老黄历, 小海燕合唱团, 小金华超市).
const NAME_ENDS = '(?=$|[^\\u4e00-\\u9fff]|[说家的在也又来去打报和跟让给呢吗吧啊是都])';
/**
 * Characters that make a word with a surname's character before an honorific: 关于大爷 is "about
 * the old men", not 于大爷; 每周, 保安, 门卫, 开车, 五金, 对方 likewise. The surname is not blanked
 * after them.
 */
const WORD_BEFORE: Record<string, string> = {
  于: '关由对至属等终鉴基过善位在用限归忙便易难处',
  向: '已面朝方转走动导意志倾去一偏指风纵横',
  周: '每这本上下一两几那前后整半同国四圆',
  安: '保治平公晚早问请不心',
  卫: '门保自环',
  金: '五黄现资租押基奖',
  车: '开汽停火电单行货刹修洗',
  方: '对地双各一四大南北东西远配处官',
  高: '提最很太较升身增',
  马: '骑上赛',
  林: '树森园竹',
  常: '经日平正非',
  文: '中英公作论原天',
  白: '明空清洁蛋',
  万: '千上',
  关: '相开无机海',
  何: '如任为几',
  单: '简名清菜',
};
const addressFormsCache = new Map<string, RegExp | null>();

/**
 * The ways people are named in Chinese text besides the full name, for a name of two to four
 * Chinese characters: the surname before an honorific (王阿姨) or after 老 (老王), and a given name
 * of two characters or more before an honorific or after 阿 or 小 (秀英阿姨, 小秀英). Only with
 * those words around them: a given name alone is often an ordinary word or a street (建国 of
 * 李建国, 建国路). The honorific stays, the name goes: 王阿姨 → ***阿姨.
 */
function addressForms(name: string): RegExp | null {
  const hit = addressFormsCache.get(name);
  if (hit !== undefined) return hit;
  let re: RegExp | null = null;
  if (/^[\u4e00-\u9fff]{2,4}$/.test(name)) {
    const surname =
      name.length >= 3 && COMPOUND_SURNAMES.has(name.slice(0, 2)) ? name.slice(0, 2) : name.slice(0, 1);
    const given = name.slice(surname.length);
    const before = WORD_BEFORE[surname];
    const parts = [
      `${before ? `(?<![${before}])` : ''}${surname}(?=(?:${KIN}))`,
      `(?<=老)${surname}${NAME_ENDS}`,
    ];
    if (given.length >= 2) parts.push(`(?<=[阿小])${given}${NAME_ENDS}`, `${given}(?=(?:${AFTER_GIVEN}))`);
    re = new RegExp(parts.join('|'), 'g');
  }
  if (addressFormsCache.size < 4096) addressFormsCache.set(name, re);
  return re;
}

/**
 * An order's description as it is searched by viewers for whom contact data is blanked: every
 * phone number, ID number and e-mail address blanked (stored beside the description).
 */
export function searchTextOf(description: string): string {
  return scrubText(description, [], ALL_CONTACTS);
}

// Separators people type between a number's digit groups.
const NUMBER_SEPARATOR = '[\\s\\u00b7\\u30fb.\\-－—·()（）]';

/** How each digit may be written: ASCII, full-width, Chinese numerals (小写, 大写, 幺 for 1, 两 for 2). */
const DIGIT_FORMS: Record<string, string> = {
  '0': '0０零〇○Ｏ',
  '1': '1１一幺壹',
  '2': '2２二两贰',
  '3': '3３三叁',
  '4': '4４四肆',
  '5': '5５五伍',
  '6': '6６六陆',
  '7': '7７七柒',
  '8': '8８八捌',
  '9': '9９九玖',
  X: 'XxＸｘ',
};
const ANY_DIGIT = Object.values(DIGIT_FORMS).join('');
const numberPatternCache = new Map<string, RegExp[]>();

/**
 * Patterns of one person's number (a phone, an ID number): its digits in any of their forms, with at most a couple of
 * separators between them, standing alone; for a landline with an area code, its local part too.
 */
export function ownNumberPatterns(n: string): RegExp[] {
  const digits = n.replace(/[^0-9Xx]/g, '').toUpperCase();
  const hit = numberPatternCache.get(digits);
  if (hit) return hit;
  const variants = [digits];
  // +86 before a mobile, and a landline's local part (0755-26001234 → 26001234).
  const landline = /^0\d{2,3}-?(\d{7,8})$/.exec(n.replace(/[\s]/g, ''));
  if (landline?.[1]) variants.push(landline[1]);
  const res = variants
    .filter((d) => d.length >= 7)
    .map(
      (d) =>
        new RegExp(
          `(?<![${ANY_DIGIT}])(?:(?:\\+|＋)?(?:86|８６)${NUMBER_SEPARATOR}*)?` +
            [...d].map((c) => `[${DIGIT_FORMS[c] ?? c}]`).join(`${NUMBER_SEPARATOR}{0,2}`) +
            `(?![${ANY_DIGIT}])`,
          'g',
        ),
    );
  if (numberPatternCache.size < 1024) numberPatternCache.set(digits, res);
  return res;
}

/** `text` with each of these numbers (`ownNumberPatterns`) blanked wherever it stands alone. */
export function blankOwnNumbers(text: string, numbers: readonly (string | null | undefined)[]): string {
  let out = text;
  for (const n of numbers) for (const re of n ? ownNumberPatterns(n) : []) out = out.replace(re, '***');
  return out;
}
