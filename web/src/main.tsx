import { StrictMode, Suspense, lazy } from 'react';
import { createRoot } from 'react-dom/client';
import { SettingsProvider, useSettings } from './lib/settings.tsx';
import { usePath } from './lib/router.ts';
import { ResidentApp } from './resident/ResidentApp.tsx';
import { prepareAnnouncer } from './lib/announce.ts';
import './styles/base.css';

// Staff apps are separate chunks: a resident's phone never downloads antd or ECharts.
const StaffApp = lazy(() => import('./staff/StaffApp.tsx'));
const FieldApp = lazy(() => import('./field/FieldApp.tsx'));

const STAFF = ['/console', '/dispatch', '/dashboard', '/admin', '/participation'];

function Loading() {
  const { t } = useSettings();
  return (
    <div className="boot" role="status">
      {t('loading')}
    </div>
  );
}

function Root() {
  const path = usePath();
  const top = `/${path.split('/')[1] ?? ''}`;
  if (STAFF.includes(top)) {
    return (
      <Suspense fallback={<Loading />}>
        <StaffApp path={path} />
      </Suspense>
    );
  }
  if (top === '/field') {
    return (
      <Suspense fallback={<Loading />}>
        <FieldApp path={path} />
      </Suspense>
    );
  }
  return <ResidentApp path={path} />;
}

prepareAnnouncer();
const el = document.getElementById('root');
if (el) {
  createRoot(el).render(
    <StrictMode>
      <SettingsProvider>
        <Root />
      </SettingsProvider>
    </StrictMode>,
  );
}
