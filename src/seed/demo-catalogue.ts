/**
 * Demo service-resource catalogue for the demo street (./demo-geography.ts): for each community the
 * organisations, places, teams and people that serve residents' needs, and the standard service
 * packages they offer. Category codes come from the default taxonomy. Names, phone numbers and
 * positions are illustrative.
 *
 * Every community gets the same kinds of resource (a community in Shenzhen has its own
 * 党群服务中心, 社康, 长者食堂, 微型消防站, 警务室 …), placed at its own spots, so the list is built from
 * one template table; the result is plain data.
 */
import type { GeoJsonPolygon } from '../modules/grids/geo.types.ts';
import type {
  ResourceProfile,
  ResourceType,
  TimeRange,
  WeeklyHours,
} from '../modules/matching/matching.types.ts';
import { DEMO_COMMUNITIES } from './demo-geography.ts';
import type { DemoBuilding, DemoCommunity } from './demo-geography.ts';

export interface DemoResource extends ResourceProfile {
  address: string;
  phone: string;
}

export interface DemoServicePackage {
  code: string;
  communityCode: string;
  /** The resource that delivers it. */
  resourceCode: string;
  name: string;
  /** Sub-category code served. */
  category: string;
  description: string;
  durationMinutes: number;
  /** Price per session in yuan; 0 when free. */
  priceCny: number;
  free: boolean;
  /** Tags a beneficiary must carry (any of them); empty = open to all residents. */
  eligibility: string[];
}

type HoursPreset =
  'office' | 'daily' | 'always' | 'canteen' | 'afterSchool' | 'venue' | 'clinic' | 'shop' | 'club';
type AreaRule = 'community' | 'west' | 'east' | { radiusM: number };

interface ResourceTemplate {
  key: string;
  name: (short: string, estate: string) => string;
  type: ResourceType;
  categories: string[];
  keywords: string[];
  /** Position as fractions of the community's bounding box, from its south-west corner. */
  at: [number, number];
  area: AreaRule;
  capacity: [concurrent: number, dailyQuota: number];
  hours: HoursPreset;
  rating: number;
  onDuty?: boolean;
  emergency?: boolean;
  skills?: string[];
  certificates?: Array<{ name: string; expiresOn: string }>;
}

const r = (open: string, close: string): TimeRange => ({ open, close });
const week = (weekday: TimeRange[], sat: TimeRange[], sun: TimeRange[]): WeeklyHours => ({
  mon: weekday,
  tue: weekday,
  wed: weekday,
  thu: weekday,
  fri: weekday,
  sat,
  sun,
});

const HOURS: Record<HoursPreset, WeeklyHours> = {
  office: week([r('09:00', '12:00'), r('14:00', '18:00')], [r('09:00', '12:00')], []),
  daily: week([r('08:00', '20:00')], [r('08:00', '20:00')], [r('08:00', '20:00')]),
  always: week([r('00:00', '24:00')], [r('00:00', '24:00')], [r('00:00', '24:00')]),
  canteen: week([r('10:30', '13:30'), r('16:30', '18:30')], [r('10:30', '13:30')], [r('10:30', '13:30')]),
  afterSchool: week([r('16:00', '19:00')], [], []),
  venue: week([r('06:00', '22:00')], [r('06:00', '22:00')], [r('06:00', '22:00')]),
  clinic: week([r('08:00', '12:00'), r('14:00', '21:00')], [r('08:00', '17:00')], [r('08:00', '17:00')]),
  shop: week([r('09:00', '21:00')], [r('09:00', '21:00')], [r('09:00', '21:00')]),
  club: week([r('19:00', '21:00')], [r('09:00', '17:00')], [r('09:00', '17:00')]),
};

const TEMPLATES: ResourceTemplate[] = [
  // 基本生活
  {
    key: 'property-west',
    name: (_s, e) => `${e}一区物业服务中心`,
    type: 'organisation',
    categories: [
      'basic_living.property',
      'basic_living.sanitation',
      'basic_living.parking',
      'basic_living.noise',
    ],
    keywords: [
      '物业',
      '保洁',
      '楼道',
      '公共区域',
      '门禁',
      '车位',
      '停车场',
      '小区',
      '绿化',
      '装修',
      '邻居',
      '管理费',
      '保安',
      '一区',
    ],
    at: [0.2, 0.45],
    area: 'west',
    capacity: [20, 60],
    hours: 'daily',
    rating: 3.8,
  },
  {
    key: 'property-east',
    name: (_s, e) => `${e}二区物业管理处`,
    type: 'organisation',
    categories: [
      'basic_living.property',
      'basic_living.sanitation',
      'basic_living.parking',
      'basic_living.noise',
    ],
    keywords: [
      '物业',
      '保洁',
      '楼道',
      '公共区域',
      '门禁',
      '车位',
      '停车场',
      '小区',
      '绿化',
      '装修',
      '邻居',
      '管理费',
      '保安',
      '二区',
    ],
    at: [0.8, 0.55],
    area: 'east',
    capacity: [20, 60],
    hours: 'daily',
    rating: 4.0,
  },
  {
    key: 'water-electric',
    name: (s) => `${s}社区水电维修队`,
    type: 'team',
    categories: ['basic_living.water_electric'],
    keywords: [
      '水管',
      '漏水',
      '水龙头',
      '马桶',
      '下水道',
      '堵塞',
      '水压',
      '停水',
      '电路',
      '跳闸',
      '停电',
      '插座',
      '电灯',
      '灯泡',
      '电线',
      '开关',
      '水表',
      '电表',
      '维修',
    ],
    at: [0.35, 0.3],
    area: 'community',
    capacity: [6, 20],
    hours: 'daily',
    rating: 4.3,
    skills: ['水电维修'],
    certificates: [{ name: '低压电工作业证', expiresOn: '2028-06-30' }],
  },
  {
    key: 'appliance',
    name: (s) => `${s}家电维修服务部`,
    type: 'organisation',
    categories: ['basic_living.appliance'],
    keywords: [
      '家电',
      '冰箱',
      '洗衣机',
      '电视',
      '热水器',
      '微波炉',
      '油烟机',
      '抽油烟机',
      '电饭煲',
      '燃气灶',
      '制冷',
      '不转',
      '维修',
    ],
    at: [0.55, 0.4],
    area: 'community',
    capacity: [5, 15],
    hours: 'shop',
    rating: 4.1,
    skills: ['家电维修'],
  },
  {
    key: 'aircon',
    name: (s) => `${s}空调清洗维修队`,
    type: 'team',
    categories: ['basic_living.appliance'],
    keywords: ['空调', '制冷', '制热', '加氟', '清洗', '外机', '滴水', '遥控器', '维修'],
    at: [0.6, 0.7],
    area: 'community',
    capacity: [4, 12],
    hours: 'shop',
    rating: 4.4,
    skills: ['空调维修', '高空作业'],
    certificates: [{ name: '制冷与空调作业证', expiresOn: '2027-12-31' }],
  },
  {
    key: 'lift',
    name: (s) => `${s}电梯维保站`,
    type: 'team',
    categories: ['basic_living.elevator', 'safety_emergency.trapped'],
    keywords: [
      '电梯',
      '停运',
      '异响',
      '抖动',
      '按钮',
      '电梯门',
      '困人',
      '关在电梯',
      '卡在电梯',
      '维保',
      '年检',
    ],
    at: [0.5, 0.5],
    area: { radiusM: 2500 },
    capacity: [4, 20],
    hours: 'always',
    rating: 4.2,
    onDuty: true,
    emergency: true,
    skills: ['电梯维修', '电梯救援'],
    certificates: [{ name: '电梯作业人员证', expiresOn: '2028-03-31' }],
  },
  {
    key: 'sanitation',
    name: (s) => `${s}社区环卫站`,
    type: 'team',
    categories: ['basic_living.sanitation'],
    keywords: [
      '垃圾',
      '清运',
      '垃圾分类',
      '大件垃圾',
      '垃圾桶',
      '卫生',
      '蚊虫',
      '老鼠',
      '消杀',
      '臭味',
      '化粪池',
      '落叶',
    ],
    at: [0.1, 0.1],
    area: 'community',
    capacity: [8, 30],
    hours: 'daily',
    rating: 3.9,
  },
  {
    key: 'gas-service',
    name: (s) => `深圳燃气${s}服务点`,
    type: 'organisation',
    categories: ['basic_living.heating_gas'],
    keywords: [
      '燃气',
      '天然气',
      '开通',
      '点火',
      '燃气表',
      '缴费',
      '气费',
      '安检',
      '过户',
      '报装',
      '热水器安装',
    ],
    at: [0.3, 0.6],
    area: 'community',
    capacity: [6, 25],
    hours: 'office',
    rating: 4.0,
  },
  {
    key: 'gas-emergency',
    name: (s) => `燃气抢修${s}班组`,
    type: 'team',
    categories: ['safety_emergency.gas_leak', 'basic_living.heating_gas'],
    keywords: ['燃气泄漏', '漏气', '煤气味', '燃气味', '气味', '燃气管', '爆燃', '抢修', '闻到'],
    at: [0.7, 0.2],
    area: { radiusM: 3000 },
    capacity: [3, 20],
    hours: 'always',
    rating: 4.6,
    onDuty: true,
    emergency: true,
    skills: ['燃气抢修'],
    certificates: [{ name: '燃气作业证', expiresOn: '2027-09-30' }],
  },
  {
    key: 'urban-management',
    name: (s) => `${s}城管执法队`,
    type: 'team',
    categories: ['basic_living.parking', 'basic_living.noise'],
    keywords: [
      '违停',
      '乱停',
      '占道',
      '道路',
      '路面',
      '井盖',
      '路灯',
      '施工噪音',
      '夜间施工',
      '摊贩',
      '违建',
      '广告牌',
      '工地',
    ],
    at: [0.9, 0.9],
    area: 'community',
    capacity: [6, 25],
    hours: 'daily',
    rating: 3.6,
  },
  // 健康医疗
  {
    key: 'health-centre',
    name: (s) => `${s}社区健康服务中心`,
    type: 'place',
    categories: ['health.checkup', 'health.chronic_disease'],
    keywords: [
      '体检',
      '检查',
      '血压',
      '血糖',
      '高血压',
      '糖尿病',
      '慢病',
      '复诊',
      '开药',
      '疫苗',
      '接种',
      '看病',
      '社康',
      '抽血',
    ],
    at: [0.45, 0.55],
    area: 'community',
    capacity: [30, 200],
    hours: 'clinic',
    rating: 4.2,
    certificates: [{ name: '医疗机构执业许可证', expiresOn: '2029-12-31' }],
  },
  {
    key: 'family-doctor',
    name: (s) => `${s}家庭医生团队`,
    type: 'team',
    categories: ['health.family_doctor', 'health.chronic_disease'],
    keywords: ['家庭医生', '签约', '续约', '家医', '上门', '随访', '健康档案', '慢病', '出诊'],
    at: [0.45, 0.57],
    area: 'community',
    capacity: [8, 30],
    hours: 'clinic',
    rating: 4.5,
    skills: ['全科医学'],
    certificates: [{ name: '医师执业证书', expiresOn: '2030-06-30' }],
  },
  {
    key: 'rehab-therapist',
    name: (s) => `${s}上门康复治疗师`,
    type: 'person',
    categories: ['health.rehabilitation'],
    keywords: ['康复', '上门康复', '中风', '偏瘫', '术后', '理疗', '按摩', '行走训练', '卧床'],
    at: [0.4, 0.35],
    area: 'community',
    capacity: [3, 6],
    hours: 'office',
    rating: 4.7,
    skills: ['康复治疗'],
    certificates: [{ name: '康复医学治疗技术资格证', expiresOn: '2028-12-31' }],
  },
  {
    key: 'rehab-station',
    name: (s) => `${s}康复站`,
    type: 'place',
    categories: ['health.rehabilitation'],
    keywords: ['康复', '康复训练', '器械', '理疗', '针灸', '骨折', '腰椎', '颈椎', '关节'],
    at: [0.52, 0.6],
    area: 'community',
    capacity: [10, 40],
    hours: 'office',
    rating: 4.1,
  },
  {
    key: 'pharmacy',
    name: (s) => `${s}大药房送药服务`,
    type: 'organisation',
    categories: ['health.medicine_delivery'],
    keywords: ['送药', '药品', '买药', '配药', '药房', '处方', '降压药', '胰岛素', '药', '送上门'],
    at: [0.65, 0.45],
    area: { radiusM: 2000 },
    capacity: [10, 60],
    hours: 'shop',
    rating: 4.3,
    certificates: [{ name: '药品经营许可证', expiresOn: '2029-03-31' }],
  },
  {
    key: 'counsellor',
    name: (s) => `${s}社区心理咨询师`,
    type: 'person',
    categories: ['health.mental_health'],
    keywords: ['心理', '焦虑', '抑郁', '失眠', '情绪', '压力', '倾诉', '心理咨询', '想不开', '孤独'],
    at: [0.48, 0.52],
    area: 'community',
    capacity: [3, 6],
    hours: 'office',
    rating: 4.6,
    skills: ['心理咨询'],
    certificates: [{ name: '心理咨询师证书', expiresOn: '2027-06-30' }],
  },
  // 教育就业
  {
    key: 'job-centre',
    name: (s) => `${s}社区就业服务站`,
    type: 'place',
    categories: ['education_employment.job_seeking'],
    keywords: [
      '找工作',
      '工作',
      '招聘',
      '就业',
      '失业',
      '失业登记',
      '岗位',
      '招聘会',
      '灵活就业',
      '失业金',
      '求职',
    ],
    at: [0.5, 0.48],
    area: 'community',
    capacity: [10, 40],
    hours: 'office',
    rating: 4.0,
  },
  {
    key: 'career-adviser',
    name: (s) => `${s}就业指导员`,
    type: 'person',
    categories: ['education_employment.resume_help', 'education_employment.job_seeking'],
    keywords: ['简历', '面试', '求职指导', '职业规划', '应届', '毕业生', '写简历'],
    at: [0.5, 0.47],
    area: 'community',
    capacity: [4, 10],
    hours: 'office',
    rating: 4.4,
    skills: ['就业指导'],
    certificates: [{ name: '职业指导师证书', expiresOn: '2028-09-30' }],
  },
  {
    key: 'training-school',
    name: (s) => `南山${s}职业技能培训学校`,
    type: 'organisation',
    categories: ['education_employment.vocational_training'],
    keywords: [
      '培训',
      '技能',
      '证书',
      '考证',
      '电工',
      '育婴师',
      '家政',
      '厨师',
      '电脑',
      '学技术',
      '补贴培训',
    ],
    at: [0.8, 0.3],
    area: { radiusM: 3000 },
    capacity: [30, 60],
    hours: 'office',
    rating: 4.0,
  },
  {
    key: 'after-school',
    name: (s) => `${s}四点半课堂`,
    type: 'place',
    categories: ['education_employment.after_school'],
    keywords: ['托管', '放学', '课后', '四点半', '接孩子', '小学生', '没人接', '看孩子', '写作业'],
    at: [0.35, 0.75],
    area: 'community',
    capacity: [40, 40],
    hours: 'afterSchool',
    rating: 4.5,
  },
  {
    key: 'tutoring-volunteers',
    name: (s) => `${s}大学生学业辅导志愿队`,
    type: 'team',
    categories: ['education_employment.tutoring'],
    keywords: ['辅导', '功课', '数学', '英语', '语文', '补习', '学习', '成绩', '家教', '作文'],
    at: [0.38, 0.78],
    area: 'community',
    capacity: [10, 20],
    hours: 'club',
    rating: 4.6,
  },
  {
    key: 'nursery',
    name: (s) => `${s}普惠托育中心`,
    type: 'place',
    categories: ['education_employment.childcare'],
    keywords: ['托育', '入园', '幼儿园', '托班', '婴幼儿', '宝宝', '学位', '两岁', '三岁', '早教'],
    at: [0.25, 0.8],
    area: 'community',
    capacity: [30, 30],
    hours: 'office',
    rating: 4.3,
  },
  // 社交文化
  {
    key: 'party-mass-centre',
    name: (s) => `${s}社区党群服务中心`,
    type: 'place',
    categories: ['social_culture.community_activity', 'social_culture.venue_booking'],
    keywords: [
      '活动',
      '报名',
      '会议室',
      '活动室',
      '场地',
      '节日',
      '中秋',
      '春节',
      '邻里节',
      '亲子活动',
      '讲座',
      '借用',
    ],
    at: [0.5, 0.52],
    area: 'community',
    capacity: [20, 80],
    hours: 'office',
    rating: 4.2,
  },
  {
    key: 'library',
    name: (s) => `${s}社区图书馆`,
    type: 'place',
    categories: ['social_culture.culture'],
    keywords: ['图书', '图书馆', '借书', '还书', '阅读', '读书会', '自习', '书', '绘本', '借阅证'],
    at: [0.55, 0.62],
    area: 'community',
    capacity: [50, 200],
    hours: 'venue',
    rating: 4.5,
  },
  {
    key: 'culture-room',
    name: (s) => `${s}社区文化室`,
    type: 'place',
    categories: ['social_culture.culture'],
    keywords: ['演出', '电影', '展览', '非遗', '文艺', '粤剧', '戏曲', '放映', '文化'],
    at: [0.58, 0.6],
    area: 'community',
    capacity: [30, 100],
    hours: 'daily',
    rating: 4.0,
  },
  {
    key: 'sports-plaza',
    name: (s) => `${s}全民健身广场`,
    type: 'place',
    categories: ['social_culture.sports', 'social_culture.venue_booking'],
    keywords: ['篮球', '羽毛球', '乒乓球', '健身', '健身器材', '运动', '球场', '跑步', '场地预约', '订场'],
    at: [0.15, 0.85],
    area: 'community',
    capacity: [60, 300],
    hours: 'venue',
    rating: 4.1,
  },
  {
    key: 'swimming',
    name: (s) => `${s}体育公园游泳馆`,
    type: 'place',
    categories: ['social_culture.sports'],
    keywords: ['游泳', '泳池', '游泳馆', '游泳课', '学游泳', '泳道'],
    at: [0.85, 0.8],
    area: { radiusM: 3000 },
    capacity: [80, 400],
    hours: 'venue',
    rating: 4.2,
  },
  {
    key: 'calligraphy-club',
    name: (s) => `${s}书画协会`,
    type: 'team',
    categories: ['social_culture.interest_group'],
    keywords: ['书法', '国画', '绘画', '画画', '写字', '毛笔', '书画'],
    at: [0.52, 0.55],
    area: 'community',
    capacity: [20, 30],
    hours: 'club',
    rating: 4.6,
  },
  {
    key: 'dance-choir',
    name: (s) => `${s}合唱舞蹈队`,
    type: 'team',
    categories: ['social_culture.interest_group'],
    keywords: ['合唱', '唱歌', '广场舞', '舞蹈', '跳舞', '合唱团', '排练'],
    at: [0.2, 0.9],
    area: 'community',
    capacity: [40, 40],
    hours: 'club',
    rating: 4.4,
  },
  {
    key: 'taichi-club',
    name: (s) => `${s}太极拳队`,
    type: 'team',
    categories: ['social_culture.interest_group', 'social_culture.sports'],
    keywords: ['太极', '太极拳', '晨练', '八段锦', '气功', '太极扇'],
    at: [0.12, 0.8],
    area: 'community',
    capacity: [30, 30],
    hours: 'venue',
    rating: 4.5,
  },
  {
    key: 'chess-club',
    name: (s) => `${s}棋牌兴趣小组`,
    type: 'team',
    categories: ['social_culture.interest_group'],
    keywords: ['象棋', '围棋', '下棋', '棋牌', '桥牌', '棋友'],
    at: [0.48, 0.58],
    area: 'community',
    capacity: [20, 30],
    hours: 'daily',
    rating: 4.3,
  },
  // 安全应急
  {
    key: 'fire-station',
    name: (s) => `${s}社区微型消防站`,
    type: 'place',
    categories: ['safety_emergency.fire', 'safety_emergency.trapped'],
    keywords: [
      '火',
      '着火',
      '起火',
      '失火',
      '冒烟',
      '烟',
      '火灾',
      '消防',
      '烧焦',
      '被困',
      '锁在',
      '出不来',
      '破门',
    ],
    at: [0.7, 0.35],
    area: { radiusM: 3000 },
    capacity: [3, 30],
    hours: 'always',
    rating: 4.8,
    onDuty: true,
    emergency: true,
    skills: ['灭火', '破拆救援'],
    certificates: [{ name: '消防员资格证', expiresOn: '2028-12-31' }],
  },
  {
    key: 'police-post',
    name: (s) => `${s}社区警务室`,
    type: 'place',
    categories: ['safety_emergency.violence'],
    keywords: [
      '打架',
      '打人',
      '斗殴',
      '偷',
      '被盗',
      '小偷',
      '诈骗',
      '报警',
      '威胁',
      '家暴',
      '闹事',
      '可疑人员',
      '醉酒',
    ],
    at: [0.5, 0.1],
    area: { radiusM: 3000 },
    capacity: [5, 50],
    hours: 'always',
    rating: 4.4,
    onDuty: true,
    emergency: true,
  },
  {
    key: 'three-prevention',
    name: (s) => `${s}三防应急队`,
    type: 'team',
    categories: ['safety_emergency.flooding', 'safety_emergency.structural'],
    keywords: [
      '内涝',
      '水浸',
      '积水',
      '暴雨',
      '台风',
      '塌方',
      '裂缝',
      '倒塌',
      '坍塌',
      '险情',
      '渗水',
      '大树倒',
      '淹',
    ],
    at: [0.2, 0.2],
    area: { radiusM: 3000 },
    capacity: [4, 30],
    hours: 'always',
    rating: 4.5,
    onDuty: true,
    emergency: true,
    skills: ['防汛', '抢险'],
  },
  {
    key: 'first-aid',
    name: (s) => `${s}社康急救点`,
    type: 'team',
    categories: ['safety_emergency.medical_emergency'],
    keywords: [
      '晕倒',
      '昏迷',
      '胸痛',
      '胸口痛',
      '急救',
      '呼吸困难',
      '摔倒',
      '抽搐',
      '心脏',
      '中暑',
      '流血',
      '不省人事',
      '救护车',
    ],
    at: [0.46, 0.56],
    area: { radiusM: 3000 },
    capacity: [3, 30],
    hours: 'always',
    rating: 4.7,
    onDuty: true,
    emergency: true,
    skills: ['急救'],
    certificates: [{ name: '急救员证', expiresOn: '2027-03-31' }],
  },
  {
    key: 'safety-patrol',
    name: (s) => `${s}安全隐患巡查队`,
    type: 'team',
    categories: ['safety_emergency.hazard'],
    keywords: [
      '隐患',
      '安全隐患',
      '电动车',
      '飞线',
      '充电',
      '消防通道',
      '通道堵塞',
      '高空抛物',
      '灭火器',
      '消防栓',
      '防盗网',
      '危险',
    ],
    at: [0.6, 0.15],
    area: 'community',
    capacity: [6, 30],
    hours: 'daily',
    rating: 4.0,
  },
  // 养老服务
  {
    key: 'elderly-canteen',
    name: (s) => `${s}长者食堂`,
    type: 'place',
    categories: ['elderly_care.meal_assistance'],
    keywords: ['吃饭', '助餐', '午餐', '晚餐', '饭堂', '食堂', '送餐', '长者食堂', '饭菜', '做饭', '订餐'],
    at: [0.42, 0.5],
    area: 'community',
    capacity: [80, 300],
    hours: 'canteen',
    rating: 4.4,
  },
  {
    key: 'bathing',
    name: (s) => `${s}长者助浴服务队`,
    type: 'team',
    categories: ['elderly_care.bathing'],
    keywords: ['洗澡', '助浴', '沐浴', '擦身', '洗头', '浴室'],
    at: [0.44, 0.45],
    area: 'community',
    capacity: [2, 6],
    hours: 'office',
    rating: 4.6,
    skills: ['助浴', '养老护理'],
    certificates: [{ name: '养老护理员证', expiresOn: '2027-10-31' }],
  },
  {
    key: 'day-care',
    name: (s) => `${s}长者日间照料中心`,
    type: 'place',
    categories: ['elderly_care.day_care'],
    keywords: ['日间照料', '白天', '托老', '照看', '老年人活动', '午休', '日托'],
    at: [0.4, 0.52],
    area: 'community',
    capacity: [30, 30],
    hours: 'office',
    rating: 4.3,
  },
  {
    key: 'home-care',
    name: (s) => `${s}居家养老服务社`,
    type: 'organisation',
    categories: ['elderly_care.home_care'],
    keywords: [
      '护理',
      '陪护',
      '保姆',
      '喂饭',
      '翻身',
      '陪诊',
      '居家',
      '照顾',
      '失能',
      '卧床',
      '护工',
      '看护',
    ],
    at: [0.3, 0.4],
    area: 'community',
    capacity: [15, 30],
    hours: 'daily',
    rating: 4.2,
    skills: ['养老护理'],
    certificates: [{ name: '养老机构备案', expiresOn: '2029-06-30' }],
  },
  {
    key: 'age-friendly',
    name: (s) => `${s}适老化改造工程队`,
    type: 'organisation',
    categories: ['elderly_care.age_friendly_renovation'],
    keywords: [
      '适老化',
      '改造',
      '扶手',
      '防滑',
      '坡道',
      '淋浴凳',
      '夜灯',
      '马桶扶手',
      '门槛',
      '无障碍',
      '安装',
    ],
    at: [0.75, 0.6],
    area: { radiusM: 3000 },
    capacity: [4, 8],
    hours: 'office',
    rating: 4.1,
    skills: ['适老化改造'],
  },
  {
    key: 'check-in-volunteers',
    name: (s) => `${s}关爱探访志愿队`,
    type: 'team',
    categories: ['elderly_care.check_in'],
    keywords: ['探访', '独居', '空巢', '陪聊', '问候', '关爱', '看望', '聊天', '没人来', '孤寡'],
    at: [0.55, 0.35],
    area: 'community',
    capacity: [20, 40],
    hours: 'daily',
    rating: 4.7,
  },
  // 政务代办
  {
    key: 'gov-window',
    name: (s) => `${s}社区政务服务窗口`,
    type: 'place',
    categories: [
      'government_affairs.residence_permit',
      'government_affairs.certificate',
      'government_affairs.household_registration',
      'government_affairs.subsidy',
    ],
    keywords: [
      '居住证',
      '证明',
      '户口',
      '户籍',
      '迁入',
      '补贴',
      '津贴',
      '低保',
      '高龄',
      '残疾证',
      '申请',
      '办理',
      '开证明',
      '社保卡',
      '材料',
    ],
    at: [0.5, 0.5],
    area: 'community',
    capacity: [20, 120],
    hours: 'office',
    rating: 4.0,
  },
  {
    key: 'proxy-team',
    name: (s) => `${s}网格代办服务队`,
    type: 'team',
    categories: ['government_affairs.proxy_service'],
    keywords: ['代办', '帮办', '跑腿', '帮忙办', '上门办理', '行动不便', '代缴', '代领'],
    at: [0.5, 0.45],
    area: 'community',
    capacity: [8, 30],
    hours: 'daily',
    rating: 4.5,
  },
  {
    key: 'legal-aid',
    name: (s) => `${s}社区法律服务室`,
    type: 'place',
    categories: ['government_affairs.proxy_service', 'government_affairs.certificate'],
    keywords: [
      '法律',
      '律师',
      '纠纷',
      '合同',
      '欠薪',
      '工资',
      '遗嘱',
      '离婚',
      '赔偿',
      '起诉',
      '咨询',
      '公证',
    ],
    at: [0.53, 0.5],
    area: 'community',
    capacity: [5, 12],
    hours: 'office',
    rating: 4.3,
    skills: ['法律咨询'],
    certificates: [{ name: '律师执业证', expiresOn: '2027-05-31' }],
  },
  {
    key: 'volunteers',
    name: (s) => `${s}社区志愿者服务队`,
    type: 'team',
    categories: ['social_culture.community_activity'],
    keywords: ['志愿者', '义工', '志愿服务', '帮忙', '搬东西', '时间银行', '做志愿'],
    at: [0.47, 0.42],
    area: 'community',
    capacity: [30, 60],
    hours: 'daily',
    rating: 4.6,
  },
];

const SHORT: Record<string, { short: string; estate: string }> = {
  taoyuan: { short: '桃源', estate: '桃源村' },
  longzhu: { short: '龙珠', estate: '龙珠花园' },
};

interface Bbox {
  minLng: number;
  minLat: number;
  maxLng: number;
  maxLat: number;
}

function bboxOf(polygon: GeoJsonPolygon): Bbox {
  const ring = polygon.coordinates[0] ?? [];
  const lngs = ring.map((p) => p[0]);
  const lats = ring.map((p) => p[1]);
  return {
    minLng: Math.min(...lngs),
    minLat: Math.min(...lats),
    maxLng: Math.max(...lngs),
    maxLat: Math.max(...lats),
  };
}

function rectangle(minLng: number, minLat: number, maxLng: number, maxLat: number): GeoJsonPolygon {
  return {
    type: 'Polygon',
    coordinates: [
      [
        [minLng, minLat],
        [maxLng, minLat],
        [maxLng, maxLat],
        [minLng, maxLat],
        [minLng, minLat],
      ],
    ],
  };
}

const round6 = (x: number): number => Math.round(x * 1e6) / 1e6;

function nearestBuilding(community: DemoCommunity, at: { lat: number; lng: number }): DemoBuilding {
  let best: DemoBuilding | undefined;
  let bestD = Infinity;
  for (const b of community.buildings) {
    const d = (b.lat - at.lat) ** 2 + (b.lng - at.lng) ** 2;
    if (d < bestD) {
      bestD = d;
      best = b;
    }
  }
  if (!best) throw new Error(`community ${community.code} has no buildings`);
  return best;
}

function buildResources(community: DemoCommunity, index: number): DemoResource[] {
  const names = SHORT[community.code] ?? { short: community.name.slice(0, 2), estate: community.name };
  const box = bboxOf(community.boundary);
  const midLng = community.center.lng;
  return TEMPLATES.map((t, i) => {
    // The second community mirrors positions east–west so the two layouts differ.
    const fx = index % 2 === 0 ? t.at[0] : 1 - t.at[0];
    const fy = t.at[1];
    const lng = round6(box.minLng + (box.maxLng - box.minLng) * Math.min(0.98, Math.max(0.02, fx)));
    const lat = round6(box.minLat + (box.maxLat - box.minLat) * Math.min(0.98, Math.max(0.02, fy)));
    const area = t.area;
    const serviceArea: DemoResource['serviceArea'] =
      area === 'community'
        ? { kind: 'polygon', polygon: community.boundary }
        : area === 'west'
          ? { kind: 'polygon', polygon: rectangle(box.minLng, box.minLat, midLng, box.maxLat) }
          : area === 'east'
            ? { kind: 'polygon', polygon: rectangle(midLng, box.minLat, box.maxLng, box.maxLat) }
            : { kind: 'radius', radiusM: area.radiusM };
    // Properties keep their half: mirrored positions would put them outside their own area.
    const location =
      area === 'west' || area === 'east'
        ? {
            lat,
            lng: round6(area === 'west' ? (box.minLng + midLng) / 2 : (midLng + box.maxLng) / 2),
          }
        : { lat, lng };
    const name = t.name(names.short, names.estate);
    return {
      code: `${community.code}-${t.key}`,
      communityCode: community.code,
      name,
      type: t.type,
      categories: t.categories,
      keywords: t.keywords,
      location,
      address: `${nearestBuilding(community, location).address}旁`,
      serviceArea,
      capacity: { concurrent: t.capacity[0], dailyQuota: t.capacity[1] },
      openingHours: HOURS[t.hours],
      phone: `0755-266${index + 1}${String(1000 + i * 7).padStart(4, '0')}`,
      rating: Math.min(5, round6(t.rating + (index === 0 ? 0 : i % 3 === 0 ? 0.1 : -0.1))),
      onDuty: t.onDuty ?? false,
      emergencyResponder: t.emergency ?? false,
      skills: t.skills ?? [],
      certificates: t.certificates ?? [],
    };
  });
}

/** All demo resources, both communities (≥ 40 each). */
export const DEMO_RESOURCES: DemoResource[] = DEMO_COMMUNITIES.flatMap((c, i) => buildResources(c, i));

interface PackageTemplate {
  key: string;
  resourceKey: string;
  name: string;
  category: string;
  description: string;
  durationMinutes: number;
  priceCny: number;
  eligibility: string[];
}

const PACKAGE_TEMPLATES: PackageTemplate[] = [
  {
    key: 'elderly-meal-dine-in',
    resourceKey: 'elderly-canteen',
    name: '长者助餐（堂食）',
    category: 'elderly_care.meal_assistance',
    description: '60 岁以上长者在长者食堂就餐，一荤两素一汤，享政府助餐补贴。',
    durationMinutes: 45,
    priceCny: 12,
    eligibility: ['age_60_plus'],
  },
  {
    key: 'elderly-meal-delivery',
    resourceKey: 'elderly-canteen',
    name: '长者送餐上门',
    category: 'elderly_care.meal_assistance',
    description: '为独居、失能或行动不便的长者每日送午餐上门，餐后回收餐盒。',
    durationMinutes: 30,
    priceCny: 15,
    eligibility: ['age_60_plus', 'living_alone', 'disability'],
  },
  {
    key: 'fall-prevention',
    resourceKey: 'rehab-station',
    name: '长者防跌倒训练课',
    category: 'health.rehabilitation',
    description: '康复师带领的平衡与肌力训练，每期 8 次，附居家跌倒风险评估。',
    durationMinutes: 60,
    priceCny: 0,
    eligibility: ['age_60_plus'],
  },
  {
    key: 'appliance-repair',
    resourceKey: 'appliance',
    name: '家电上门维修',
    category: 'basic_living.appliance',
    description: '冰箱、洗衣机、热水器等家电上门检测维修，检测免费，配件另计。',
    durationMinutes: 90,
    priceCny: 50,
    eligibility: [],
  },
  {
    key: 'aircon-cleaning',
    resourceKey: 'aircon',
    name: '空调深度清洗',
    category: 'basic_living.appliance',
    description: '挂机拆洗消毒；低保户、高龄独居长者每年免费一次。',
    durationMinutes: 60,
    priceCny: 80,
    eligibility: [],
  },
  {
    key: 'home-bathing',
    resourceKey: 'bathing',
    name: '上门助浴',
    category: 'elderly_care.bathing',
    description: '两名护理员携移动浴缸上门，含洗浴前健康评估。',
    durationMinutes: 90,
    priceCny: 60,
    eligibility: ['age_60_plus', 'disability'],
  },
  {
    key: 'age-friendly-assessment',
    resourceKey: 'age-friendly',
    name: '适老化改造上门评估',
    category: 'elderly_care.age_friendly_renovation',
    description: '评估卫生间、卧室、通道的跌倒风险，出具改造方案；符合条件者改造费用补贴。',
    durationMinutes: 60,
    priceCny: 0,
    eligibility: ['age_60_plus', 'disability'],
  },
  {
    key: 'family-doctor-signing',
    resourceKey: 'family-doctor',
    name: '家庭医生签约',
    category: 'health.family_doctor',
    description: '签约后享健康档案管理、慢病随访、优先预约和行动不便者上门出诊。',
    durationMinutes: 30,
    priceCny: 0,
    eligibility: [],
  },
  {
    key: 'chronic-follow-up',
    resourceKey: 'family-doctor',
    name: '高血压糖尿病慢病随访',
    category: 'health.chronic_disease',
    description: '每季度一次血压血糖测量、用药指导和健康教育。',
    durationMinutes: 30,
    priceCny: 0,
    eligibility: ['chronic_illness'],
  },
  {
    key: 'home-rehab',
    resourceKey: 'rehab-therapist',
    name: '上门康复训练',
    category: 'health.rehabilitation',
    description: '中风、术后卧床者上门康复训练，医保按规定报销。',
    durationMinutes: 60,
    priceCny: 100,
    eligibility: ['chronic_illness', 'disability'],
  },
  {
    key: 'after-school-care',
    resourceKey: 'after-school',
    name: '四点半课堂托管',
    category: 'education_employment.after_school',
    description: '工作日放学后托管和作业辅导，双职工家庭优先。',
    durationMinutes: 180,
    priceCny: 0,
    eligibility: ['child'],
  },
  {
    key: 'childcare-training',
    resourceKey: 'training-school',
    name: '育婴师职业技能培训',
    category: 'education_employment.vocational_training',
    description: '育婴师（五级）培训与考证，失业人员可申请培训补贴。',
    durationMinutes: 2400,
    priceCny: 1200,
    eligibility: [],
  },
  {
    key: 'residence-permit-proxy',
    resourceKey: 'proxy-team',
    name: '居住证代办',
    category: 'government_affairs.proxy_service',
    description: '行动不便居民由网格员代为提交居住证申请材料并送证上门。',
    durationMinutes: 30,
    priceCny: 0,
    eligibility: ['age_60_plus', 'disability'],
  },
  {
    key: 'check-in-visit',
    resourceKey: 'check-in-volunteers',
    name: '独居长者每周探访',
    category: 'elderly_care.check_in',
    description: '志愿者每周上门或电话问候一次，异常情况报网格员。',
    durationMinutes: 30,
    priceCny: 0,
    eligibility: ['living_alone', 'age_60_plus'],
  },
];

/** All demo service packages, both communities. */
export const DEMO_SERVICE_PACKAGES: DemoServicePackage[] = DEMO_COMMUNITIES.flatMap((c) =>
  PACKAGE_TEMPLATES.map((p) => ({
    code: `${c.code}-${p.key}`,
    communityCode: c.code,
    resourceCode: `${c.code}-${p.resourceKey}`,
    name: p.name,
    category: p.category,
    description: p.description,
    durationMinutes: p.durationMinutes,
    priceCny: p.priceCny,
    free: p.priceCny === 0,
    eligibility: p.eligibility,
  })),
);
