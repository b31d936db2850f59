/** Resident sign-in: phone number, then the one-time code. */
import { useEffect, useState } from 'react';
import { Button, Form, Input } from 'antd-mobile';
import { api, ApiError, errorText } from '../lib/api.ts';
import { PHONE_RE } from '../lib/format.ts';
import { useSettings } from '../lib/settings.tsx';
import { usePageTitle } from '../lib/title.ts';
import { toast } from '../mobile/feedback.ts';
import { focusFirstInvalid } from '../mobile/form-errors.ts';

interface Values {
  phone: string;
  code: string;
}

export function Login({ onSignedIn }: { onSignedIn: () => void }) {
  const { t, lang } = useSettings();
  const [form] = Form.useForm<Values>();
  const [wait, setWait] = useState(0);
  const [sending, setSending] = useState(false);
  const [busy, setBusy] = useState(false);
  const [formError, setFormError] = useState<string | null>(null);
  usePageTitle(t('residentLogin'));

  useEffect(() => {
    if (wait <= 0) return;
    const id = setTimeout(() => setWait((w) => w - 1), 1000);
    return () => clearTimeout(id);
  }, [wait]);

  function showServerError(err: unknown, fallbackField: keyof Values) {
    if (err instanceof ApiError) {
      const field = err.field === 'code' || err.field === 'phone' ? err.field : fallbackField;
      form.setFields([{ name: field, errors: [errorText(err, lang)] }]);
      focusFirstInvalid();
    } else setFormError(t('networkError'));
  }

  async function sendCode() {
    setFormError(null);
    try {
      await form.validateFields(['phone']);
    } catch {
      focusFirstInvalid();
      return;
    }
    setSending(true);
    try {
      const r = await api<{ sent: boolean; retryAfterSeconds: number }>('/api/v1/auth/otp/request', {
        body: { phone: form.getFieldValue('phone') as string },
      });
      setWait(r.retryAfterSeconds || 60);
      toast(t('codeSent'));
    } catch (err) {
      showServerError(err, 'phone');
    } finally {
      setSending(false);
    }
  }

  async function verify(values: Values) {
    setFormError(null);
    setBusy(true);
    try {
      await api('/api/v1/auth/otp/verify', { body: { phone: values.phone, code: values.code } });
      onSignedIn();
    } catch (err) {
      showServerError(err, 'code');
    } finally {
      setBusy(false);
    }
  }

  return (
    <section className="h5-section" aria-labelledby="login-title">
      <h1 id="login-title">{t('residentLogin')}</h1>
      <p className="order-meta" style={{ margin: '0 4px 12px' }}>
        {t('residentLoginHint')}
      </p>
      <Form
        form={form}
        layout="vertical"
        validateTrigger="onChange"
        onFinish={(v: Values) => void verify(v)}
        onFinishFailed={() => focusFirstInvalid()}
        footer={
          <Button block type="submit" color="primary" size="large" loading={busy}>
            {t('signIn')}
          </Button>
        }
      >
        <Form.Item
          name="phone"
          label={<label htmlFor="login-phone">{t('phone')}</label>}
          rules={[
            { required: true, message: t('phoneInvalid') },
            { pattern: PHONE_RE, message: t('phoneInvalid') },
          ]}
        >
          <Input
            id="login-phone"
            type="tel"
            inputMode="numeric"
            autoComplete="tel"
            maxLength={11}
            placeholder={t('phonePlaceholder')}
            clearable
          />
        </Form.Item>
        <Form.Item
          name="code"
          label={<label htmlFor="login-code">{t('code')}</label>}
          rules={[
            { required: true, message: t('codeInvalid') },
            { pattern: /^\d{6}$/, message: t('codeInvalid') },
          ]}
          extra={
            <Button
              size="small"
              color="primary"
              fill="outline"
              onClick={() => void sendCode()}
              disabled={wait > 0}
              loading={sending}
            >
              {wait > 0 ? t('resendIn', { n: wait }) : t('sendCode')}
            </Button>
          }
        >
          <Input
            id="login-code"
            inputMode="numeric"
            autoComplete="one-time-code"
            maxLength={6}
            placeholder={t('codePlaceholder')}
          />
        </Form.Item>
      </Form>
      {formError && (
        <p className="field-error" role="alert">
          {formError}
        </p>
      )}
      <p style={{ textAlign: 'center', marginTop: 24 }}>
        <a href="/field" className="standalone-link">
          {t('staffEntrance')}
        </a>
      </p>
    </section>
  );
}
