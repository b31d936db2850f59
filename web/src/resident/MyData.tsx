/**
 * 我的信息: a copy of everything Linli holds about the signed-in resident (个人信息副本), saved
 * as a JSON file on the phone. The server audits every copy.
 */
import { useState } from 'react';
import { Button } from 'antd-mobile';
import { api } from '../lib/api.ts';
import { residentDataFileName, saveJson } from '../lib/download.ts';
import { useSettings } from '../lib/settings.tsx';

interface Copy {
  exportedAt: string;
}

export function MyData() {
  const { t } = useSettings();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [done, setDone] = useState(false);

  async function download() {
    setBusy(true);
    setError(null);
    setDone(false);
    try {
      const copy = await api<Copy>('/api/v1/me/data');
      saveJson(copy, residentDataFileName(copy.exportedAt));
      setDone(true);
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e));
    } finally {
      setBusy(false);
    }
  }

  return (
    <section className="h5-section" aria-labelledby="my-data-title">
      <h2 id="my-data-title">{t('myData')}</h2>
      <p className="order-meta">{t('myDataHint')}</p>
      <Button block fill="outline" loading={busy} onClick={() => void download()}>
        {t('myDataDownload')}
      </Button>
      {done && (
        <p className="order-meta" role="status">
          {t('myDataSaved')}
        </p>
      )}
      {error && (
        <p className="field-error" role="alert">
          {error}
        </p>
      )}
    </section>
  );
}
