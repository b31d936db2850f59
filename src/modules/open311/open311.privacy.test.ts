import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { buildingOf, coarsen, scrubPublic, scrubText, streetOf } from './open311.privacy.ts';

/** The full-width form of printable ASCII (space → ideographic space). */
const fullWidth = (s: string) =>
  s.replace(/[\x20-\x7E]/g, (c) => (c === ' ' ? '\u3000' : String.fromCharCode(c.charCodeAt(0) + 0xfee0)));

describe('coarsened addresses and public text', () => {
  it('drops a room however its number is written, and wherever it stands', () => {
    const building: [string, string][] = [
      ['桃源村五号五零一室', '桃源村五号'],
      ['501室 桃源村5栋', '桃源村5栋'],
      ['桃源村五栋五零一室', '桃源村五栋'],
      ['3栋2单元501', '3栋2单元'],
      ['桃源村5号501', '桃源村5号'],
      ['桃源村５栋５０１', '桃源村５栋'],
      ['桃源路12号院3号楼502', '桃源路12号院3号楼'],
      ['桃源村5号楼 三零二', '桃源村5号楼'],
    ];
    for (const [a, b] of building) assert.equal(buildingOf(a), b, a);
    const street: [string, string][] = [
      ['桃源村五栋五零一室', '桃源村'],
      ['三里屯路5号', '三里屯路'],
      ['十里堡小区三号楼二单元', '十里堡小区'],
      ['桃源村５栋５０１', '桃源村'],
    ];
    for (const [a, b] of street) assert.equal(streetOf(a), b, a);
  });

  it("blanks a reporter's name in Latin letters word by word, and their own phone however written", () => {
    const who = { names: ['John Smith'], numbers: ['+852 9123 4567'] };
    assert.equal(
      scrubPublic('Call John Smith on +852 9123 4567, or Smith at 852-9123-4567. Liftwork.', who),
      'Call *** on ***, or *** at ***. Liftwork.',
    );
    assert.equal(scrubText('电话 +1 (415) 555-0100'), '电话 ***');
    // A count or an amount after a plus is no phone.
    assert.equal(scrubText('点赞+1，金额+100元'), '点赞+1，金额+100元');
  });
});

describe('scrubText', () => {
  it('blanks phones, ID numbers, e-mail addresses and the names given', () => {
    const out = scrubText(
      '王秀英家漏水，电话13800000001或0755-26601234，邮箱wang@example.com，身份证44030519500101123X',
      ['王秀英'],
    );
    for (const s of ['王秀英', '13800000001', '26601234', 'wang@example.com', '123X'])
      assert.ok(!out.includes(s), s);
    assert.match(out, /家漏水/);
  });

  it('blanks the ways people are named besides the full name: surname or given name with an honorific', () => {
    const name = ['王秀英'];
    assert.equal(scrubText('秀英阿姨家厨房漏水', name), '***阿姨家厨房漏水');
    assert.equal(scrubText('王阿姨说水管漏了，找王师傅来修', name), '***阿姨说水管漏了，找***师傅来修');
    assert.equal(scrubText('小秀英和阿秀英都在家', name), '小***和阿***都在家');
    assert.equal(scrubText('王秀英奶奶摔倒了', name), '***奶奶摔倒了');
    assert.equal(scrubText('欧阳建华先生和建华老伯', ['欧阳建华']), '***先生和***老伯');
    assert.equal(scrubText('欧阳先生来电', ['欧阳建华']), '***先生来电');
  });

  it('leaves a given name alone where it is an ordinary word, and honorifics of other people', () => {
    // 建国 of 李建国 is also a street; 周 also means a week.
    assert.equal(scrubText('建国路12号路灯不亮', ['李建国']), '建国路12号路灯不亮');
    assert.equal(
      scrubText('每周老人活动室漏雨，请高医生看看', ['周桂兰', '高明']),
      '每周老人活动室漏雨，请高医生看看',
    );
    // A surname that is not of the person concerned.
    assert.equal(scrubText('张阿姨帮忙报修', ['王秀英']), '张阿姨帮忙报修');
    // A surname's character in a word before an honorific; 小 and a given name in a longer name.
    const kept: [string, string][] = [
      ['于秀英', '关于大爷反映的楼道灯不亮问题'],
      ['于秀英', '由于阿姨不在家'],
      ['向秀英', '已向阿姨说明停水原因'],
      ['周桂兰', '每周大爷大妈们在活动室跳舞'],
      ['安秀英', '保安大叔说门禁卡失效'],
      ['卫建国', '门卫大爷说晚上路灯不亮'],
      ['金华', '找五金师傅换了门锁'],
      ['车建华', '开车师傅把路堵了'],
      ['方圆', '对方先生不在家'],
      ['李海燕', '小海燕合唱团'],
      ['张金华', '小金华超市'],
      ['张国庆', '国庆老人慰问活动'],
      ['毛秀英', '老毛病又犯了'],
      ['王秀英', '老王府'],
    ];
    for (const [name, text] of kept) assert.equal(scrubText(text, [name]), text, `${name}: ${text}`);
  });

  it('blanks how an elderly neighbour is named: 王老太太, 王姨, 王婶, 老王', () => {
    const name = ['王秀英'];
    assert.equal(scrubText('王老太太摔倒了', name), '***老太太摔倒了');
    assert.equal(scrubText('楼下王大爷和王婶，王姨家漏水', name), '楼下***大爷和***婶，***姨家漏水');
    assert.equal(scrubText('老王说家里停电，独居的老王。', name), '老***说家里停电，独居的老***。');
    assert.equal(scrubText('周阿姨腿脚不便', ['周桂兰']), '***阿姨腿脚不便');
  });

  it('keeps ordinary numbers and one-character names', () => {
    assert.equal(scrubText('3栋电梯停在7楼', ['王']), '3栋电梯停在7楼');
    assert.equal(scrubText('温度低于10度，持续2026年'), '温度低于10度，持续2026年');
  });

  const LOOK_ALIKES: [string, string, string][] = [
    [
      'full-width phone and ID',
      '请回电１３９１２３４５６７８，身份证４４０３０５１９５００１０１０００１，楼道灯坏了',
      '请回电***，身份证***，楼道灯坏了',
    ],
    ['full-width ID ending in Ｘ', '身份证４４０３０５１９５００１０１１２３Ｘ。', '身份证***。'],
    ['old 15-digit ID, full-width', '证件４４０３０５５００１０１１２３号', '证件***号'],
    ['mixed widths', '电话139１２３４5678', '电话***'],
    ['full-width spaces between groups', '电话１３９　１２３４　５６７８。', '电话***。'],
    ['full-width dashes between groups', '电话１３９－１２３４－５６７８。', '电话***。'],
    ['+86 prefix, full-width', '＋８６ １３９１２３４５６７８', '***'],
    ['landline with an em dash', '座机０７５５—２６６０１２３４，', '座机***，'],
    ['landline with a minus sign', '座机0755−26601234', '座机***'],
    ['no-break space between groups', '电话139\u00a01234\u00a05678', '电话***'],
    ['full-width e-mail', '邮箱ｗａｎｇ＠ｅｘａｍｐｌｅ．ｃｏｍ，谢谢', '邮箱***，谢谢'],
    ['mathematical digits (two code units each)', '“𝟏𝟑𝟗𝟏𝟐𝟑𝟒𝟓𝟔𝟕𝟖”', '“***”'],
    [
      'short full-width numbers stay',
      '３栋２单元电梯停在７楼，２０２６年',
      '３栋２单元电梯停在７楼，２０２６年',
    ],
    ['ten digits are not a phone', '编号１２３４５６７８９０', '编号１２３４５６７８９０'],
    ['a name beside a full-width phone', '王秀英家１３８０００００００１', '***家***'],
  ];
  for (const [what, text, expected] of LOOK_ALIKES) {
    it(`blanks look-alike forms: ${what}`, () => {
      assert.equal(scrubText(text, ['王秀英']), expected);
    });
  }

  // Text around the numbers: CJK, punctuation, letters, short numbers; never a "*".
  const filler = fc
    .array(
      fc.constantFrom(
        '楼',
        '道',
        '灯',
        '坏',
        '了',
        '，',
        '。',
        '（',
        '）',
        'a',
        'Z',
        ' ',
        '3',
        '栋',
        '７',
        '楼',
      ),
      {
        maxLength: 12,
      },
    )
    .map((cs) => cs.join(''));
  const width = (c: string, wide: boolean) => (wide ? fullWidth(c) : c);

  it('property: a mobile number in any mix of widths and separators is blanked, the rest kept as typed', () => {
    const mobile = fc.tuple(
      fc.constantFrom('3', '4', '5', '6', '7', '8', '9'),
      fc.array(fc.constantFrom(...'0123456789'), { minLength: 9, maxLength: 9 }),
      fc.array(fc.boolean(), { minLength: 11, maxLength: 11 }),
      fc.constantFrom('', ' ', '-', '\u3000', '－', '—'),
    );
    fc.assert(
      fc.property(filler, mobile, filler, (before, [second, rest, wide, sep], after) => {
        const digits = ['1', second, ...rest];
        const typed = digits
          .map((d, i) => (i === 3 || i === 7 ? sep : '') + width(d, wide[i] ?? false))
          .join('');
        // Keep the number apart from digits in the filler, as the patterns require.
        const text = `${before}：${typed}。${after}`;
        assert.equal(scrubText(text), `${scrubText(before)}：***。${scrubText(after)}`);
      }),
    );
  });

  it('property: typing a whole text in full-width blanks exactly what the ASCII text blanks', () => {
    const ascii = fc
      .array(
        fc.oneof(
          fc.constantFrom('13912345678', '440305195001011234', '44030519500101123X', '0755-26601234'),
          fc.constantFrom('li@example.com', '+86 13800000001', '12', '3', ' ', '-', '.', '@', 'ab'),
          fc.constantFrom('楼', '，', '。', '电话', '身份证'),
        ),
        { maxLength: 10 },
      )
      .map((parts) => parts.join(''));
    fc.assert(
      fc.property(ascii, (text) => {
        const expected = fullWidth(scrubText(text)).replaceAll(fullWidth('***'), '***');
        assert.equal(scrubText(fullWidth(text)), expected);
      }),
    );
  });

  it('property: text with no digits and no @ in any form comes back unchanged', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 40 }), (text) => {
        fc.pre(!/[\p{N}@＠﹫]/u.test(text));
        assert.equal(scrubText(text), text);
      }),
    );
  });
});

describe('coarsen', () => {
  const community = { name: '桃源社区', lat: 22.56, lng: 113.945 };
  const loc = { address: '深圳市南山区桃源街道桃源村4栋602室', lat: 22.561234, lng: 113.941234 };

  it('drops the room at building level and numbers at street level', () => {
    assert.equal(buildingOf(loc.address), '深圳市南山区桃源街道桃源村4栋');
    assert.equal(buildingOf('桃源村3栋2单元501'), '桃源村3栋2单元');
    assert.equal(buildingOf('Nanshan Road 12, 501'), 'Nanshan Road 12');
    assert.equal(streetOf(loc.address), '深圳市南山区桃源街道桃源村');
  });

  it('maps each precision to what a public listing shows', () => {
    assert.deepEqual(coarsen('exact', loc, community), { address: loc.address, lat: loc.lat, long: loc.lng });
    assert.deepEqual(coarsen('building', loc, community), {
      address: '深圳市南山区桃源街道桃源村4栋',
      lat: 22.5612,
      long: 113.9412,
    });
    assert.deepEqual(coarsen('street', loc, community), {
      address: '深圳市南山区桃源街道桃源村',
      lat: 22.561,
      long: 113.941,
    });
    assert.deepEqual(coarsen('community', loc, community), {
      address: '桃源社区',
      lat: 22.56,
      long: 113.945,
    });
    assert.deepEqual(coarsen('hidden', loc, community), { address: null, lat: null, long: null });
    assert.deepEqual(coarsen('building', { address: null, lat: null, lng: null }, community), {
      address: null,
      lat: null,
      long: null,
    });
  });
});
