/**
 * Message templates in zh-CN and English. A template is a title and a body with `{name}`
 * placeholders filled from the message payload; an unknown template still renders (its name and
 * the order number), so a new message kind never fails delivery for want of words.
 */
export type Locale = 'zh-CN' | 'en';
export const LOCALES: readonly Locale[] = ['zh-CN', 'en'];

interface Text {
  title: string;
  body: string;
}

type TemplateSet = Record<Locale, Text>;

const T = (zhTitle: string, zhBody: string, enTitle: string, enBody: string): TemplateSet => ({
  'zh-CN': { title: zhTitle, body: zhBody },
  en: { title: enTitle, body: enBody },
});

export const TEMPLATES: Readonly<Record<string, TemplateSet>> = {
  otp: T(
    '验证码',
    '您的验证码是 {code}，{minutes} 分钟内有效。',
    'Sign-in code',
    'Your code is {code}, valid for {minutes} minutes.',
  ),
  order_received: T(
    '工单已受理登记',
    '您的诉求已登记，工单号 {number}。我们会尽快处理。',
    'Request received',
    'Your request is registered as {number}. We will act on it soon.',
  ),
  order_accepted: T(
    '工单已受理',
    '工单 {number} 已受理。',
    'Request accepted',
    'Request {number} has been accepted.',
  ),
  order_dispatched: T(
    '工单已派单',
    '工单 {number} 已派给处理人员。',
    'Request dispatched',
    'Request {number} has been assigned.',
  ),
  order_in_progress: T(
    '工单处理中',
    '工单 {number} 正在处理。',
    'Work started',
    'Work on {number} has started.',
  ),
  order_waiting_on_resident: T(
    '需要您补充信息',
    '工单 {number} 需要您的回复，处理暂停等待中。',
    'We need your reply',
    'Request {number} is waiting for your reply.',
  ),
  order_resolved: T(
    '工单已办结，请确认评价',
    '工单 {number} 已办结。请确认是否解决并评价（1-5 星）；如未解决可申请重办。',
    'Resolved: please confirm and rate',
    'Request {number} is resolved. Please confirm and rate it (1-5 stars), or reopen it if it is not fixed.',
  ),
  // To the resident of a duplicate: the order it was merged into was resolved. Their own order is
  // not theirs to confirm or rate, so this asks for neither.
  order_duplicate_resolved: T(
    '您反映的问题已办结',
    '您的工单 {number} 已与同一问题的工单合并处理，该问题现已办结。如仍未解决，请重新提交诉求或致电社区服务热线。',
    'Your problem was dealt with',
    'Request {number} was merged with another report of the same problem, which has now been resolved. If it is not fixed, please report it again or call the community hotline.',
  ),
  order_closed: T(
    '工单已关闭',
    '工单 {number} 已关闭，感谢您的评价。',
    'Request closed',
    'Request {number} is closed. Thank you.',
  ),
  order_accepted_reopen: T(
    '工单已重新受理',
    '工单 {number} 已重新受理。',
    'Request reopened',
    'Request {number} was reopened.',
  ),
  order_referred: T(
    '工单已转办',
    '工单 {number} 已转至相关部门处理。',
    'Request referred',
    'Request {number} was referred to the responsible body.',
  ),
  order_duplicate: T(
    '工单已合并',
    '工单 {number} 与已有工单重复，已合并处理。',
    'Merged',
    'Request {number} duplicates another and was merged.',
  ),
  order_not_actionable: T(
    '工单无法办理',
    '工单 {number} 无法办理，原因已告知。',
    'Cannot be acted on',
    'Request {number} cannot be acted on.',
  ),
  order_cancelled: T(
    '工单已撤销',
    '工单 {number} 已撤销。',
    'Request cancelled',
    'Request {number} was cancelled.',
  ),
  order_reply: T(
    '工单有新回复',
    '工单 {number} 有新的回复，请查看。',
    'New reply',
    'There is a new reply on {number}.',
  ),
  order_assigned: T(
    '新派单',
    '您有新的工单 {number}（紧急程度：{urgencyZh}）。',
    'New assignment',
    'You have been assigned {number} (urgency: {urgencyEn}).',
  ),
  sla_warning: T(
    '工单即将超时',
    '工单 {number} 的{clockZh}将于 {dueAt} 到期。',
    'Due soon',
    'The {clockEn} of {number} is due at {dueAt}.',
  ),
  sla_breached: T(
    '工单已超时',
    '工单 {number} 的{clockZh}已于 {dueAt} 超时。',
    'Deadline missed',
    'The {clockEn} of {number} was due at {dueAt} and is overdue.',
  ),
  sla_escalated: T(
    '超时工单升级',
    '工单 {number} 超时未办，已升级至您（{level}）。',
    'Escalated to you',
    'Overdue request {number} has been escalated to you ({level}).',
  ),
  supervision_issued: T(
    '督办通知',
    '工单 {number} 被督办：{reason}。请于 {dueAt} 前回复。',
    'Supervision order',
    'Request {number} is under supervision: {reason}. Respond by {dueAt}.',
  ),
  supervision_responded: T(
    '督办已回复',
    '工单 {number} 的督办已回复：{response}',
    'Supervision answered',
    'The supervision of {number} was answered: {response}',
  ),
  supervision_overdue: T(
    '督办逾期',
    '工单 {number} 的督办已逾期未回复。',
    'Supervision overdue',
    'The supervision of {number} was not answered in time.',
  ),
  return_visit_created: T(
    '回访任务',
    '工单 {number} 需要回访（{reasonZh}）。',
    'Return visit',
    'Request {number} needs a return visit ({reasonEn}).',
  ),
  rate_reminder: T(
    '请评价工单',
    '工单 {number} 已办结，请确认并评价；{days} 天内未回复将自动办结。',
    'Please rate',
    'Request {number} is resolved; please confirm and rate it. It closes by itself in {days} days.',
  ),
  satisfaction_survey: T(
    '满意度调查',
    '工单 {number} 已办结数日，您对处理结果满意吗？请回复 1-5 分。',
    'How did we do?',
    'Request {number} was closed a few days ago. How satisfied are you? Answer 1-5.',
  ),
  // To the emergency responder and the grid worker: what, where, how urgent, in a few words.
  emergency_dispatch: T(
    '紧急派单',
    '工单 {number}【{urgencyZh}】{categoryZh}。地点：{placeZh}。情况：{summary}。已派{resource}，请立即到场处置。',
    'Emergency dispatch',
    'Request {number} [{urgencyEn}] {categoryEn}. Where: {placeEn}. What: {summary}. {resource} has been sent: go at once.',
  ),
  // To the beneficiary's emergency contact, a family member: that help is on its way, no details.
  emergency_contact_notice: T(
    '家人求助通知',
    '{contactName}您好，社区已收到{beneficiary}的求助（{categoryZh}），已安排{responder}前往处理。如需了解情况，请联系社区并告知工单号 {number}。',
    'A call for help from your family member',
    'This is your community service centre. We received a call for help from {beneficiary} ({categoryEn}) and have sent {responder}. For news, contact the community and quote {number}.',
  ),
  digest: T(
    '通知汇总',
    '您有 {count} 条新通知：{summary}',
    'Digest',
    'You have {count} new notifications: {summary}',
  ),
};

const CLOCK_NAMES: Record<string, { zh: string; en: string }> = {
  first_response: { zh: '首次响应时限', en: 'first response' },
  resolution: { zh: '办结时限', en: 'resolution' },
  update: { zh: '进展更新时限', en: 'progress update' },
};
const URGENCY_NAMES: Record<string, { zh: string; en: string }> = {
  critical: { zh: '危急', en: 'critical' },
  high: { zh: '紧急', en: 'high' },
  normal: { zh: '一般', en: 'normal' },
  low: { zh: '不急', en: 'low' },
};
const REASONS: Record<string, { zh: string; en: string }> = {
  low_rating: { zh: '居民评价低', en: 'low rating' },
  reopen: { zh: '居民申请重办', en: 'reopened by the resident' },
  low_satisfaction: { zh: '满意度调查不满意', en: 'low satisfaction score' },
};

/** Renders a template for a locale; placeholders missing from the payload become empty. */
export function renderTemplate(template: string, locale: string, payload: unknown): Text {
  const loc: Locale = locale === 'en' ? 'en' : 'zh-CN';
  const data: Record<string, unknown> = typeof payload === 'object' && payload !== null ? { ...payload } : {};
  const clock = CLOCK_NAMES[String(data.clock ?? '')];
  if (clock) {
    data.clockZh ??= clock.zh;
    data.clockEn ??= clock.en;
  }
  const reason = REASONS[String(data.reason ?? '')];
  if (reason) {
    data.reasonZh ??= reason.zh;
    data.reasonEn ??= reason.en;
  }
  const urgency = URGENCY_NAMES[String(data.urgency ?? '')];
  if (urgency) {
    data.urgencyZh ??= urgency.zh;
    data.urgencyEn ??= urgency.en;
  }
  if ('address' in data) {
    const place = placeOf(data);
    data.placeZh ??= place.zh;
    data.placeEn ??= place.en;
  }
  const set = TEMPLATES[template];
  const text: Text = set
    ? set[loc]
    : { title: template, body: loc === 'en' ? `Update on {number}` : `工单 {number} 有更新` };
  const fill = (s: string) =>
    s.replace(/\{(\w+)\}/g, (_m, k: string) => {
      const v = data[k];
      return v === undefined || v === null ? '' : typeof v === 'object' ? JSON.stringify(v) : String(v);
    });
  return { title: fill(text.title), body: fill(text.body) };
}

/** Where an order is, in words: its address, else its coordinates, else that none was given. */
function placeOf(data: Record<string, unknown>): { zh: string; en: string } {
  const address = typeof data.address === 'string' ? data.address.trim() : '';
  if (address) return { zh: address, en: address };
  const { lat, lng } = data;
  if (typeof lat === 'number' && typeof lng === 'number') {
    const at = `${lat.toFixed(5)},${lng.toFixed(5)}`;
    return { zh: `坐标 ${at}`, en: `coordinates ${at}` };
  }
  return { zh: '未提供地址，请与调度台联系', en: 'no address given, call the dispatcher' };
}
