/** All my orders (and my household's), newest first. */
import { Button } from 'antd-mobile';
import { api, NetworkError } from '../lib/api.ts';
import { useSettings } from '../lib/settings.tsx';
import { usePageTitle } from '../lib/title.ts';
import type { Page, WorkOrder } from '../lib/types.ts';
import { useLoad } from '../lib/useLoad.ts';
import { OrderList } from './Home.tsx';

export function Orders() {
  const { t } = useSettings();
  usePageTitle(t('myOrders'));
  const orders = useLoad((signal) => api<Page<WorkOrder>>('/api/v1/work-orders?limit=50', { signal }), []);
  return (
    <section className="h5-section" aria-labelledby="orders-page-title">
      <h1 id="orders-page-title">{t('myOrders')}</h1>
      {orders.error ? (
        <p className="field-error" role="alert">
          {orders.error instanceof NetworkError ? t('networkError') : orders.error.message}{' '}
          <Button size="mini" onClick={orders.reload}>
            {t('retry')}
          </Button>
        </p>
      ) : orders.loading && !orders.data ? (
        <p className="order-meta">{t('loading')}</p>
      ) : (
        <OrderList orders={orders.data?.items ?? []} />
      )}
    </section>
  );
}
