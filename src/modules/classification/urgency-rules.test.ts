import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EMERGENCY_RULES, ENGLISH_EMERGENCY_RULES, matchEmergencyRules } from './urgency-rules.ts';
import { normalizeText } from './normalize.ts';

const fire = (text: string): string | null => matchEmergencyRules(normalizeText(text))[0]?.ruleId ?? null;

// Every rule, with the phrases it must catch.
const MUST_FIRE: Record<string, string[]> = {
  gas_leak: [
    '家里燃气泄漏了',
    '闻到好大一股煤气味',
    '楼道里天然气味道很重',
    '液化气罐漏气了',
    '燃气管道泄露',
    '施工把燃气管挖破了',
    '煤气 泄漏 了 快来',
    '楼道里全是天然气的味道',
    '燃气表那里在漏气',
    '燃气灶关了还有嘶嘶的漏气声',
    '老人忘了关煤气满屋子都是味',
    '一进门就闻到一股臭鸡蛋味像是煤气',
  ],
  fire: [
    '楼下着火了',
    '楼道里有股焦味',
    '厨房起火了',
    '楼道里冒烟了',
    '电动车烧起来了',
    '对面楼失火了',
    '有烧焦的味道',
    '楼里全是浓烟',
  ],
  trapped: [
    '我们被困在电梯里',
    '我妈困在电梯里了',
    '我被关在电梯里半小时了',
    '老人被困家中',
    '电梯困人了，请马上来',
    '3号楼电梯里困着人',
    '电梯卡住了两个人',
    '我困电梯里了',
    '孩子把自己反锁在卫生间里出不来',
    '小孩的头卡在栏杆里出不来',
    '电梯卡在两层中间里面有人',
    '电梯停电了我和孩子在里面出不去',
    '孩子被锁在车里出不来',
  ],
  collapse_medical: [
    '我家老头子晕倒了',
    '邻居倒地不起',
    '老人昏迷了',
    '孩子抽搐口吐白沫',
    '我爷爷没有呼吸了',
  ],
  fall_cannot_get_up: [
    '我妈摔倒了起不来',
    '家里老人摔了一跤，起不来了',
    '我妈在卫生间滑倒了站不起来',
    '老伴跌倒在地上动不了',
    '奶奶摔了跤腿不能动了',
    '我爸摔在地上爬不起来了',
    '老人摔了一下起不来',
  ],
  stroke: [
    '我妈中风了',
    '老伴突然脑溢血',
    '我爸半边身子动不了了',
    '老人口眼歪斜说不出话',
    '我老伴突然说不出话嘴也歪了',
  ],
  cardiac: ['我妈胸口疼得厉害满头大汗脸色发白', '老人喘不上气了', '我爸胸口痛一直冒冷汗', '老人呼吸困难'],
  fall_from_height: [
    '孩子从楼上掉下来了',
    '有人从三楼阳台摔下去了',
    '工人从脚手架上掉下来了',
    '小区有人坠楼',
    '楼梯突然断了一截有人掉下去了',
    '有人掉进井里了',
  ],
  poisoning: [
    '我家老人煤气中毒了',
    '一家人一氧化碳中毒',
    '好多人食物中毒上吐下泻',
    '孩子误食了降压药',
    '我妈吃错药了',
  ],
  drowning: ['有人落水了快来人', '有人溺水了', '小孩掉进河里了', '老人掉到池塘里了'],
  traffic_injury: ['有人被车撞了躺在地上', '小区门口货车撞倒了人', '小区门口出车祸了有人受伤'],
  missing_person: [
    '老人走失了，穿蓝色衣服',
    '我女儿在商场走丢了',
    '孩子不见了',
    '我爸早上出去遛弯到现在没回家',
    '小区门口有个老人迷路了',
    '我妈突然找不到了',
    '孩子自己跑出去了找不到人',
    '孩子在小区里玩着玩着就不见了',
    '孩子在超市一转眼就不见了',
    '老爷子有阿尔茨海默症下午自己出门了找不到人',
    '有个小孩一个人在小区门口哭找不到家长',
    '我妈有老年痴呆，早上出去遛弯到现在还没回家',
    '孩子出去玩天黑了还没回家',
  ],
  bleeding: ['孩子头磕破了血流不止', '流了好多血', '满脸是血'],
  self_harm: ['有人要跳楼', '我女儿喝了农药'],
  violence: [
    '楼下有人打人',
    '有人持刀',
    '有人拿着刀追人',
    '隔壁家暴',
    '几个人在斗殴',
    '我老公喝醉了要打我',
    '隔壁一直在打老婆孩子在哭',
    '邻居吵架动手了有人受伤',
    '有人在砸邻居家的门还说要弄死他',
  ],
  flooding: [
    '地下室水淹了',
    '雨水倒灌进家里',
    '水管爆了',
    '积水没过膝盖',
    '水已经到膝盖了',
    '小区内涝严重',
    '地下车库进水了车都泡了',
    '山洪下来了小区门口全是水',
  ],
  structural: [
    '阳台塌了',
    '围墙倒塌了',
    '天花板掉下来了',
    '路面塌陷了',
    '外墙砖掉下来砸到人了',
    '广告牌被风吹下来砸坏了车',
    '工地的脚手架倒了',
  ],
  power_line: ['电线掉落在路上', '大风把电线杆刮倒了', '有人触电了', '高压线断了', '电线掉在地上还冒火花'],
};

test('every emergency rule fires on its phrases', () => {
  for (const rule of EMERGENCY_RULES) {
    const phrases = MUST_FIRE[rule.id];
    assert.ok(phrases && phrases.length > 0, `no test phrases for rule ${rule.id}`);
    for (const p of phrases) {
      const hits = matchEmergencyRules(normalizeText(p)).map((h) => h.ruleId);
      assert.ok(hits.includes(rule.id), `"${p}" should fire ${rule.id}, got [${hits.join(', ')}]`);
    }
  }
});

test('rules report the sub-category and the matched phrase', () => {
  const [hit] = matchEmergencyRules(normalizeText('厨房里燃气泄漏了'));
  assert.equal(hit?.subcategory, 'safety_emergency.gas_leak');
  assert.equal(hit?.phrase, '燃气泄漏');
});

test('rules match traditional characters, full-width text and voice transcripts', () => {
  assert.equal(fire('廚房裡燃氣洩漏了'), 'gas_leak');
  assert.equal(fire('喂 那个 我妈 晕 倒 了 快来人'), 'collapse_medical');
  assert.equal(fire('樓下著火了！'), 'fire');
});

test('near misses do not fire', () => {
  const nearMisses = [
    '燃气灶打不着火',
    '燃气灶点不着火了找人修一下',
    '热水器打不着火',
    '电梯广告太吵了',
    '上次着火的事情已经处理好了',
    '之前水管爆了已经修好了',
    '去年水淹过的车库',
    '燃气费怎么交',
    '燃气公司什么时候来安检',
    '没有燃气味 就是想问问安检',
    '担心楼道里的电动车会着火',
    '预防燃气泄漏的宣传',
    '消防演练什么时候搞',
    '楼道堆放杂物有火灾隐患',
    '漏电保护器老是跳闸',
    '孩子学习有困难',
    '电梯广告屏坏了',
    '脑出血出院以后需要康复',
    '想学架子鼓',
    '打人工客服没人接',
    '墙体随时可能倒塌',
    '最近总犯困',
    '烟囱冒烟',
    '中风后康复训练怎么报名',
    '以前中过风现在行动不便',
    '花盆从楼上掉下来了',
    '担心餐馆卫生差会食物中毒',
    '冬天预防煤气中毒的宣传',
    '防止孩子误食药品',
    '落水管堵了',
    '小区的落水口被树叶堵住',
    '防溺水安全教育',
    '手机掉进河里了',
    '我的电动车被车撞坏了',
    '上次车祸的赔偿还没下来',
    '想给老人申请防走失手环',
    '我家的狗走丢了',
    '我家狗跑出去了找不到了',
    '我爸手机不见了',
    '上次走丢的老人已经找到了',
    '孩子今天放学已经回家了',
    '电梯经常关人',
    '这栋楼电梯频繁困人，要求更换',
    '春天真困人',
    '电梯门关了人还没进去',
    '怕老人摔倒了起不来，想装个扶手',
    '防跌倒起不来的报警器怎么申请',
    '上次我妈摔了一跤起不来，幸好邻居发现了',
    '孩子摔了一跤膝盖破了',
    '燃气的费用怎么交',
    '自行车胎漏气了',
    '下水道有股臭鸡蛋味',
    '老人总是忘了关煤气',
    '钥匙锁在家里了',
    '车锁在车库里出不来',
    '电梯里有人抽烟',
    '手机掉下去了',
    '气得说不出话',
    '给孩子打疫苗',
    '打孩子的电话打不通',
    '车库墙壁渗水',
    '广告牌有点松',
    '爬楼梯就喘不上气',
    '胸口有点闷',
    '老人有哮喘经常呼吸困难',
    '出门了找不到钥匙',
    '我儿子出去打工到现在没回家过年',
    '出去旅游到现在还没回来',
    '找不到家长签字',
    '我爸手机突然不见了',
    '孩子的书包一下子就不见了',
  ];
  for (const text of nearMisses) {
    assert.equal(fire(text), null, `"${text}" should not fire`);
  }
});

test('a past event that is happening again does fire', () => {
  assert.equal(fire('上次着火的地方现在又冒烟了'), 'fire');
  assert.equal(fire('家里没人 老人晕倒了'), 'collapse_medical');
  assert.equal(fire('电梯经常困人，今天电梯又困人了'), 'trapped');
  assert.equal(fire('上次走丢找到了，这次又走丢了'), 'missing_person');
  assert.equal(fire('好可怕，老人摔倒了起不来'), 'fall_cannot_get_up');
  assert.equal(fire('老人恐怕是摔倒了起不来'), 'fall_cannot_get_up');
  assert.equal(fire('对面楼有一户着伙了火很大'), 'fire');
});

// The same emergencies written in English (the apps' English mode).
const MUST_FIRE_EN: Record<string, string[]> = {
  gas_leak: ['There is a strong smell of gas in the stairwell', 'I think the gas is leaking'],
  fire: [
    "There's a fire in the kitchen next door!",
    'Thick smoke coming from the flat upstairs',
    'The bins caught fire',
  ],
  trapped: ['We are stuck in the lift, please help', 'My son is trapped in the bathroom'],
  structural: ['The ceiling has collapsed', 'Part of the wall came down'],
  fall_cannot_get_up: ["My mother fell and can't get up", 'Grandpa has had a fall, he is unable to stand up'],
  collapse_medical: [
    'My dad collapsed and is not breathing',
    'A man fainted at the gate',
    'She is unconscious',
  ],
  bleeding: ['He is bleeding heavily from the head'],
  violence: ['Someone with a knife is chasing people', 'Two men are fighting downstairs'],
  flooding: ['The basement is flooded', 'A pipe has burst and water is pouring in'],
  missing_person: [
    'My son is missing',
    "I can't find my mother, she has dementia",
    "Grandma hasn't come home since this morning",
  ],
  power_line: ['A power line is down on the road', 'Someone got an electric shock'],
};

test('every English rule fires on its phrases, with the same ids and sub-categories', () => {
  for (const rule of ENGLISH_EMERGENCY_RULES) {
    assert.ok(
      EMERGENCY_RULES.some((r) => r.id === rule.id && r.subcategory === rule.subcategory),
      rule.id,
    );
    const phrases = MUST_FIRE_EN[rule.id];
    assert.ok(phrases && phrases.length > 0, `no English phrases for rule ${rule.id}`);
    for (const p of phrases) assert.equal(fire(p), rule.id, p);
  }
});

test('English near misses do not fire', () => {
  for (const text of [
    'The gas bill is too high this month',
    'No smell of gas, just asking about the gas safety check',
    'When is the fire drill?',
    "I'm worried there could be a fire with all the bikes charging",
    'The lift is often stuck',
    'Our cat is missing',
    'A question about flood insurance',
    'Last week there was a fire, it was put out',
    'My husband had a stroke last year and needs rehab',
    'How do I report a gas leak?',
    'My son was missing yesterday but came back',
    'Can someone fix the smoke alarm?',
  ])
    assert.equal(fire(text), null, text);
});
