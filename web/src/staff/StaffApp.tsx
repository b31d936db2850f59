/** The staff desk (antd): sign-in, the apps a role may use, language; each app is its own chunk. */
import { Suspense, lazy, useState } from 'react';
import {
  App as AntApp,
  Button,
  ConfigProvider,
  Dropdown,
  Layout,
  Menu,
  Result,
  Space,
  Spin,
  Typography,
} from 'antd';
import type { Locale } from 'antd/es/locale/index.js';
import enUSModule from 'antd/es/locale/en_US.js';
import zhCNModule from 'antd/es/locale/zh_CN.js';
import { defaultExport } from '../lib/interop.ts';
import { labels } from '../lib/i18n.ts';
import type { MessageKey } from '../lib/i18n.ts';
import { navigate } from '../lib/router.ts';
import { signOut, useSession } from '../lib/session.ts';
import { useReducedMotion } from '../lib/motion.ts';
import { useSettings } from '../lib/settings.tsx';
import { usePageTitle } from '../lib/title.ts';
import type { Me } from '../lib/types.ts';
import { ChangePasswordDialog } from './shared/ChangePassword.tsx';
import { InboxBell } from './shared/InboxBell.tsx';
import { useHeardMessages } from './shared/heard-messages.ts';
import { StaffLogin } from './StaffLogin.tsx';

const enUS = defaultExport<Locale>(enUSModule, 'locale');
const zhCN = defaultExport<Locale>(zhCNModule, 'locale');

const Console = lazy(() => import('./console/ConsolePage.tsx'));
const Dispatch = lazy(() => import('./dispatch/DispatchPage.tsx'));
const Dashboard = lazy(() => import('./dashboard/DashboardPage.tsx'));
const Admin = lazy(() => import('./admin/AdminPage.tsx'));
const Participation = lazy(() => import('./participation/ParticipationPage.tsx'));

interface AppEntry {
  path: string;
  label: MessageKey;
  roles: string[];
}

export const STAFF_APPS: AppEntry[] = [
  { path: '/console', label: 'console', roles: ['agent', 'dispatcher', 'manager', 'admin'] },
  { path: '/dispatch', label: 'dispatch', roles: ['dispatcher', 'manager', 'admin'] },
  { path: '/field', label: 'field', roles: ['grid_worker', 'provider', 'admin'] },
  { path: '/dashboard', label: 'dashboard', roles: ['manager', 'admin', 'auditor', 'dispatcher'] },
  { path: '/admin', label: 'admin', roles: ['admin', 'manager'] },
  {
    path: '/participation',
    label: 'participationDesk',
    roles: ['manager', 'admin', 'agent', 'dispatcher', 'auditor'],
  },
];

/** Where a role lands after signing in. */
export function homeOf(role: string): string {
  if (role === 'grid_worker' || role === 'provider') return '/field';
  if (role === 'dispatcher') return '/dispatch';
  if (role === 'manager' || role === 'auditor') return '/dashboard';
  return '/console';
}

function Page({ top, me }: { top: string; me: Me }) {
  switch (top) {
    case '/console':
      return <Console me={me} />;
    case '/dispatch':
      return <Dispatch me={me} />;
    case '/dashboard':
      return <Dashboard me={me} />;
    case '/participation':
      return <Participation />;
    default:
      return <Admin me={me} />;
  }
}

function Shell({ path }: { path: string }) {
  const { t, lang, setLang } = useSettings();
  const { state, reload } = useSession();
  const [changingPassword, setChangingPassword] = useState(false);
  const top = `/${path.split('/')[1] ?? ''}`;
  const current = STAFF_APPS.find((a) => a.path === top);
  // The sign-in page names itself; a signed-in page is named by its app.
  usePageTitle(state.status === 'signed-in' && current ? t(current.label) : null);
  useHeardMessages();

  const langButton = (
    <Button
      size="small"
      onClick={() => setLang(lang === 'zh' ? 'en' : 'zh')}
      lang={lang === 'zh' ? 'en' : 'zh-CN'}
    >
      {lang === 'zh' ? t('switchToEnglish') : t('switchToChinese')}
    </Button>
  );

  if (state.status === 'loading') {
    return (
      <div className="boot" role="status">
        <Spin /> {t('loading')}
      </div>
    );
  }
  if (state.status === 'error') {
    return (
      <Result
        status="warning"
        title={t('networkError')}
        extra={<Button onClick={reload}>{t('retry')}</Button>}
      />
    );
  }
  if (state.status === 'anonymous' || state.me.kind !== 'user') {
    return (
      <StaffLogin
        extra={langButton}
        onSignedIn={(role) => {
          reload();
          const allowed = STAFF_APPS.find((a) => a.path === top)?.roles.includes(role);
          if (!allowed) navigate(homeOf(role), true);
        }}
      />
    );
  }
  const me = state.me;
  const apps = STAFF_APPS.filter((a) => a.roles.includes(me.role));
  const allowed = apps.some((a) => a.path === top);
  const community = me.communities[0];

  return (
    <Layout style={{ minHeight: '100vh' }} data-signed-in={me.role}>
      <Layout.Header style={{ display: 'flex', alignItems: 'center', gap: 16, paddingInline: 16 }}>
        <Typography.Title level={1} style={{ color: '#fff', margin: 0, fontSize: 20, whiteSpace: 'nowrap' }}>
          {t('appName')}
          {community ? ` · ${lang === 'zh' ? community.name : community.nameEn}` : ''}
        </Typography.Title>
        <nav aria-label={t('appName')} style={{ flex: 1, minWidth: 0 }}>
          <Menu
            theme="dark"
            mode="horizontal"
            selectedKeys={[top]}
            items={apps.map((a) => ({
              key: a.path,
              label: (
                <a
                  href={a.path}
                  onClick={(e) => {
                    e.preventDefault();
                    navigate(a.path);
                  }}
                >
                  {t(a.label)}
                </a>
              ),
            }))}
          />
        </nav>
        <Space>
          <InboxBell />
          {langButton}
          {/* The personal menu: one's own password, for every staff app. */}
          <Dropdown
            trigger={['click']}
            menu={{
              items: [{ key: 'password', label: t('changePassword') }],
              onClick: ({ key }) => {
                if (key === 'password') setChangingPassword(true);
              },
            }}
          >
            <Button
              type="text"
              size="small"
              aria-haspopup="menu"
              title={t('userMenu', { name: me.name })}
              style={{ color: '#fff', whiteSpace: 'nowrap' }}
            >
              {me.name} · {labels.role(lang, me.role)} <span aria-hidden="true">▾</span>
            </Button>
          </Dropdown>
          <Button size="small" onClick={() => void signOut().then(reload)}>
            {t('signOut')}
          </Button>
        </Space>
      </Layout.Header>
      <Layout.Content style={{ padding: 16 }}>
        {me.mustChangePassword ? (
          <Result status="info" title={t('setOwnPasswordFirst')} />
        ) : allowed ? (
          <Suspense
            fallback={
              <div className="boot" role="status">
                <Spin /> {t('loading')}
              </div>
            }
          >
            <Page top={top} me={me} />
          </Suspense>
        ) : (
          <Result
            status="403"
            title={t('wrongRole', { role: labels.role(lang, me.role) })}
            extra={
              <Space>
                <Button type="primary" onClick={() => navigate(homeOf(me.role))}>
                  {t('goHome')}
                </Button>
                <Button onClick={() => void signOut().then(reload)}>{t('switchUser')}</Button>
              </Space>
            }
          />
        )}
      </Layout.Content>
      {(changingPassword || me.mustChangePassword) && (
        <ChangePasswordDialog
          username={me.username}
          required={me.mustChangePassword === true}
          onClose={() => {
            setChangingPassword(false);
            // A temporary password was just replaced: load who we are again, and with it the app.
            if (me.mustChangePassword) reload();
          }}
        />
      )}
    </Layout>
  );
}

export default function StaffApp({ path }: { path: string }) {
  const { lang } = useSettings();
  // antd's own motion (drawers, modals, messages) off while the system asks for reduced motion.
  const reducedMotion = useReducedMotion();
  return (
    <ConfigProvider
      locale={lang === 'zh' ? zhCN : enUS}
      button={{ autoInsertSpace: false }}
      theme={{
        token: {
          colorPrimary: '#1456d9',
          // Hover and active shades keep 4.5:1 on white too.
          colorPrimaryHover: '#0e45b0',
          colorPrimaryActive: '#0b3a94',
          colorLink: '#1456d9',
          colorLinkHover: '#0e45b0',
          colorError: '#c4161c',
          colorTextDescription: 'rgba(0,0,0,0.65)',
          motion: !reducedMotion,
          // Placeholders (inputs, selects, pickers) at 4.5:1 or more on white and on the page's
          // grey: antd's own (25% black) was about 1.9:1.
          colorTextPlaceholder: '#6b6b6b',
        },
      }}
    >
      <AntApp>
        <Shell path={path} />
      </AntApp>
    </ConfigProvider>
  );
}
