/**
 * The built-in service taxonomy: 7 top categories with sub-categories. Plain data without any
 * Node import, so the web apps name categories with it when the list cannot be loaded (offline).
 * Codes are stable identifiers; a sub-category's code is `<top>.<sub>`.
 */
export interface CategoryNode {
  code: string;
  nameZh: string;
  nameEn: string;
  /** Withheld from public listings (Open311) unless a key may see it: it names a person's health, age or safety. */
  private?: boolean;
  children?: CategoryNode[];
}

export const BUILTIN_TAXONOMY: CategoryNode[] = [
  {
    code: 'basic_living',
    nameZh: '基本生活',
    nameEn: 'Basic living',
    children: [
      { code: 'basic_living.water_electric', nameZh: '水电维修', nameEn: 'Water and electricity repair' },
      { code: 'basic_living.appliance', nameZh: '家电维修', nameEn: 'Appliance repair' },
      { code: 'basic_living.property', nameZh: '物业服务', nameEn: 'Property management' },
      { code: 'basic_living.sanitation', nameZh: '环境卫生与垃圾', nameEn: 'Sanitation and garbage' },
      { code: 'basic_living.heating_gas', nameZh: '供暖与燃气服务', nameEn: 'Heating and gas service' },
      { code: 'basic_living.parking', nameZh: '停车与道路', nameEn: 'Parking and roads' },
      { code: 'basic_living.elevator', nameZh: '电梯故障', nameEn: 'Broken lift' },
      { code: 'basic_living.noise', nameZh: '噪音扰民', nameEn: 'Noise' },
    ],
  },
  {
    code: 'health',
    nameZh: '健康医疗',
    nameEn: 'Health',
    private: true,
    children: [
      { code: 'health.chronic_disease', nameZh: '慢病管理', nameEn: 'Chronic disease care', private: true },
      { code: 'health.checkup', nameZh: '健康体检', nameEn: 'Health check-up', private: true },
      { code: 'health.family_doctor', nameZh: '家庭医生签约', nameEn: 'Family doctor', private: true },
      { code: 'health.medicine_delivery', nameZh: '送药上门', nameEn: 'Medicine delivery', private: true },
      { code: 'health.mental_health', nameZh: '心理咨询', nameEn: 'Counselling', private: true },
      { code: 'health.rehabilitation', nameZh: '康复护理', nameEn: 'Rehabilitation', private: true },
    ],
  },
  {
    code: 'education_employment',
    nameZh: '教育就业',
    nameEn: 'Education and employment',
    children: [
      { code: 'education_employment.job_seeking', nameZh: '求职招聘', nameEn: 'Jobs' },
      {
        code: 'education_employment.vocational_training',
        nameZh: '职业技能培训',
        nameEn: 'Vocational training',
      },
      { code: 'education_employment.resume_help', nameZh: '简历指导', nameEn: 'CV help' },
      { code: 'education_employment.after_school', nameZh: '课后托管', nameEn: 'After-school care' },
      { code: 'education_employment.tutoring', nameZh: '学业辅导', nameEn: 'Tutoring' },
      { code: 'education_employment.childcare', nameZh: '托育入园', nameEn: 'Nursery places' },
    ],
  },
  {
    code: 'social_culture',
    nameZh: '社交文化',
    nameEn: 'Social and culture',
    children: [
      { code: 'social_culture.community_activity', nameZh: '社区活动', nameEn: 'Community activities' },
      { code: 'social_culture.interest_group', nameZh: '兴趣小组', nameEn: 'Interest groups' },
      { code: 'social_culture.culture', nameZh: '文化服务', nameEn: 'Culture' },
      { code: 'social_culture.sports', nameZh: '体育健身', nameEn: 'Sports' },
      { code: 'social_culture.venue_booking', nameZh: '场地预约', nameEn: 'Venue booking' },
    ],
  },
  {
    code: 'safety_emergency',
    nameZh: '安全应急',
    nameEn: 'Safety and emergency',
    children: [
      { code: 'safety_emergency.fire', nameZh: '火情', nameEn: 'Fire' },
      { code: 'safety_emergency.gas_leak', nameZh: '燃气泄漏', nameEn: 'Gas leak' },
      { code: 'safety_emergency.trapped', nameZh: '电梯困人与被困', nameEn: 'Trapped person' },
      {
        code: 'safety_emergency.structural',
        nameZh: '坍塌与结构险情',
        nameEn: 'Collapse and structural hazard',
      },
      {
        code: 'safety_emergency.violence',
        nameZh: '治安与暴力',
        nameEn: 'Violence and public order',
        private: true,
      },
      { code: 'safety_emergency.flooding', nameZh: '内涝与漏水险情', nameEn: 'Flooding' },
      {
        code: 'safety_emergency.medical_emergency',
        nameZh: '突发急症',
        nameEn: 'Medical emergency',
        private: true,
      },
      { code: 'safety_emergency.hazard', nameZh: '安全隐患', nameEn: 'Hazards and disaster prevention' },
      {
        code: 'safety_emergency.missing_person',
        nameZh: '人员走失',
        nameEn: 'Missing person',
        private: true,
      },
    ],
  },
  {
    code: 'elderly_care',
    nameZh: '养老服务',
    nameEn: 'Elderly care',
    private: true,
    children: [
      { code: 'elderly_care.meal_assistance', nameZh: '助餐', nameEn: 'Meal assistance', private: true },
      { code: 'elderly_care.bathing', nameZh: '助浴', nameEn: 'Bathing assistance', private: true },
      { code: 'elderly_care.home_care', nameZh: '居家照护', nameEn: 'Home care', private: true },
      {
        code: 'elderly_care.age_friendly_renovation',
        nameZh: '适老化改造',
        nameEn: 'Age-friendly adaptation',
        private: true,
      },
      { code: 'elderly_care.day_care', nameZh: '日间照料', nameEn: 'Day care', private: true },
      { code: 'elderly_care.check_in', nameZh: '探访关爱', nameEn: 'Check-in visits', private: true },
    ],
  },
  {
    code: 'government_affairs',
    nameZh: '政务代办',
    nameEn: 'Government affairs',
    children: [
      { code: 'government_affairs.residence_permit', nameZh: '居住证', nameEn: 'Residence permit' },
      { code: 'government_affairs.subsidy', nameZh: '补贴津贴申请', nameEn: 'Subsidies and allowances' },
      { code: 'government_affairs.certificate', nameZh: '证明开具', nameEn: 'Certificates' },
      {
        code: 'government_affairs.household_registration',
        nameZh: '户籍办理',
        nameEn: 'Household registration',
      },
      { code: 'government_affairs.proxy_service', nameZh: '代办服务', nameEn: 'Proxy paperwork' },
    ],
  },
];
