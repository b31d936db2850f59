/** Staff sign-in with username and password (the server sets the session cookie). */
import { useState } from 'react';
import type { ReactNode } from 'react';
import { Alert, Button, Card, Form, Input, Typography } from 'antd';
import { PasswordInput } from './shared/PasswordInput.tsx';
import { api, ApiError, errorText } from '../lib/api.ts';
import { fetchMe } from '../lib/session.ts';
import { useSettings } from '../lib/settings.tsx';
import { usePageTitle } from '../lib/title.ts';

interface Values {
  username: string;
  password: string;
}

export function StaffLogin({ onSignedIn, extra }: { onSignedIn: (role: string) => void; extra?: ReactNode }) {
  const { t, lang } = useSettings();
  usePageTitle(t('staffLogin'));
  const [form] = Form.useForm<Values>();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  async function submit(v: Values) {
    setBusy(true);
    setError(null);
    try {
      await api('/api/v1/auth/login', { body: { username: v.username.trim(), password: v.password } });
      const me = await fetchMe(true);
      onSignedIn(me?.role ?? '');
    } catch (err) {
      if (err instanceof ApiError && (err.field === 'username' || err.field === 'password')) {
        form.setFields([{ name: err.field, errors: [errorText(err, lang)] }]);
      } else setError(err instanceof ApiError ? errorText(err, lang) : t('networkError'));
    } finally {
      setBusy(false);
    }
  }

  return (
    <main style={{ maxWidth: 400, margin: '10vh auto', padding: 16 }}>
      <Card
        title={
          <Typography.Title level={1} style={{ fontSize: 20, margin: 0 }}>
            {t('appName')} · {t('staffLogin')}
          </Typography.Title>
        }
        extra={extra}
      >
        <Form
          form={form}
          layout="vertical"
          onFinish={(v: Values) => void submit(v)}
          validateTrigger="onChange"
          requiredMark
        >
          <Form.Item
            label={t('username')}
            name="username"
            htmlFor="staff-username"
            rules={[{ required: true, whitespace: true, message: t('usernameRequired') }]}
          >
            <Input
              id="staff-username"
              autoComplete="username"
              placeholder={t('usernamePlaceholder')}
              autoFocus
            />
          </Form.Item>
          <Form.Item
            label={t('password')}
            name="password"
            htmlFor="staff-password"
            rules={[{ required: true, message: t('passwordRequired') }]}
          >
            <PasswordInput id="staff-password" autoComplete="current-password" />
          </Form.Item>
          {error && <Alert type="error" showIcon message={error} style={{ marginBottom: 16 }} role="alert" />}
          <Button type="primary" htmlType="submit" block loading={busy}>
            {t('signIn')}
          </Button>
        </Form>
        <p style={{ marginTop: 16, textAlign: 'center' }}>
          <a href="/">{t('residentApp')}</a>
        </p>
      </Card>
    </main>
  );
}
