/** Changing one's own password (any staff member): current, new and the new one again; server errors by field. */
import { useState } from 'react';
import { Alert, App, Form, Modal } from 'antd';
import { PasswordInput } from './PasswordInput.tsx';
import { ownPasswordRules, sendOwnPassword } from '../../lib/own-password.ts';
import type { OwnPasswordValues as Values } from '../../lib/own-password.ts';
import { useSettings } from '../../lib/settings.tsx';
import { useReturnFocus } from './return-focus.ts';

export function ChangePasswordDialog({
  username,
  onClose,
  required = false,
}: {
  username?: string;
  onClose: () => void;
  /** A temporary password: the dialog cannot be dismissed until the person sets their own. */
  required?: boolean;
}) {
  useReturnFocus();
  const { t, lang } = useSettings();
  const { message } = App.useApp();
  const [form] = Form.useForm<Values>();
  const rules = ownPasswordRules(t, username);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  async function submit(v: Values) {
    setBusy(true);
    setError(null);
    const refused = await sendOwnPassword(v, lang);
    setBusy(false);
    if (!refused) {
      void message.success(t('passwordChanged'));
      onClose();
    } else if (refused.field) form.setFields([{ name: refused.field, errors: [refused.message] }]);
    else setError(refused.message);
  }

  return (
    <Modal
      open
      title={t('changePassword')}
      onCancel={required ? undefined : onClose}
      closable={!required}
      keyboard={!required}
      maskClosable={false}
      okText={t('save')}
      cancelText={t('cancel')}
      cancelButtonProps={required ? { style: { display: 'none' } } : undefined}
      okButtonProps={{ htmlType: 'submit', form: 'own-password-form', loading: busy }}
    >
      <Form<Values>
        id="own-password-form"
        form={form}
        layout="vertical"
        validateTrigger="onChange"
        requiredMark
        onFinish={(v) => void submit(v)}
      >
        {required && (
          <Alert type="warning" showIcon message={t('setOwnPasswordFirst')} style={{ marginBottom: 16 }} />
        )}
        {/* For password managers: whose password this is. */}
        <input type="text" hidden readOnly autoComplete="username" value={username ?? ''} />
        <Form.Item
          name="currentPassword"
          label={t('currentPassword')}
          htmlFor="own-current-password"
          rules={rules.currentPassword}
        >
          <PasswordInput id="own-current-password" autoComplete="current-password" maxLength={200} />
        </Form.Item>
        <Form.Item
          name="newPassword"
          label={t('newPassword')}
          htmlFor="own-new-password"
          dependencies={['currentPassword']}
          extra={t('passwordRuleHint')}
          rules={rules.newPassword}
        >
          <PasswordInput id="own-new-password" autoComplete="new-password" maxLength={200} />
        </Form.Item>
        <Form.Item
          name="confirmPassword"
          label={t('confirmPassword')}
          htmlFor="own-confirm-password"
          dependencies={['newPassword']}
          rules={rules.confirmPassword}
        >
          <PasswordInput id="own-confirm-password" autoComplete="new-password" maxLength={200} />
        </Form.Item>
        {error && <Alert type="error" showIcon role="alert" message={error} />}
      </Form>
    </Modal>
  );
}
