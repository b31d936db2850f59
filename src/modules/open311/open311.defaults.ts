/**
 * What a fresh deployment publishes through Open311 beyond the taxonomy itself: keywords per
 * service, how precisely each category's location is shown in public listings, and the extra
 * questions (Open311 "attributes") several categories ask on intake. All of it is data in the
 * database afterwards (`open311_services`, `categories.questions_json`), editable per deployment.
 */
import type { AddressPrecision, CategoryQuestion } from './open311.types.ts';

export interface ServiceDefaults {
  keywordsZh: string;
  keywordsEn: string;
  precision: AddressPrecision;
}

const S = (keywordsZh: string, keywordsEn: string, precision: AddressPrecision): ServiceDefaults => ({
  keywordsZh,
  keywordsEn,
  precision,
});

/**
 * Keywords and address precision per category code. Facilities (pipes, lifts, roads) are shown at
 * building level, never the room; personal needs (health, care, paperwork) only at community level.
 */
export const DEFAULT_SERVICE_SETTINGS: Record<string, ServiceDefaults> = {
  basic_living: S('生活,维修,物业', 'living, repair, property', 'building'),
  'basic_living.water_electric': S('漏水,停电,跳闸,水管,灯', 'leak, power cut, pipe, light', 'building'),
  'basic_living.appliance': S(
    '热水器,空调,洗衣机,家电',
    'water heater, air conditioner, appliance',
    'street',
  ),
  'basic_living.property': S('物业,门禁,绿化,物业费', 'property, access control, greenery', 'building'),
  'basic_living.sanitation': S('垃圾,清运,卫生,杂物', 'garbage, collection, sanitation', 'building'),
  'basic_living.heating_gas': S('供暖,燃气,燃气表', 'heating, gas, gas meter', 'building'),
  'basic_living.parking': S('停车,乱停,消防通道,路面', 'parking, fire lane, road surface', 'building'),
  'basic_living.elevator': S('电梯,故障,异响', 'lift, elevator, breakdown', 'building'),
  'basic_living.noise': S('噪音,装修,广场舞,扰民', 'noise, renovation, square dancing', 'street'),
  health: S('健康,医疗', 'health, medical', 'community'),
  'health.chronic_disease': S('慢病,高血压,糖尿病', 'chronic disease, blood pressure, diabetes', 'community'),
  'health.checkup': S('体检,健康检查', 'check-up', 'community'),
  'health.family_doctor': S('家庭医生,签约', 'family doctor', 'community'),
  'health.medicine_delivery': S('送药,配药', 'medicine delivery', 'community'),
  'health.mental_health': S('心理,咨询,情绪', 'counselling, mental health', 'hidden'),
  'health.rehabilitation': S('康复,护理', 'rehabilitation, nursing', 'community'),
  education_employment: S('教育,就业', 'education, employment', 'community'),
  'education_employment.job_seeking': S('求职,招聘,工作', 'jobs, vacancies', 'community'),
  'education_employment.vocational_training': S('培训,技能', 'training, skills', 'community'),
  'education_employment.resume_help': S('简历', 'CV, resume', 'community'),
  'education_employment.after_school': S('托管,四点半课堂', 'after-school care', 'community'),
  'education_employment.tutoring': S('辅导,学业', 'tutoring', 'community'),
  'education_employment.childcare': S('托育,幼儿园,学位', 'nursery, kindergarten', 'community'),
  social_culture: S('活动,文化', 'activities, culture', 'street'),
  'social_culture.community_activity': S('社区活动,报名', 'community events', 'street'),
  'social_culture.interest_group': S('兴趣班,合唱团,书法', 'interest groups, choir', 'street'),
  'social_culture.culture': S('图书室,文化', 'library, culture', 'street'),
  'social_culture.sports': S('健身,球场,体育', 'sports, fitness', 'building'),
  'social_culture.venue_booking': S('场地,活动室,预约', 'venue, room booking', 'street'),
  safety_emergency: S('安全,应急', 'safety, emergency', 'building'),
  'safety_emergency.fire': S('火情,着火,烟', 'fire, smoke', 'building'),
  'safety_emergency.gas_leak': S('燃气泄漏,煤气味', 'gas leak', 'building'),
  'safety_emergency.trapped': S('困人,被困,电梯困人', 'trapped, lift entrapment', 'building'),
  'safety_emergency.structural': S('坍塌,裂缝,脱落', 'collapse, cracks, falling tiles', 'building'),
  'safety_emergency.violence': S('打架,治安', 'violence, public order', 'community'),
  'safety_emergency.flooding': S('内涝,进水,漏水', 'flooding, water ingress', 'building'),
  'safety_emergency.medical_emergency': S('急症,晕倒,急救', 'medical emergency', 'hidden'),
  'safety_emergency.hazard': S('隐患,防灾', 'hazard, disaster prevention', 'building'),
  'safety_emergency.missing_person': S('走失,走丢,寻人', 'missing person', 'hidden'),
  elderly_care: S('养老,老人', 'elderly care', 'community'),
  'elderly_care.meal_assistance': S('助餐,长者饭堂', 'meals, canteen', 'community'),
  'elderly_care.bathing': S('助浴', 'bathing', 'community'),
  'elderly_care.home_care': S('居家照护,上门', 'home care', 'community'),
  'elderly_care.age_friendly_renovation': S('适老化,扶手,改造', 'age-friendly adaptation', 'community'),
  'elderly_care.day_care': S('日间照料', 'day care', 'community'),
  'elderly_care.check_in': S('探访,关爱', 'check-in visits', 'community'),
  government_affairs: S('政务,代办', 'paperwork, public services', 'community'),
  'government_affairs.residence_permit': S('居住证', 'residence permit', 'community'),
  'government_affairs.subsidy': S('补贴,津贴', 'subsidies, allowances', 'community'),
  'government_affairs.certificate': S('证明,开具', 'certificates', 'community'),
  'government_affairs.household_registration': S('户籍,户口', 'household registration', 'community'),
  'government_affairs.proxy_service': S('代办', 'proxy paperwork', 'community'),
};

const L = (zh: string, en: string) => ({ zh, en });
const V = (key: string, zh: string, en: string) => ({ key, label: L(zh, en) });
const YES_NO = [V('yes', '是', 'Yes'), V('no', '否', 'No')];
const EMERGENCY_NOTICE: CategoryQuestion = {
  code: 'emergency_notice',
  datatype: 'string',
  variable: false,
  required: false,
  order: 1,
  label: L(
    '如有人员受伤或生命危险，请立即拨打 119 / 120 / 110。',
    'If anyone is hurt or in danger, call 119 / 120 / 110 first.',
  ),
};

/** Extra questions per category code, seeded into `categories.questions_json` where it is still empty. */
export const DEFAULT_QUESTIONS: Record<string, CategoryQuestion[]> = {
  'basic_living.water_electric': [
    {
      code: 'problem_type',
      datatype: 'singlevaluelist',
      required: true,
      order: 1,
      label: L('问题类型', 'What is the problem?'),
      values: [
        V('leak', '漏水', 'Water leak'),
        V('power_cut', '停电或跳闸', 'Power cut or tripping'),
        V('tap', '水龙头或阀门', 'Tap or valve'),
        V('lighting', '公共照明', 'Public lighting'),
        V('other', '其他', 'Other'),
      ],
    },
    {
      code: 'noticed_at',
      datatype: 'datetime',
      required: false,
      order: 2,
      label: L('何时发现', 'When did you notice it?'),
      hint: L('ISO 8601 时间，例如 2026-11-20T08:30:00+08:00', 'ISO 8601, e.g. 2026-11-20T08:30:00+08:00'),
    },
  ],
  'basic_living.sanitation': [
    {
      code: 'issue',
      datatype: 'multivaluelist',
      required: true,
      order: 1,
      label: L('情况（可多选）', 'What do you see? (choose any)'),
      values: [
        V('overflow', '垃圾满溢未清运', 'Bins overflowing'),
        V('clutter', '楼道堆物', 'Clutter in the stairwell'),
        V('pests', '蚊蝇鼠害', 'Pests'),
        V('dead_animal', '动物尸体', 'Dead animal'),
      ],
    },
    {
      code: 'spot',
      datatype: 'text',
      required: false,
      order: 2,
      label: L('具体位置', 'Where exactly?'),
    },
  ],
  'basic_living.elevator': [
    {
      code: 'building',
      datatype: 'string',
      required: true,
      order: 1,
      label: L('楼栋', 'Building'),
      hint: L('例如 3栋', 'e.g. Building 3'),
    },
    {
      code: 'people_trapped',
      datatype: 'singlevaluelist',
      required: true,
      order: 2,
      label: L('是否有人被困', 'Is anyone trapped?'),
      values: YES_NO,
    },
    {
      code: 'floor',
      datatype: 'number',
      required: false,
      order: 3,
      label: L('停在几楼', 'Stopped at floor'),
    },
  ],
  'basic_living.noise': [
    {
      code: 'source',
      datatype: 'singlevaluelist',
      required: true,
      order: 1,
      label: L('噪音来源', 'Source of the noise'),
      values: [
        V('renovation', '装修', 'Renovation'),
        V('dancing', '广场舞', 'Square dancing'),
        V('shop', '商铺', 'Shop'),
        V('traffic', '车辆', 'Traffic'),
        V('other', '其他', 'Other'),
      ],
    },
    {
      code: 'periods',
      datatype: 'multivaluelist',
      required: false,
      order: 2,
      label: L('发生时段', 'When does it happen?'),
      values: [
        V('morning', '早上', 'Morning'),
        V('afternoon', '下午', 'Afternoon'),
        V('evening', '晚上', 'Evening'),
        V('night', '深夜', 'Late night'),
      ],
    },
  ],
  'basic_living.parking': [
    {
      code: 'fire_lane_blocked',
      datatype: 'singlevaluelist',
      required: true,
      order: 1,
      label: L('是否堵塞消防通道', 'Is a fire lane blocked?'),
      values: YES_NO,
    },
    {
      code: 'plate',
      datatype: 'string',
      required: false,
      order: 2,
      label: L('车牌号', 'Number plate'),
    },
  ],
  'safety_emergency.hazard': [
    EMERGENCY_NOTICE,
    {
      code: 'hazard_type',
      datatype: 'singlevaluelist',
      required: true,
      order: 2,
      label: L('隐患类型', 'Kind of hazard'),
      values: [
        V('electric', '电线私拉乱接', 'Unsafe wiring'),
        V('ebike', '电动车楼道充电', 'E-bike charging indoors'),
        V('falling', '高空坠物风险', 'Risk of falling objects'),
        V('other', '其他', 'Other'),
      ],
    },
    {
      code: 'people_at_risk',
      datatype: 'number',
      required: false,
      order: 3,
      label: L('可能受影响人数', 'People at risk'),
    },
  ],
  'safety_emergency.flooding': [
    EMERGENCY_NOTICE,
    {
      code: 'depth',
      datatype: 'singlevaluelist',
      required: true,
      order: 2,
      label: L('积水深度', 'Depth of the water'),
      values: [
        V('ankle', '没过脚踝', 'Ankle deep'),
        V('knee', '没过膝盖', 'Knee deep'),
        V('deeper', '更深', 'Deeper'),
      ],
    },
  ],
  'elderly_care.meal_assistance': [
    {
      code: 'meals',
      datatype: 'multivaluelist',
      required: true,
      order: 1,
      label: L('需要的餐次', 'Which meals?'),
      values: [V('lunch', '午餐', 'Lunch'), V('dinner', '晚餐', 'Dinner')],
    },
    {
      code: 'start_on',
      datatype: 'datetime',
      required: false,
      order: 2,
      label: L('希望开始日期', 'Start from'),
    },
    {
      code: 'diet',
      datatype: 'text',
      required: false,
      order: 3,
      label: L('饮食要求', 'Dietary needs'),
    },
  ],
  'government_affairs.certificate': [
    {
      code: 'certificate_type',
      datatype: 'singlevaluelist',
      required: true,
      order: 1,
      label: L('证明类型', 'Which certificate?'),
      values: [
        V('residence', '居住证明', 'Proof of residence'),
        V('family', '亲属关系证明', 'Proof of family relation'),
        V('hardship', '困难证明', 'Proof of hardship'),
        V('other', '其他', 'Other'),
      ],
    },
  ],
};
