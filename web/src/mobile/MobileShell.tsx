/** The phone shell shared by the resident app and the field view: title bar, language and elderly switches. */
import { useEffect } from 'react';
import type { ReactNode } from 'react';
import { ConfigProvider } from 'antd-mobile';
import type { ConfigProviderProps } from 'antd-mobile';
import enUSModule from 'antd-mobile/es/locales/en-US.js';
import zhCNModule from 'antd-mobile/es/locales/zh-CN.js';
import { defaultExport } from '../lib/interop.ts';
import './react19-render.ts';
import './motion.ts';
import { useSettings } from '../lib/settings.tsx';
import { watchFormErrors } from './form-errors.ts';

type Locale = NonNullable<ConfigProviderProps['locale']>;
const enUS = defaultExport<Locale>(enUSModule, 'locale');
const zhCN = defaultExport<Locale>(zhCNModule, 'locale');

export function MobileShell({
  title,
  children,
  right,
}: {
  title: string;
  children: ReactNode;
  right?: ReactNode;
}) {
  const { lang, setLang, elderly, setElderly, t } = useSettings();
  const photoLabel = t('photos');
  useEffect(() => {
    // The photo uploader renders previews without alt text; name them for screen readers.
    const name = () =>
      document.querySelectorAll('.adm-image-uploader img:not([alt])').forEach((img, i) => {
        img.setAttribute('alt', `${photoLabel} ${i + 1}`);
      });
    const mo = new MutationObserver(name);
    mo.observe(document.body, { childList: true, subtree: true });
    name();
    return () => mo.disconnect();
  }, [photoLabel]);
  useEffect(() => watchFormErrors(), []);
  return (
    <ConfigProvider locale={lang === 'zh' ? zhCN : enUS}>
      <div className="h5">
        <header className="h5-top">
          <p className="h5-brand">{title}</p>
          <div className="tools">
            <button
              type="button"
              className="chip"
              aria-pressed={elderly}
              aria-label={elderly ? t('elderlyOn') : t('elderlyOff')}
              onClick={() => setElderly(!elderly)}
            >
              {t('elderlyMode')}
            </button>
            <button
              type="button"
              className="chip"
              lang={lang === 'zh' ? 'en' : 'zh-CN'}
              onClick={() => setLang(lang === 'zh' ? 'en' : 'zh')}
            >
              {lang === 'zh' ? t('switchToEnglish') : t('switchToChinese')}
            </button>
            {right}
          </div>
        </header>
        <main>{children}</main>
      </div>
    </ConfigProvider>
  );
}
