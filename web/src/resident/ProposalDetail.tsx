/** A proposal: what it is, where it stands, the resident's vote (cast or withdrawn) and its history. */
import { useState } from 'react';
import { Button, Card, ProgressBar, Steps, Tag } from 'antd-mobile';
import { api, ApiError, errorText } from '../lib/api.ts';
import { formatTime, labelled } from '../lib/format.ts';
import { labels } from '../lib/i18n.ts';
import { useSettings } from '../lib/settings.tsx';
import { usePageTitle } from '../lib/title.ts';
import { useLoad } from '../lib/useLoad.ts';
import { toast } from '../mobile/feedback.ts';
import { PROPOSAL_COLOR } from './proposal-types.ts';
import type { Proposal } from './proposal-types.ts';

export function ProposalDetail({ id }: { id: string }) {
  const { t, lang } = useSettings();
  const proposal = useLoad((signal) => api<Proposal>(`/api/v1/proposals/${id}`, { signal }), [id]);
  const [busy, setBusy] = useState(false);
  usePageTitle(proposal.data ? proposal.data.title : null);

  if (proposal.loading && !proposal.data) return <p className="boot">{t('loading')}</p>;
  if (proposal.error || !proposal.data)
    return (
      <p className="banner" role="alert">
        {proposal.error ? errorText(proposal.error, lang) : t('notFound')}
      </p>
    );
  const p = proposal.data;

  async function ballot(cast: boolean) {
    setBusy(true);
    try {
      await api<{ voted: boolean; votes: number }>(`/api/v1/proposals/${p.id}/vote`, {
        method: cast ? 'PUT' : 'DELETE',
      });
      toast(cast ? t('proposalVoted') : t('proposalWithdrawn'), 'success');
      proposal.reload();
    } catch (err) {
      toast(err instanceof ApiError ? errorText(err, lang) : t('networkError'), 'error');
      proposal.reload();
    } finally {
      setBusy(false);
    }
  }

  const line = (label: string, value: string) => (
    <>
      {labelled(lang, label)}
      {value}
      <br />
    </>
  );
  return (
    <section className="h5-section" aria-labelledby="proposal-title">
      <Card
        title={
          <h1 id="proposal-title" className="card-title">
            {p.title}{' '}
            <Tag color={PROPOSAL_COLOR[p.status] ?? '#595959'} fill="outline">
              {labels.proposalStatus(lang, p.status)}
            </Tag>
          </h1>
        }
      >
        <p style={{ margin: '0 0 8px', whiteSpace: 'pre-wrap' }}>{p.description}</p>
        <p className="order-meta">
          {line(
            t('proposalAuthor'),
            `${p.author.name}${p.filedByStaff ? `（${t('proposalByStaff')}）` : ''}`,
          )}
          {line(t('createdAt'), formatTime(lang, p.createdAt))}
          {p.budgetEstimate !== null &&
            line(t('proposalBudgetLabel'), `¥${p.budgetEstimate.toLocaleString()}`)}
          {p.voting &&
            p.voting.phase === 'upcoming' &&
            line(t('proposalVotingStarts'), formatTime(lang, p.voting.startsAt))}
          {p.voting && line(t('proposalVotingEnds'), formatTime(lang, p.voting.endsAt))}
        </p>
        {p.voting && (
          <p role="status" style={{ fontSize: '1.1em', margin: '8px 0' }}>
            <strong>{t('proposalVotesOfQuorum', { n: p.votes, q: p.voting.quorum })}</strong>
            {p.myVote ? ` · ${t('proposalMyVote')}` : ''}
          </p>
        )}
        {p.rejectReason && (
          <p>
            <strong>{labelled(lang, t('proposalRejectReason'))}</strong>
            {p.rejectReason}
          </p>
        )}
        {(p.status === 'implementing' || p.status === 'completed') && (
          <div style={{ margin: '8px 0' }}>
            <span id="proposal-progress-label">
              {labelled(lang, t('proposalProgress'))}
              {p.progressPercent}%
            </span>
            <ProgressBar percent={p.progressPercent} aria-hidden="true" />
          </div>
        )}
      </Card>

      {(p.actions.includes('vote') || p.actions.includes('withdraw_vote')) && (
        <div style={{ display: 'grid', gap: 10, margin: '12px 0' }}>
          <p className="order-meta" style={{ margin: 0 }}>
            {t('proposalOneVote')}
          </p>
          {p.actions.includes('vote') ? (
            <Button block color="primary" size="large" loading={busy} onClick={() => void ballot(true)}>
              {t('proposalVote')}
            </Button>
          ) : (
            <Button
              block
              color="danger"
              fill="outline"
              size="large"
              loading={busy}
              onClick={() => void ballot(false)}
            >
              {t('proposalWithdraw')}
            </Button>
          )}
        </div>
      )}

      <h2>{t('proposalHistory')}</h2>
      <Card>
        <Steps direction="vertical" current={(p.updates?.length ?? 1) - 1}>
          {(p.updates ?? []).map((u, i) => (
            <Steps.Step
              key={`${u.at}-${i}`}
              status="finish"
              title={
                u.action === 'decide'
                  ? labels.proposalStatus(lang, u.status)
                  : labels.proposalStep(lang, u.action)
              }
              description={
                <span className="timeline-note">
                  {formatTime(lang, u.at)}
                  {u.percent !== null && u.action === 'progress' ? ` · ${u.percent}%` : ''}
                  {u.note ? ` · ${u.note}` : ''}
                </span>
              }
            />
          ))}
        </Steps>
      </Card>
    </section>
  );
}
