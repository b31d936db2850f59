/**
 * Emergency rules over RAW normalised text (never over segmented tokens: a segmenter may
 * split 燃气 into 燃/气). A rule that fires forces `safety_emergency.<sub>` and `critical`.
 *
 * Each match is checked against its clause so that near-misses do not fire:
 * - negated or hypothetical mentions (没有燃气味, 担心着火, 预防燃气泄漏, 如果被困);
 * - events reported as past and resolved (上次着火的事情已经处理好了) or as habitual
 *   (电梯经常关人), unless the clause also says it is happening now (现在又冒烟了);
 * - rule-specific look-alikes (燃气灶打不着火, 漏电保护器, 打架子鼓, 困难, 火灾隐患).
 */

export interface EmergencyRule {
  id: string;
  /** Sub-category code under safety_emergency. */
  subcategory: string;
  description: string;
  pattern: RegExp;
  /** Text right after the match that turns it into a look-alike. */
  notFollowedBy?: RegExp;
  /** Text right before the match that turns it into a look-alike. */
  notPrecededBy?: RegExp;
}

export const EMERGENCY_RULES: ReadonlyArray<EmergencyRule> = [
  {
    id: 'gas_leak',
    subcategory: 'safety_emergency.gas_leak',
    description: 'gas smell or leak',
    pattern:
      /(?:燃气|煤气|天然气|液化气|瓦斯)(?:管道?|表|罐|瓶|阀门?)?(?:泄漏|泄露|漏气|漏了|在漏|有味|味道?|臭味|很冲)|闻到(?:一股|好大一股|很大的?)?(?:燃气|煤气|天然气|液化气|瓦斯)|(?:气管|燃气管|煤气管)[^，,。]{0,2}(?:破了|断了|裂了|爆了)|(?:燃气|煤气|天然气|液化气)的(?:味道?|臭味)|(?:燃气|煤气|天然气|液化气|气表|气罐|气瓶|灶)[^，,。]{0,8}?(?:漏气|嘶嘶)|忘了?关(?:煤气|燃气|天然气)[^，,。]{0,3}满屋|臭鸡蛋(?:的)?味[^，,。]{0,6}(?:煤气|燃气|天然气)/,
    notFollowedBy: /^(?:费|公司|卡|灶打不着)/,
  },
  {
    id: 'fire',
    subcategory: 'safety_emergency.fire',
    description: 'fire or smoke',
    pattern:
      /着火|着伙(?=了|啦|的)|起火|失火|火灾|冒烟|冒黑烟|浓烟|烧起来|着起来了|窜出火苗|火苗窜|冒火苗|火光|烧焦的?味|焦糊味|焦味/,
    notPrecededBy: /(?:打不|点不|打不了|点不了|防|灭火器|防火|烟囱|烟筒)$/,
    notFollowedBy: /^(?:隐患|预防|演练|宣传|保险|知识|逃生|安全|报警器|器|点)/,
  },
  {
    id: 'trapped',
    subcategory: 'safety_emergency.trapped',
    description: 'someone trapped (lift, room, flood)',
    pattern:
      /被困|困在|困电梯|关在电梯|卡在电梯|电梯里出不来|电梯[^，,。]{0,6}?(?:困(?:住|着)?|(?:关|卡)(?:住|着))了?(?:人|一个人|个人|老人|孩子|小孩|两个人)|电梯(?:门)?打不开(?:了)?(?:里面|人在里面)|(?:锁|关|卡)在[^，,。]{1,6}?里(?:面|头)?(?:出不来|出不去|拔不出来)|电梯(?:卡|停|坏)[^，,。]{0,8}?里(?:面|头)?(?:有人|还有人|有老人|有孩子|有小孩)|(?:我|我们|人|孩子|老人)[^，,。]{0,4}?在(?:电梯)?里(?:面|头)出不(?:来|去)/,
    notPrecededBy: /(?:车|车子|钥匙|手机)$/,
    notFollowedBy: /^(?:难|扰|惑)/,
  },
  {
    id: 'collapse_medical',
    subcategory: 'safety_emergency.medical_emergency',
    description: 'collapsed, fainted, unconscious or not breathing',
    pattern:
      /晕倒|昏倒|晕过去|倒地不起|倒在地上(?:起不来|不动)|昏迷|不省人事|叫不醒|没(?:有|了)?呼吸|没有意识|心脏病(?:犯了|发作)|心梗|脑梗(?:发作|犯了)|抽搐|口吐白沫/,
  },
  {
    // An older person who falls and cannot get up is the commonest call of a wearable SOS and
    // of family members: 摔了一跤，起不来了 (the comma is allowed: callers pause there).
    id: 'fall_cannot_get_up',
    subcategory: 'safety_emergency.medical_emergency',
    description: 'fell and cannot get up',
    pattern:
      /(?:摔倒|跌倒|滑倒|绊倒|摔了(?:一)?(?:跤|下)|跌了(?:一)?跤|摔(?:在)?地上)(?:了)?[^。.!！?？;；]{0,8}?(?:起不来|爬不起来|站不起来|扶不起来|动不了|不能动|不会动)/,
    notPrecededBy: /(?:防|怕|预防|防止)$/,
  },
  {
    id: 'stroke',
    subcategory: 'safety_emergency.medical_emergency',
    description: 'signs of a stroke',
    pattern:
      /中风了|(?:突然|刚刚|刚才)(?:中风|脑出血|脑溢血)|脑溢血了|脑出血了|半边身子(?:不能动|动不了|没知觉|麻了)|口眼歪斜|嘴歪眼斜|嘴(?:也|都)?歪了|突然说不出话/,
  },
  {
    id: 'cardiac',
    subcategory: 'safety_emergency.medical_emergency',
    description: 'signs of a heart attack or of not getting air',
    pattern:
      /胸口(?:疼|痛)得(?:厉害|受不了|不行)|胸(?:口)?(?:疼|痛|闷)[^，,。]{0,4}?(?:满头大汗|冒冷汗|出冷汗|一身冷汗)|满头大汗[^，,。]{0,2}脸色(?:发白|苍白|发紫)|喘不(?:上|过)气(?:来)?了|呼吸困难|憋得(?:脸|嘴唇)?发紫/,
  },
  {
    id: 'fall_from_height',
    subcategory: 'safety_emergency.medical_emergency',
    description: 'a person fell from a height',
    pattern:
      /坠楼|跳楼了|(?:人|老人|孩子|小孩|小朋友|工人|男的|女的)[^，,。]{0,4}从[^，,。]{0,6}(?:楼|阳台|窗户?|脚手架|屋顶)[^，,。]{0,3}(?:掉|摔|跳|坠)(?:了)?下(?:来|去)|(?:有人|有个人|人|老人|孩子|小孩|工人)(?:掉|摔|跌)(?:了)?(?:下去|进去|进井里|进坑里)了/,
  },
  {
    id: 'poisoning',
    subcategory: 'safety_emergency.medical_emergency',
    description: 'poisoning: carbon monoxide, food, medicine',
    pattern: /(?:煤气|一氧化碳|燃气|天然气|煤炉)中毒|食物中毒|农药中毒|中毒了|误食|误服|吃错(?:了)?药/,
  },
  {
    id: 'drowning',
    subcategory: 'safety_emergency.medical_emergency',
    description: 'someone in the water or drowning',
    pattern:
      /落水|溺水|(?:人|孩子|小孩|老人|小朋友|男孩|女孩|学生)[^，,。]{0,3}掉(?:进|到|入)(?:了)?(?:河|湖|江|水塘|池塘|鱼塘|水池|水井|井|粪池|化粪池)/,
    notPrecededBy: /防$/,
    notFollowedBy: /^(?:管|口|斗|宣传|安全|教育|知识|演练)/,
  },
  {
    id: 'traffic_injury',
    subcategory: 'safety_emergency.medical_emergency',
    description: 'a person hit by a vehicle',
    pattern:
      /(?:人|老人|孩子|小孩|我|我妈|我爸|行人)被(?:车|汽车|电动车|货车|摩托车)(?:撞|轧|碾)|撞(?:倒|伤)了(?:人|老人|小孩|孩子|行人)|车祸[^，,。]{0,6}(?:受伤|流血|昏迷|躺在地上|起不来)/,
  },
  {
    id: 'missing_person',
    subcategory: 'safety_emergency.missing_person',
    description: 'a person gone missing (an elderly person wandering off, a lost child)',
    pattern:
      /走失|走丢|失踪|(?:跑|走|溜)出(?:去|门)了?[^，,。]{0,4}(?:找不到|不见)|(?:老人|孩子|小孩|儿子|女儿|老太太|老爷子|老头|我爸|我妈|爷爷|奶奶|外公|外婆|姥姥|姥爷)(?:(?:突然|又)?(?:不见了|找不到了)|[^，,。]{0,12}?(?:没回来|没回家|没有回来|没有回家|迷路)|(?:(?!手机|钥匙|钱包|包|车|东西|快递|衣服|证|卡|书|玩具|鞋)[^，,。的]){1,10}?(?:就|突然|一下子|一转眼|转眼)(?:不见了|找不到了|找不着了))|(?:出门|出去)了?[^，,。]{0,4}?(?:找不到人|找不着人|人找不到了|人不见了)|(?:出门|出去)(?:(?!旅游|打工|上班|出差|读书|上学|工作|玩了几天)[^，,。]){0,8}?(?:到现在|至今|天黑了?)(?:了)?(?:还|都|也)?(?:没|没有)回(?:来|家)|(?:找不到|找不着)(?:家长|爸妈|爸爸|妈妈|家人|家里人|大人)/,
    notPrecededBy: /(?:防|狗|猫|宠物|鸟)$/,
    notFollowedBy: /^(?:手环|定位|的狗|的猫|的宠物|人口|签字|签名|过年)/,
  },
  {
    id: 'bleeding',
    subcategory: 'safety_emergency.medical_emergency',
    description: 'heavy bleeding',
    pattern:
      /流血不止|血流不止|大出血|出了很多血|流了(?:好多|很多|一地)血|满(?:身|脸|地|头)(?:都)?是血|头破血流|割腕|在流血|流血了/,
  },
  {
    id: 'self_harm',
    subcategory: 'safety_emergency.medical_emergency',
    description: 'threat of suicide or self-harm',
    pattern: /要跳楼|想跳楼|站在楼顶|要轻生|想不开要|喝了农药|吃了(?:一瓶|好多|很多)安眠药/,
  },
  {
    id: 'violence',
    subcategory: 'safety_emergency.violence',
    description: 'violence or threat with a weapon',
    pattern:
      /打人|打架|斗殴|持刀|拿(?:着)?刀|砍人|捅人|行凶|家暴|殴打|抢劫|扬言要(?:杀|砍|捅|打)|要打我|在打我|动手打|被打(?:了|伤)|挨打|打伤|(?:在|又|正在)打(?:老婆|媳妇|老公|孩子|小孩|老人)|动(?:起)?手(?:来)?了[^，,。]{0,4}(?:受伤|流血|见血)|砸(?:人家|别人|邻居)?(?:家)?的?门[^，,。]{0,6}(?:弄死|杀|砍)|(?:要|扬言)(?:弄死|杀了|砍死)/,
    notFollowedBy: /^(?:工|子鼓|电话|手机|扰)/,
  },
  {
    id: 'flooding',
    subcategory: 'safety_emergency.flooding',
    description: 'flooding, backflow or a burst pipe',
    pattern:
      /水淹|淹水|被淹|淹了|倒灌|内涝|漫进(?:屋|家|房)|水漫金山|积水(?:很深|过膝|没过|到膝盖|齐腰)|水(?:已经)?(?:到|没过|漫过)(?:膝盖|小腿|腰)|水管爆(?:了|裂)|爆管|管道爆裂|发大水|洪水|山洪|泥石流|(?:地下车库|车库|地下室)(?:里)?(?:进水|灌水|全是水)/,
  },
  {
    id: 'structural',
    subcategory: 'safety_emergency.structural',
    description: 'collapse or falling structure',
    pattern:
      /坍塌|塌了|倒塌|塌方|垮塌|塌下来|塌陷|天花板(?:整块)?掉下来|(?:墙|阳台|屋顶|棚)(?:体)?(?:倒了|塌)|(?:砸到|砸伤)(?:了)?(?:人|路人|老人|小孩)|(?:广告牌|招牌|空调外机|外机|玻璃|窗户|瓷砖)[^，,。]{0,6}?(?:掉|吹|刮)(?:了)?下来[^，,。]{0,3}砸|(?:脚手架|塔吊)(?:突然)?倒了/,
    notFollowedBy: /^(?:陷的井盖)/,
  },
  {
    id: 'power_line',
    subcategory: 'safety_emergency.hazard',
    description: 'fallen power line, live wire or electrocution',
    pattern:
      /电线(?:掉落|掉下来|掉在地上|掉地上|断了|垂下来|垂到地上|耷拉)|高压线(?:断|掉|垂)|电线杆[^，,。]{0,2}(?:倒了|断了)|触电|漏电(?!保护|开关)|电箱(?:冒火|打火)/,
  },
];

// Words right before a match that make it negated or hypothetical. Two groups: short words
// that only negate when adjacent (没燃气味, 是否着火), and words that govern a short phrase
// (担心会着火, 预防燃气泄漏). 没人/无人 are not negations (家里没人老人晕倒了).
const NEGATION_ADJACENT =
  /(?:没(?![人有])|无(?![人法])|未(?!成年)|不是|是否|会不会|有没有|可能|容易|随时)[^，,。.!！?？;；]?$/;
const NEGATION_GOVERNING =
  /(?:没有(?!人)|并未|不会|防止|预防|以防|以免|避免|担心|(?<![可恐])怕|如果|万一|假如|要是|演练|宣传|培训|讲座|知识|排查|小心|提醒|注意)[^，,。.!！?？;；]*$/;
// Words after a match that make it negated or hypothetical (着火了吗 is still a question).
const NEGATION_AFTER = /^(?:隐患|的风险|的可能|的危险|演练|应急演练|应急预案|演习|怎么办吗)/;
// Past-and-resolved markers in the same clause.
const PAST_RESOLVED =
  /上次|上回|以前|之前|去年|前年|曾经|已经处理|处理好了|已处理|已解决|解决了|修好了|已经修|已经灭|扑灭了|灭了|没事了|已经好了|已经结束|找到了|已经回来了|已经回家了/;
// Habitual markers: 电梯经常关人 is a standing complaint about a lift, not a call for help now.
const HABITUAL = /经常|常常|时常|频繁|频频|老是|总是|多次|屡次|屡屡|动不动|隔三差五|三天两头/;
// Present markers that override the past or habitual reading (又, 现在, 正在 …).
const HAPPENING_NOW = /现在|正在|还在|又|刚刚|刚才|赶紧|快来|马上|救命|一直/;

const CLAUSE_BREAK = /[，,。.!！?？;；\n]/;

/** Start and end of the clause around [start, end): up to punctuation, at most 16 characters each way. */
function clauseBounds(text: string, start: number, end: number): [number, number] {
  let a = start;
  while (a > 0 && start - a < 16 && !CLAUSE_BREAK.test(text[a - 1] as string)) a--;
  let b = end;
  while (b < text.length && b - end < 16 && !CLAUSE_BREAK.test(text[b] as string)) b++;
  return [a, b];
}

export interface RuleHit {
  ruleId: string;
  subcategory: string;
  /** The text that matched. */
  phrase: string;
  description: string;
}

// One global-flag copy of each pattern, compiled once (reset before each use).
const GLOBAL_PATTERNS: ReadonlyArray<RegExp> = EMERGENCY_RULES.map((r) => new RegExp(r.pattern.source, 'g'));

/**
 * The emergency rules that fire on normalised text, in rule order (empty when none does).
 * Whitespace is ignored, so voice transcripts with stray spaces still match.
 */
export function matchEmergencyRules(normalizedText: string): RuleHit[] {
  const text = normalizedText.replace(/\s+/g, '');
  // Residents who write in English (the apps have an English mode) are heard too.
  const english = LATIN_WORD.test(normalizedText)
    ? firstStandingHits(normalizedText, ENGLISH_EMERGENCY_RULES, EN_GLOBAL, englishStands)
    : [];
  return [...english, ...firstStandingHits(text, EMERGENCY_RULES, GLOBAL_PATTERNS, chineseStands)];
}

/** Does a match of a Chinese rule at [start, end) stand, in its clause (not negated, past or habitual)? */
function chineseStands(rule: EmergencyRule, text: string, start: number, end: number): boolean {
  const before = text.slice(Math.max(0, start - 8), start);
  const [clauseStart, clauseEnd] = clauseBounds(text, start, end);
  const clause = text.slice(clauseStart, clauseEnd);
  const clauseBefore = text.slice(clauseStart, start);
  const after = text.slice(end, end + 6);
  if (rule.notPrecededBy?.test(before) || rule.notFollowedBy?.test(after)) return false;
  if (NEGATION_ADJACENT.test(before) || NEGATION_GOVERNING.test(clauseBefore) || NEGATION_AFTER.test(after))
    return false;
  return !((PAST_RESOLVED.test(clause) || HABITUAL.test(clause)) && !HAPPENING_NOW.test(clause));
}

/** Each rule's first match that `stands`, in rule order (one hit per rule at most). */
function firstStandingHits(
  text: string,
  rules: ReadonlyArray<EmergencyRule>,
  patterns: ReadonlyArray<RegExp>,
  stands: (rule: EmergencyRule, text: string, start: number, end: number) => boolean,
): RuleHit[] {
  const hits: RuleHit[] = [];
  rules.forEach((rule, i) => {
    const re = patterns[i] as RegExp;
    re.lastIndex = 0;
    for (let m = re.exec(text); m !== null; m = re.exec(text)) {
      if (m[0].length === 0) {
        re.lastIndex++;
        continue;
      }
      if (!stands(rule, text, m.index, m.index + m[0].length)) continue;
      hits.push({
        ruleId: rule.id,
        subcategory: rule.subcategory,
        phrase: m[0],
        description: rule.description,
      });
      break;
    }
  });
  return hits;
}

// ── English ─────────────────────────────────────────────────────────────────────────────────
// The same emergencies in English, over the lower-cased text with its spaces. Words, not
// n-grams: each pattern names a situation (smell of gas, stuck in the lift), never a bare word
// that also names the everyday (fire drill, gas bill, flood insurance).

const LATIN_WORD = /[a-z]{3}/;

export const ENGLISH_EMERGENCY_RULES: ReadonlyArray<EmergencyRule> = [
  {
    id: 'gas_leak',
    subcategory: 'safety_emergency.gas_leak',
    description: 'gas smell or leak',
    pattern:
      /\b(?:smell(?:s|ing)? (?:of )?gas|gas (?:smell|leak|is leaking|leaking)|leaking gas|gas pipe (?:is )?(?:broken|burst|cracked))\b/,
  },
  {
    id: 'fire',
    subcategory: 'safety_emergency.fire',
    description: 'fire or smoke',
    pattern:
      /\b(?:(?:is|are|was) on fire|caught fire|catching fire|a fire (?:in|on|at|next door|upstairs|downstairs)|fire in (?:the|a|my|our)|(?:thick|black|lots of|a lot of) smoke|full of smoke|smoke (?:is )?coming (?:out|from)|flames? (?:coming|in|from)|something is burning|smells? of burning)\b/,
  },
  {
    id: 'trapped',
    subcategory: 'safety_emergency.trapped',
    description: 'someone trapped (lift, room, flood)',
    pattern:
      /\b(?:(?:stuck|trapped) (?:in|inside) (?:the |a |an |our |my )?(?:lift|elevator|room|bathroom|toilet|flat|apartment)|(?:lift|elevator) (?:is )?stuck with (?:people|someone|a person|my|an?|two)|(?:people|someone|somebody|a child|my \w+) (?:is |are )?trapped|locked (?:in|inside) (?:the |a )?(?:room|bathroom|toilet) and can'?t get out)\b/,
  },
  {
    id: 'structural',
    subcategory: 'safety_emergency.structural',
    description: 'collapse or falling structure',
    pattern:
      /\b(?:(?:building|wall|ceiling|balcony|roof|stairs|staircase)(?: has| is)? (?:collapsed|collapsing|fell down|fallen down|came down|caved in))\b/,
  },
  {
    id: 'fall_cannot_get_up',
    subcategory: 'safety_emergency.medical_emergency',
    description: 'fell and cannot get up',
    pattern:
      /\b(?:fell|fallen|has had a fall|had a fall)\b[^.!?;]{0,30}?\b(?:can'?t|cannot|couldn'?t|unable to) (?:get|stand) up\b/,
  },
  {
    id: 'collapse_medical',
    subcategory: 'safety_emergency.medical_emergency',
    description: 'collapsed, fainted, unconscious or not breathing',
    pattern:
      /\b(?:fainted|collapsed|unconscious|passed out|not breathing|stopped breathing|can'?t breathe|cannot breathe|heart attack|having a seizure|having a stroke|had a stroke|not responding|won'?t wake up)\b/,
  },
  {
    id: 'bleeding',
    subcategory: 'safety_emergency.medical_emergency',
    description: 'heavy bleeding',
    pattern:
      /\b(?:bleeding (?:heavily|badly|a lot)|lots of blood|a lot of blood|won'?t stop bleeding|bleeding everywhere)\b/,
  },
  {
    id: 'violence',
    subcategory: 'safety_emergency.violence',
    description: 'violence or threat with a weapon',
    pattern:
      /\b(?:(?:with|has|holding) a knife|stabbed|stabbing|(?:is|are) fighting|a fight (?:in|on|at|outside|downstairs)|beating (?:up )?(?:someone|somebody|his wife|her husband|a child|his child|her child|me)|domestic violence|threaten(?:ed|ing) to kill|attacking (?:me|someone|people))\b/,
  },
  {
    id: 'flooding',
    subcategory: 'safety_emergency.flooding',
    description: 'flooding, backflow or a burst pipe',
    pattern:
      /\b(?:flooded|flooding|water (?:is )?(?:pouring|rising|coming in)|(?:pipe|water main) (?:has )?burst|burst (?:pipe|water main))\b/,
  },
  {
    id: 'missing_person',
    subcategory: 'safety_emergency.missing_person',
    description: 'a person gone missing (an elderly person wandering off, a lost child)',
    pattern:
      /\b(?:(?:my |our |a )?(?:child|kid|son|daughter|boy|girl|grandma|grandmother|grandpa|grandfather|mother|father|mum|mom|dad|husband|wife|old man|old woman|elderly \w+) (?:is |has gone |went |has been )?missing|(?:lost|missing) (?:child|kid|boy|girl|elderly)|can'?t find (?:my|our) (?:child|kid|son|daughter|mother|father|mum|mom|dad|grandma|grandmother|grandpa|grandfather|husband|wife)|(?:hasn'?t|has not|didn'?t|did not) come (?:back )?home)\b/,
  },
  {
    id: 'power_line',
    subcategory: 'safety_emergency.hazard',
    description: 'fallen power line, live wire or electrocution',
    pattern:
      /\b(?:live wire|power line (?:is )?down|(?:fallen|broken) power line|electrocuted|got an electric shock|sparks? (?:coming )?from (?:the )?(?:wire|cable|power line))\b/,
  },
];

// A clause's own words that make a mention hypothetical, negated or drill-like.
const EN_NEGATION =
  /\b(?:no|not|never|without|isn'?t|aren'?t|wasn'?t|don'?t|doesn'?t|in case|if|whether|prevent|prevention|avoid|drill|training|talk|lecture|worried|afraid|could|might|would|insurance|how (?:do|to|can)|what (?:to do|should))\b/;
const EN_PAST =
  /\b(?:last (?:week|month|year|time|night)|yesterday|ago|(?:was|were|has been|have been) (?:fixed|repaired|resolved|put out|found)|already|found (?:him|her|them)|came back|is back|are back)\b/;
const EN_NOW = /\b(?:now|again|right now|still|currently|help|hurry|quick(?:ly)?|urgent|please come)\b/;
const EN_GLOBAL = ENGLISH_EMERGENCY_RULES.map((r) => new RegExp(r.pattern.source, 'g'));

/** Does a match of an English rule stand in its clause (not negated, hypothetical or past)? */
function englishStands(_rule: EmergencyRule, text: string, start: number, end: number): boolean {
  const head = text.slice(0, start);
  const a = Math.max(...[...',.!?;\n'].map((c) => head.lastIndexOf(c))) + 1;
  let b = end;
  while (b < text.length && !/[,.!?;\n]/.test(text[b] as string)) b++;
  const clause = text.slice(a, b);
  if (EN_NEGATION.test(text.slice(a, start))) return false;
  return !(EN_PAST.test(clause) && !EN_NOW.test(clause));
}
