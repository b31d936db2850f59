/** The phone shell shared by the resident app and the field view: title bar, language and elderly switches. */
import type { ReactNode } from 'react';
import { ConfigProvider } from 'antd-mobile';
import type { ConfigProviderProps } from 'antd-mobile';
import enUSModule from 'antd-mobile/es/locales/en-US.js';
import zhCNModule from 'antd-mobile/es/locales/zh-CN.js';
import { useSettings } from '../lib/settings.tsx';

type Locale = NonNullable<ConfigProviderProps['locale']>;

/** The locale files are typed as CommonJS modules; at run time the default import is the locale itself. */
function unwrap(m: unknown): Locale {
  const inner: unknown = typeof m === 'object' && m !== null && 'default' in m ? m.default : undefined;
  return (typeof inner === 'object' && inner !== null && 'locale' in inner ? inner : m) as Locale;
}
const enUS = unwrap(enUSModule);
const zhCN = unwrap(zhCNModule);

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
  return (
    <ConfigProvider locale={lang === 'zh' ? zhCN : enUS}>
      <div className="h5">
        <header className="h5-top">
          <h1>{title}</h1>
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
