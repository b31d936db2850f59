/** Language and elderly mode: kept in localStorage, shared by every app through context. */
import { createContext, useCallback, useContext, useEffect, useMemo, useState } from 'react';
import type { ReactNode } from 'react';
import { translate } from './i18n.ts';
import type { Lang, MessageKey } from './i18n.ts';

export interface Settings {
  lang: Lang;
  elderly: boolean;
  setLang: (lang: Lang) => void;
  setElderly: (on: boolean) => void;
  t: (key: MessageKey, params?: Record<string, string | number>) => string;
}

const LANG_KEY = 'linli.lang';
const ELDERLY_KEY = 'linli.elderly';

function read(key: string): string | null {
  try {
    return localStorage.getItem(key);
  } catch {
    return null;
  }
}

function write(key: string, value: string): void {
  try {
    localStorage.setItem(key, value);
  } catch {
    // Private mode or full storage: the setting lasts for this page only.
  }
}

function initialLang(): Lang {
  const q = new URLSearchParams(location.search).get('lang');
  if (q === 'en' || q === 'zh') return q;
  return read(LANG_KEY) === 'en' ? 'en' : 'zh';
}

function initialElderly(): boolean {
  const q = new URLSearchParams(location.search).get('elderly');
  if (q === '1') return true;
  if (q === '0') return false;
  return read(ELDERLY_KEY) === '1';
}

const SettingsContext = createContext<Settings | null>(null);

export function SettingsProvider({ children }: { children: ReactNode }) {
  const [lang, setLangState] = useState<Lang>(initialLang);
  const [elderly, setElderlyState] = useState<boolean>(initialElderly);

  useEffect(() => {
    document.documentElement.lang = lang === 'zh' ? 'zh-CN' : 'en';
  }, [lang]);
  useEffect(() => {
    document.documentElement.classList.toggle('elderly', elderly);
  }, [elderly]);

  const setLang = useCallback((l: Lang) => {
    write(LANG_KEY, l);
    setLangState(l);
  }, []);
  const setElderly = useCallback((on: boolean) => {
    write(ELDERLY_KEY, on ? '1' : '0');
    setElderlyState(on);
  }, []);
  const t = useCallback(
    (key: MessageKey, params?: Record<string, string | number>) => translate(lang, key, params),
    [lang],
  );
  const value = useMemo(
    () => ({ lang, elderly, setLang, setElderly, t }),
    [lang, elderly, setLang, setElderly, t],
  );
  return <SettingsContext.Provider value={value}>{children}</SettingsContext.Provider>;
}

/** The current settings and the translator. */
export function useSettings(): Settings {
  const s = useContext(SettingsContext);
  if (!s) throw new Error('useSettings outside SettingsProvider');
  return s;
}
