/** The browser tab's title of each page (WCAG 2.4.2): "报事 · 邻里", the app's name last. */
import { useEffect } from 'react';
import { useSettings } from './settings.tsx';

/** Names the page `name · app` while it is shown (no change while `name` is still unknown). */
export function usePageTitle(name: string | null | undefined, app?: string): void {
  const { t } = useSettings();
  const suffix = app ?? t('appName');
  useEffect(() => {
    if (name) document.title = `${name} · ${suffix}`;
  }, [name, suffix]);
}
