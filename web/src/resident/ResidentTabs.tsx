/** The resident app's tab bar: a nav of links, the current page marked. */
import { AppOutline, PhoneFill, UnorderedListOutline } from 'antd-mobile-icons';
import { navigate } from '../lib/router.ts';
import { useSettings } from '../lib/settings.tsx';

const TABS = [
  { path: '/', icon: <AppOutline aria-hidden />, label: 'homeTab' },
  { path: '/orders', icon: <UnorderedListOutline aria-hidden />, label: 'myOrders' },
  { path: '/directory', icon: <PhoneFill aria-hidden />, label: 'directory' },
] as const;

/** The tab a path belongs to. */
export function tabOf(path: string): string {
  if (path === '/orders' || path.startsWith('/orders/')) return '/orders';
  if (path === '/directory') return '/directory';
  return '/';
}

export function ResidentTabs({ tab }: { tab: string }) {
  const { t } = useSettings();
  return (
    <nav
      aria-label={t('appName')}
      style={{
        position: 'fixed',
        bottom: 0,
        left: 0,
        right: 0,
        background: '#fff',
        borderTop: '1px solid #ddd',
        // Above the list rows' text, which sits at z-index 1 over its row-wide link.
        zIndex: 10,
      }}
    >
      <ul className="tab-bar">
        {TABS.map(({ path: to, icon, label }) => (
          <li key={to}>
            <a
              href={to}
              aria-current={tab === to ? 'page' : undefined}
              onClick={(e) => {
                e.preventDefault();
                navigate(to);
              }}
            >
              {icon}
              {t(label)}
            </a>
          </li>
        ))}
      </ul>
    </nav>
  );
}
