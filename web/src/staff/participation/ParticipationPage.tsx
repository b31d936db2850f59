/**
 * 议事厅 for staff: the communities' proposals, the lifecycle steps the server allows this user
 * (managers and admins review, open voting, count, record the work), and the participation ranking.
 */
import { useState } from 'react';
import { App, Button, Card, Form, Input, InputNumber, Modal, Space, Table, Tag, Typography } from 'antd';
import type { ColumnsType } from 'antd/es/table/index.js';
import { api, ApiError, errorText, qs } from '../../lib/api.ts';
import { formatTime } from '../../lib/format.ts';
import { labels } from '../../lib/i18n.ts';
import { useSettings } from '../../lib/settings.tsx';
import { useLoad } from '../../lib/useLoad.ts';
import { PROPOSAL_COLOR } from '../../resident/proposal-types.ts';
import type { Proposal } from '../../resident/proposal-types.ts';

const STAFF_STEPS = ['review', 'reject', 'open_voting', 'decide', 'start', 'progress', 'complete'];

interface Ranked {
  communityId: string;
  name: string;
  rank: number;
  participants: number;
  residents: number;
  proposals: number;
  votes: number;
  participationRate: number;
  implementedShare: number;
  index: number;
}

const pct = (x: number) => `${(x * 100).toFixed(1)}%`;

/** The form a step asks for, and the body it sends. */
function StepDialog({
  p,
  action,
  onClose,
}: {
  p: Proposal;
  action: string;
  onClose: (changed: boolean) => void;
}) {
  const { t, lang } = useSettings();
  const { message } = App.useApp();
  const [form] = Form.useForm();
  const [busy, setBusy] = useState(false);
  const [fieldErr, setFieldErr] = useState<{ field: string; text: string } | null>(null);
  const fieldProps = (name: string) =>
    fieldErr?.field === name ? { validateStatus: 'error' as const, help: fieldErr.text } : {};
  const submit = async () => {
    const v = form.getFieldsValue() as Record<string, unknown>;
    const body: Record<string, unknown> = { action, version: p.version };
    if (action === 'reject') body.reason = v.reason;
    if (action === 'open_voting') {
      const ends = typeof v.votingEndsAt === 'string' && v.votingEndsAt ? new Date(v.votingEndsAt) : null;
      if (ends && !Number.isNaN(ends.getTime())) body.votingEndsAt = ends.toISOString();
      body.quorum = v.quorum;
    }
    if (action === 'progress') body.percent = v.percent;
    if (typeof v.note === 'string' && v.note.trim()) body.note = v.note;
    setBusy(true);
    setFieldErr(null);
    try {
      const next = await api<Proposal>(`/api/v1/proposals/${p.id}/actions`, { body });
      void message.success(t('proposalDone', { status: labels.proposalStatus(lang, next.status) }));
      onClose(true);
    } catch (err) {
      const field = err instanceof ApiError ? err.field : undefined;
      if (field) setFieldErr({ field, text: errorText(err, lang) });
      else void message.error(errorText(err, lang));
    } finally {
      setBusy(false);
    }
  };
  return (
    <Modal
      open
      title={`${labels.proposalAction(lang, action)} · ${p.title}`}
      okText={labels.proposalAction(lang, action)}
      cancelText={t('cancel')}
      confirmLoading={busy}
      onOk={() => void submit()}
      onCancel={() => onClose(false)}
    >
      <Form form={form} layout="vertical">
        {action === 'reject' && (
          <Form.Item name="reason" label={t('proposalReasonField')} required {...fieldProps('reason')}>
            <Input.TextArea maxLength={1000} />
          </Form.Item>
        )}
        {action === 'open_voting' && (
          <>
            <Form.Item
              name="votingEndsAt"
              label={t('proposalEndsAtField')}
              required
              {...fieldProps('votingEndsAt')}
            >
              <Input type="datetime-local" />
            </Form.Item>
            <Form.Item name="quorum" label={t('proposalQuorumField')} required {...fieldProps('quorum')}>
              <InputNumber min={1} precision={0} style={{ width: '100%' }} />
            </Form.Item>
          </>
        )}
        {action === 'progress' && (
          <Form.Item name="percent" label={t('proposalPercentField')} required {...fieldProps('percent')}>
            <InputNumber min={p.progressPercent} max={99} precision={0} style={{ width: '100%' }} />
          </Form.Item>
        )}
        {action !== 'reject' && (
          <Form.Item
            name="note"
            label={t('proposalNoteField')}
            required={action === 'progress'}
            {...fieldProps('note')}
          >
            <Input.TextArea maxLength={2000} />
          </Form.Item>
        )}
      </Form>
    </Modal>
  );
}

export default function ParticipationPage() {
  const { t, lang } = useSettings();
  const [pages, setPages] = useState<string[]>(['']);
  const [step, setStep] = useState<{ p: Proposal; action: string } | null>(null);
  const list = useLoad(
    (signal) =>
      Promise.all(
        pages.map((cursor) =>
          api<{ items: Proposal[]; nextCursor: string | null }>(
            `/api/v1/proposals${qs({ limit: 50, cursor: cursor || undefined })}`,
            { signal },
          ),
        ),
      ),
    [pages.join()],
  );
  const ranking = useLoad(
    (signal) => api<{ communities: Ranked[] }>('/api/v1/participation', { signal }),
    [],
  );
  const items = (list.data ?? []).flatMap((p) => p.items);
  const next = list.data?.[list.data.length - 1]?.nextCursor ?? null;

  const columns: ColumnsType<Proposal> = [
    { title: t('proposalTitle'), dataIndex: 'title', key: 'title' },
    {
      title: t('status'),
      key: 'status',
      render: (_v, p) => (
        <Tag color={PROPOSAL_COLOR[p.status] ?? '#595959'}>{labels.proposalStatus(lang, p.status)}</Tag>
      ),
    },
    {
      title: t('proposalVotesCol'),
      key: 'votes',
      align: 'right',
      render: (_v, p) => (p.voting ? `${p.votes} / ${p.voting.quorum}` : String(p.votes)),
    },
    { title: t('proposalAuthor'), key: 'author', render: (_v, p) => p.author.name },
    { title: t('createdAt'), key: 'createdAt', render: (_v, p) => formatTime(lang, p.createdAt) },
    {
      title: t('actions'),
      key: 'actions',
      render: (_v, p) => (
        <Space wrap>
          {p.actions
            .filter((a) => STAFF_STEPS.includes(a))
            .map((a) => (
              <Button key={a} size="small" onClick={() => setStep({ p, action: a })}>
                {labels.proposalAction(lang, a)}
              </Button>
            ))}
        </Space>
      ),
    },
  ];
  const rankColumns: ColumnsType<Ranked> = [
    { title: t('rankCol'), dataIndex: 'rank', key: 'rank', align: 'right' },
    { title: t('community'), dataIndex: 'name', key: 'name' },
    { title: t('participationIndexCol'), dataIndex: 'index', key: 'index', align: 'right' },
    {
      title: t('participationRateCol'),
      key: 'rate',
      align: 'right',
      render: (_v, r) => pct(r.participationRate),
    },
    {
      title: t('implementedShareCol'),
      key: 'impl',
      align: 'right',
      render: (_v, r) => pct(r.implementedShare),
    },
    {
      title: t('participantsCol'),
      key: 'who',
      align: 'right',
      render: (_v, r) => `${r.participants} / ${r.residents}`,
    },
  ];

  return (
    <div style={{ display: 'grid', gap: 16 }}>
      <Typography.Title level={2} style={{ margin: 0, fontSize: 18 }}>
        {t('participationDesk')}
      </Typography.Title>
      {list.error && <Typography.Text type="danger">{errorText(list.error, lang)}</Typography.Text>}
      <Table<Proposal>
        rowKey="id"
        size="small"
        columns={columns}
        dataSource={items}
        loading={list.loading}
        pagination={false}
        scroll={{ x: 'max-content' }}
        footer={
          next
            ? () => <Button onClick={() => setPages((ps) => [...ps, next])}>{t('proposalLoadMore')}</Button>
            : undefined
        }
      />
      <Card
        title={
          <span role="heading" aria-level={2}>
            {t('participationRanking')}
          </span>
        }
        size="small"
      >
        {ranking.error && <Typography.Text type="danger">{errorText(ranking.error, lang)}</Typography.Text>}
        <Table<Ranked>
          rowKey="communityId"
          size="small"
          columns={rankColumns}
          dataSource={ranking.data?.communities ?? []}
          loading={ranking.loading}
          pagination={false}
        />
      </Card>
      {step && (
        <StepDialog
          p={step.p}
          action={step.action}
          onClose={(changed) => {
            setStep(null);
            if (changed) {
              list.reload();
              ranking.reload();
            }
          }}
        />
      )}
    </div>
  );
}
