/** The field view's own-password form (antd-mobile): current, new and the new one again; server errors by field. */
import { useState } from 'react';
import { Button, Form, Input } from 'antd-mobile';
import { toast } from '../mobile/feedback.ts';
import { focusFirstInvalid } from '../mobile/form-errors.ts';
import { ownPasswordRules, sendOwnPassword } from '../lib/own-password.ts';
import type { OwnPasswordValues as Values } from '../lib/own-password.ts';
import { useSettings } from '../lib/settings.tsx';
import { usePageTitle } from '../lib/title.ts';

export function FieldPassword({ username, onDone }: { username?: string; onDone: () => void }) {
  const { t, lang } = useSettings();
  const [form] = Form.useForm<Values>();
  usePageTitle(t('changePassword'));
  const rules = ownPasswordRules(t, username);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  async function submit(v: Values) {
    setBusy(true);
    setError(null);
    const refused = await sendOwnPassword(v, lang);
    setBusy(false);
    if (!refused) {
      toast(t('passwordChanged'), 'success');
      onDone();
    } else if (refused.field) {
      form.setFields([{ name: refused.field, errors: [refused.message] }]);
      focusFirstInvalid();
    } else setError(refused.message);
  }

  return (
    <section className="h5-section" aria-labelledby="field-password-title">
      <h1 id="field-password-title">{t('changePassword')}</h1>
      <Form
        form={form}
        layout="vertical"
        validateTrigger="onChange"
        onFinish={(v: Values) => void submit(v)}
        onFinishFailed={() => focusFirstInvalid()}
        footer={
          <>
            <Button block type="submit" color="primary" size="large" loading={busy}>
              {t('save')}
            </Button>
            <Button block size="large" style={{ marginTop: 12 }} onClick={onDone}>
              {t('cancel')}
            </Button>
          </>
        }
      >
        <Form.Item
          name="currentPassword"
          label={<label htmlFor="own-current-password">{t('currentPassword')}</label>}
          rules={rules.currentPassword}
        >
          <Input id="own-current-password" type="password" autoComplete="current-password" maxLength={200} />
        </Form.Item>
        <Form.Item
          name="newPassword"
          label={<label htmlFor="own-new-password">{t('newPassword')}</label>}
          description={t('passwordRuleHint')}
          dependencies={['currentPassword']}
          rules={rules.newPassword}
        >
          <Input id="own-new-password" type="password" autoComplete="new-password" maxLength={200} />
        </Form.Item>
        <Form.Item
          name="confirmPassword"
          label={<label htmlFor="own-confirm-password">{t('confirmPassword')}</label>}
          dependencies={['newPassword']}
          rules={rules.confirmPassword}
        >
          <Input id="own-confirm-password" type="password" autoComplete="new-password" maxLength={200} />
        </Form.Item>
      </Form>
      {error && (
        <p className="field-error" role="alert">
          {error}
        </p>
      )}
    </section>
  );
}
