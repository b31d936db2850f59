/**
 * Admin › 时间银行: the community's service records, those awaiting verification first (verified:
 * the minutes go to the volunteer; or sent back with a reason) and by status the others, each with
 * its status (已冲正 when its minutes were reversed), the accounts' balances, and the recent
 * transactions, each reversible (冲正) with a reason by a manager or admin while it may be.
 */
import { useState } from 'react';
import { Alert, App, Button, Input, Modal, Segmented, Space, Table, Tag, Typography } from 'antd';
import type { TableColumnsType } from 'antd';
import { api, qs } from '../../lib/api.ts';
import { formatTime } from '../../lib/format.ts';
import type { MessageKey } from '../../lib/i18n.ts';
import { useSettings } from '../../lib/settings.tsx';
import type { Page } from '../../lib/types.ts';
import { useLoad } from '../../lib/useLoad.ts';
import { useReturnFocus } from '../shared/return-focus.ts';

type RecordStatus = 'pending' | 'verified' | 'rejected' | 'reversed';

interface ServiceRecord {
  id: string;
  volunteer: { id: string; name: string };
  beneficiary: { id: string; name: string } | null;
  minutes: number;
  serviceDate: string;
  description: string;
  status: RecordStatus;
  rejectReason: string | null;
  version: number;
  allowed: ('verify' | 'reject')[];
}

/** The statuses the records can be listed by, pending (the work) first. */
const RECORD_FILTERS = ['pending', 'verified', 'rejected', 'reversed', 'all'] as const;
type RecordFilter = (typeof RECORD_FILTERS)[number];
const STATUS_COLOR: Record<RecordStatus, string> = {
  pending: '#ad4e00',
  verified: '#237804',
  rejected: '#595959',
  reversed: '#531dab',
};

interface Account {
  id: string;
  kind: 'resident' | 'issuance' | 'redemption';
  balance: number;
  resident: { id: string; name: string; phone: string | null } | null;
}

interface Transaction {
  id: string;
  kind: 'earn' | 'transfer' | 'redeem' | 'reversal';
  memo: string;
  createdAt: string;
  reversesId: string | null;
  reversedBy: string | null;
  postings: {
    accountId: string;
    accountKind: 'resident' | 'issuance' | 'redemption';
    resident: { id: string; name: string } | null;
    minutes: number;
  }[];
  allowed: 'reverse'[];
}

/** A step that needs a reason: the dialog asks for it and sends it with `send`. */
function ReasonDialog({
  id,
  title,
  action,
  label,
  hint,
  maxLength,
  danger = false,
  send,
  onClose,
  onDone,
}: {
  id: string;
  title: string;
  action: string;
  label: string;
  hint?: string;
  maxLength: number;
  danger?: boolean;
  send: (reason: string) => Promise<unknown>;
  onClose: () => void;
  onDone: () => void;
}) {
  const { t } = useSettings();
  useReturnFocus();
  const [reason, setReason] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  async function submit() {
    setBusy(true);
    setError(null);
    try {
      await send(reason.trim());
      onDone();
    } catch (err) {
      setError(err instanceof Error ? err.message : String(err));
    } finally {
      setBusy(false);
    }
  }
  return (
    <Modal
      open
      title={title}
      onCancel={onClose}
      okText={action}
      cancelText={t('cancel')}
      okButtonProps={{ loading: busy, disabled: !reason.trim(), danger }}
      onOk={() => void submit()}
    >
      {hint && <p>{hint}</p>}
      <label htmlFor={id}>{label}</label>
      <Input.TextArea
        id={id}
        value={reason}
        onChange={(e) => setReason(e.target.value)}
        maxLength={maxLength}
        rows={3}
      />
      {error && <Alert type="error" showIcon role="alert" message={error} />}
    </Modal>
  );
}

export function TimeBankReview({ communityId }: { communityId: string }) {
  const { t, lang } = useSettings();
  const { message } = App.useApp();
  const [filter, setFilter] = useState<RecordFilter>('pending');
  const records = useLoad(
    (signal) =>
      api<Page<ServiceRecord>>(
        `/api/v1/time-bank/records${qs({
          community: communityId,
          ...(filter === 'all' ? {} : { status: filter }),
          limit: '100',
        })}`,
        { signal },
      ),
    [communityId, filter],
  );
  const accounts = useLoad(
    (signal) => api<Account[]>(`/api/v1/time-bank/accounts${qs({ community: communityId })}`, { signal }),
    [communityId],
  );
  const transactions = useLoad(
    (signal) =>
      api<Page<Transaction>>(`/api/v1/time-bank/transactions${qs({ community: communityId, limit: '50' })}`, {
        signal,
      }),
    [communityId],
  );
  const [rejecting, setRejecting] = useState<ServiceRecord | null>(null);
  const [reversing, setReversing] = useState<Transaction | null>(null);
  const [busy, setBusy] = useState<string | null>(null);
  const reload = () => {
    records.reload();
    accounts.reload();
    transactions.reload();
  };

  async function verify(r: ServiceRecord) {
    setBusy(r.id);
    try {
      await api(`/api/v1/time-bank/records/${r.id}/verify`, { body: { version: r.version } });
      void message.success(t('tbConfirmed'));
      reload();
    } catch (err) {
      void message.error(err instanceof Error ? err.message : String(err));
    } finally {
      setBusy(null);
    }
  }

  const columns: TableColumnsType<ServiceRecord> = [
    { title: t('tbRecordDate'), dataIndex: 'serviceDate', key: 'date' },
    { title: t('tbVolunteer'), key: 'volunteer', render: (_v, r) => r.volunteer.name },
    { title: t('tbBeneficiary'), key: 'beneficiary', render: (_v, r) => r.beneficiary?.name ?? '—' },
    { title: t('tbRecordMinutes'), dataIndex: 'minutes', key: 'minutes' },
    {
      title: t('tbRecordWhat'),
      key: 'description',
      render: (_v, r) => (
        <>
          {r.description}
          {r.rejectReason && <Typography.Text type="secondary">{` · ${r.rejectReason}`}</Typography.Text>}
        </>
      ),
    },
    {
      title: t('tbStatusColumn'),
      key: 'status',
      render: (_v, r) => <Tag color={STATUS_COLOR[r.status]}>{t(`tbStatus_${r.status}` as MessageKey)}</Tag>,
    },
    {
      title: t('actions'),
      key: 'actions',
      render: (_v, r) =>
        r.allowed.length ? (
          <Space>
            <Button type="primary" size="small" loading={busy === r.id} onClick={() => void verify(r)}>
              {t('tbVerify')}
            </Button>
            <Button size="small" onClick={() => setRejecting(r)}>
              {t('tbRejectAction')}
            </Button>
          </Space>
        ) : null,
    },
  ];
  const accountColumns: TableColumnsType<Account> = [
    {
      title: t('tbAccountName'),
      key: 'name',
      render: (_v, a) =>
        a.resident ? a.resident.name : t(a.kind === 'issuance' ? 'tbIssued' : 'tbRedeemed'),
    },
    { title: t('phone'), key: 'phone', render: (_v, a) => a.resident?.phone ?? '' },
    { title: t('tbBalanceColumn'), dataIndex: 'balance', key: 'balance', align: 'right' },
  ];

  const posting = (p: Transaction['postings'][number]) =>
    `${p.resident ? p.resident.name : t(p.accountKind === 'issuance' ? 'tbIssued' : 'tbRedeemed')} ${
      p.minutes > 0 ? '+' : ''
    }${p.minutes}`;
  const transactionColumns: TableColumnsType<Transaction> = [
    { title: t('tbWhen'), key: 'when', render: (_v, x) => formatTime(lang, x.createdAt) },
    { title: t('tbKindColumn'), key: 'kind', render: (_v, x) => t(`tbKind_${x.kind}` as MessageKey) },
    {
      title: t('tbPostingsColumn'),
      key: 'postings',
      render: (_v, x) => x.postings.map((p) => <div key={p.accountId}>{posting(p)}</div>),
    },
    { title: t('tbMemo'), dataIndex: 'memo', key: 'memo' },
    {
      title: t('actions'),
      key: 'actions',
      render: (_v, x) =>
        x.allowed.includes('reverse') ? (
          <Button size="small" danger onClick={() => setReversing(x)}>
            {t('tbReverseAction')}
          </Button>
        ) : x.reversedBy ? (
          <Typography.Text type="secondary">{t('tbReversedBy')}</Typography.Text>
        ) : null,
    },
  ];

  return (
    <Space direction="vertical" style={{ width: '100%' }}>
      <section aria-labelledby="tb-records-title">
        <Typography.Title level={3} style={{ fontSize: 15 }} id="tb-records-title">
          {t('tbRecordsTitle')}
        </Typography.Title>
        <Segmented<RecordFilter>
          aria-label={t('tbStatusColumn')}
          value={filter}
          onChange={setFilter}
          options={RECORD_FILTERS.map((f) => ({
            value: f,
            label: t(f === 'all' ? 'tbStatusAll' : (`tbStatus_${f}` as MessageKey)),
          }))}
          style={{ marginBottom: 8 }}
        />
        {records.error && <Alert type="error" showIcon message={records.error.message} />}
        <Table<ServiceRecord>
          rowKey="id"
          size="small"
          loading={records.loading}
          columns={columns}
          dataSource={records.data?.items ?? []}
          pagination={false}
          locale={{ emptyText: t(filter === 'pending' ? 'tbNoPending' : 'tbNoRecordsHere') }}
        />
      </section>
      <section aria-labelledby="tb-accounts-title">
        <Typography.Title level={3} style={{ fontSize: 15 }} id="tb-accounts-title">
          {t('tbAccounts')}
        </Typography.Title>
        {accounts.error && <Alert type="error" showIcon message={accounts.error.message} />}
        <Table<Account>
          rowKey="id"
          size="small"
          loading={accounts.loading}
          columns={accountColumns}
          dataSource={accounts.data ?? []}
          pagination={{ pageSize: 20, hideOnSinglePage: true }}
        />
      </section>
      <section aria-labelledby="tb-transactions-title">
        <Typography.Title level={3} style={{ fontSize: 15 }} id="tb-transactions-title">
          {t('tbTransactions')}
        </Typography.Title>
        {transactions.error && <Alert type="error" showIcon message={transactions.error.message} />}
        <Table<Transaction>
          rowKey="id"
          size="small"
          loading={transactions.loading}
          columns={transactionColumns}
          dataSource={transactions.data?.items ?? []}
          pagination={{ pageSize: 10, hideOnSinglePage: true }}
          locale={{ emptyText: t('tbNoTransactions') }}
        />
      </section>
      {reversing && (
        <ReasonDialog
          id="tb-reverse-reason"
          title={t('tbReverseTitle', { kind: t(`tbKind_${reversing.kind}` as MessageKey) })}
          action={t('tbReverseAction')}
          label={t('tbReverseReason')}
          hint={t('tbReverseHint')}
          maxLength={200}
          danger
          send={(reason) =>
            api(`/api/v1/time-bank/transactions/${reversing.id}/reversal`, { body: { reason } })
          }
          onClose={() => setReversing(null)}
          onDone={() => {
            setReversing(null);
            void message.success(t('tbReversedDone'));
            reload();
          }}
        />
      )}
      {rejecting && (
        <ReasonDialog
          id="tb-reject-reason"
          title={`${t('tbRejectAction')} · ${rejecting.volunteer.name}`}
          action={t('tbRejectAction')}
          label={t('tbRejectReason')}
          maxLength={500}
          send={(reason) =>
            api(`/api/v1/time-bank/records/${rejecting.id}/reject`, {
              body: { reason, version: rejecting.version },
            })
          }
          onClose={() => setRejecting(null)}
          onDone={() => {
            setRejecting(null);
            void message.success(t('tbRejected'));
            reload();
          }}
        />
      )}
    </Space>
  );
}
