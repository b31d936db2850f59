/** A password the server made up and answers only once (new account, reset): shown with a copy button and a warning. */
import { useState } from 'react';
import { Alert, App, Button, Descriptions, Modal, Typography } from 'antd';
import { useSettings } from '../../lib/settings.tsx';
import { useReturnFocus } from './return-focus.ts';

/** Copies text to the clipboard: the Clipboard API where the page may use it, else a hidden selection. */
export async function copyText(text: string, near?: HTMLElement | null): Promise<boolean> {
  try {
    if (window.isSecureContext && navigator.clipboard) {
      await navigator.clipboard.writeText(text);
      return true;
    }
  } catch {
    // Refused (no permission, page not focused): try the old way.
  }
  // Inside the dialog, so that its focus trap leaves the selection alone.
  const host = near ?? document.body;
  const area = document.createElement('textarea');
  area.value = text;
  area.setAttribute('readonly', '');
  area.setAttribute('aria-hidden', 'true');
  Object.assign(area.style, { position: 'fixed', top: '0', left: '0', opacity: '0' });
  host.appendChild(area);
  area.select();
  try {
    return document.execCommand('copy');
  } catch {
    return false;
  } finally {
    area.remove();
  }
}

export interface OneTime {
  title: string;
  name: string;
  username: string;
  password: string;
}

export function OneTimePasswordDialog({ shown, onClose }: { shown: OneTime; onClose: () => void }) {
  useReturnFocus();
  const { t } = useSettings();
  const { message } = App.useApp();
  const [copied, setCopied] = useState(false);
  const [host, setHost] = useState<HTMLElement | null>(null);

  async function copy() {
    if (await copyText(shown.password, host)) {
      setCopied(true);
      void message.success(t('copied'));
    } else void message.warning(t('copyFailed'));
  }

  return (
    <Modal
      open
      title={shown.title}
      onCancel={onClose}
      maskClosable={false}
      footer={[
        <Button key="copy" onClick={() => void copy()}>
          {copied ? `${t('copied')} ✓` : t('copyPassword')}
        </Button>,
        <Button key="close" type="primary" onClick={onClose}>
          {t('passwordNoted')}
        </Button>,
      ]}
    >
      <div ref={setHost} data-one-time-password>
        <Alert
          type="warning"
          showIcon
          message={<strong>{t('shownOnceTitle')}</strong>}
          description={t('shownOnceBody', { name: shown.name })}
          style={{ marginBottom: 16 }}
        />
        <Descriptions column={1} size="small" bordered>
          <Descriptions.Item label={t('username')}>
            <code>{shown.username}</code>
          </Descriptions.Item>
          <Descriptions.Item label={t('temporaryPassword')}>
            <span data-temporary-password>
              <Typography.Text code style={{ fontSize: 20, letterSpacing: 1, userSelect: 'all' }}>
                {shown.password}
              </Typography.Text>
            </span>
          </Descriptions.Item>
        </Descriptions>
      </div>
    </Modal>
  );
}
