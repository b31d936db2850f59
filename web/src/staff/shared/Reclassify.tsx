/** Triage: a person sets the category and urgency the classifier was unsure of (when the server offers it). */
import { useState } from 'react';
import { App, Button, Form, Input, Select, Space } from 'antd';
import { api, ApiError } from '../../lib/api.ts';
import { useFeatures } from '../../lib/features.ts';
import { useCategories } from '../../lib/format.ts';
import { labels } from '../../lib/i18n.ts';
import { useSettings } from '../../lib/settings.tsx';
import type { WorkOrder } from '../../lib/types.ts';

interface Values {
  category: string;
  urgency: string;
  note?: string;
}

export function Reclassify({ order, onDone }: { order: WorkOrder; onDone: (o: WorkOrder) => void }) {
  const { t, lang } = useSettings();
  const { message } = App.useApp();
  const cats = useCategories();
  const features = useFeatures();
  const [form] = Form.useForm<Values>();
  const [open, setOpen] = useState(false);
  const route = features?.routes.find(
    (r) => r.method === 'post' && r.path === '/api/v1/work-orders/{id}/classification',
  );
  if (!route || !['submitted', 'accepted'].includes(order.status)) return null;
  if (!open) return <Button onClick={() => setOpen(true)}>{t('triage')}</Button>;

  async function submit(v: Values) {
    if (!route) return;
    try {
      const next = await api<WorkOrder>(route.path.replace('{id}', order.id), {
        body: {
          version: order.version,
          category: v.category,
          urgency: v.urgency,
          ...(v.note?.trim() ? { note: v.note.trim() } : {}),
        },
      });
      message.success(t('triage'));
      setOpen(false);
      onDone(next);
    } catch (err) {
      if (
        err instanceof ApiError &&
        (err.field === 'category' || err.field === 'urgency' || err.field === 'note')
      ) {
        form.setFields([{ name: err.field, errors: [err.message] }]);
      } else message.error(err instanceof Error ? err.message : String(err));
    }
  }

  return (
    <Form
      form={form}
      layout="vertical"
      initialValues={{ category: order.subcategory ?? order.category, urgency: order.urgency }}
      onFinish={(v) => void submit(v)}
      style={{ padding: 12, background: '#fafafa', borderRadius: 8, marginBottom: 16 }}
    >
      <Form.Item
        name="category"
        label={t('category')}
        htmlFor="triage-category"
        rules={[{ required: true, message: t('required') }]}
      >
        <Select
          id="triage-category"
          showSearch
          optionFilterProp="label"
          options={cats.map((c) => ({
            value: c.code,
            label: `${c.parent ? '· ' : ''}${lang === 'zh' ? c.nameZh : c.nameEn}`,
          }))}
        />
      </Form.Item>
      <Form.Item
        name="urgency"
        label={t('urgency')}
        htmlFor="triage-urgency"
        rules={[{ required: true, message: t('required') }]}
      >
        <Select
          id="triage-urgency"
          options={['critical', 'high', 'normal', 'low'].map((u) => ({
            value: u,
            label: labels.urgency(lang, u),
          }))}
        />
      </Form.Item>
      <Form.Item name="note" label={t('reason')} htmlFor="triage-note">
        <Input id="triage-note" maxLength={1000} />
      </Form.Item>
      <Space>
        <Button type="primary" htmlType="submit">
          {t('save')}
        </Button>
        <Button onClick={() => setOpen(false)}>{t('cancel')}</Button>
      </Space>
    </Form>
  );
}
