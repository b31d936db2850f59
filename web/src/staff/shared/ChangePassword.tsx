/** Changing one's own password (any staff member): current, new and the new one again; server errors by field. */
import { useState } from 'react';
import { Alert, App, Form, Input, Modal } from 'antd';
import { api, ApiError, errorText } from '../../lib/api.ts';
import { passwordProblem } from '../../lib/password.ts';
import { useSettings } from '../../lib/settings.tsx';

interface Values {
  currentPassword: string;
  newPassword: string;
  confirmPassword: string;
}

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
  const { t, lang } = useSettings();
  const { message } = App.useApp();
  const [form] = Form.useForm<Values>();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  async function submit(v: Values) {
    setBusy(true);
    setError(null);
    try {
      await api('/api/v1/me/password', {
        body: { currentPassword: v.currentPassword, newPassword: v.newPassword },
      });
      void message.success(t('passwordChanged'));
      onClose();
    } catch (err) {
      if (err instanceof ApiError && (err.field === 'currentPassword' || err.field === 'newPassword'))
        form.setFields([{ name: err.field, errors: [errorText(err, lang)] }]);
      else setError(errorText(err, lang));
    } finally {
      setBusy(false);
    }
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
          rules={[{ required: true, message: t('currentPasswordRequired') }]}
        >
          <Input.Password id="own-current-password" autoComplete="current-password" maxLength={200} />
        </Form.Item>
        <Form.Item
          name="newPassword"
          label={t('newPassword')}
          htmlFor="own-new-password"
          dependencies={['currentPassword']}
          extra={t('passwordRuleHint')}
          rules={[
            { required: true, message: t('newPasswordRequired') },
            ({ getFieldValue }) => ({
              validator(_rule, value: string | undefined) {
                if (!value) return Promise.resolve();
                const problem = passwordProblem(value, username);
                if (problem) return Promise.reject(new Error(t(problem)));
                if (value === getFieldValue('currentPassword'))
                  return Promise.reject(new Error(t('passwordSameAsCurrent')));
                return Promise.resolve();
              },
            }),
          ]}
        >
          <Input.Password id="own-new-password" autoComplete="new-password" maxLength={200} />
        </Form.Item>
        <Form.Item
          name="confirmPassword"
          label={t('confirmPassword')}
          htmlFor="own-confirm-password"
          dependencies={['newPassword']}
          rules={[
            { required: true, message: t('confirmPasswordRequired') },
            ({ getFieldValue }) => ({
              validator(_rule, value: string | undefined) {
                if (!value || value === getFieldValue('newPassword')) return Promise.resolve();
                return Promise.reject(new Error(t('passwordMismatch')));
              },
            }),
          ]}
        >
          <Input.Password id="own-confirm-password" autoComplete="new-password" maxLength={200} />
        </Form.Item>
        {error && <Alert type="error" showIcon role="alert" message={error} />}
      </Form>
    </Modal>
  );
}
