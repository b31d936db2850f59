/** 社区议事厅: the community's proposals with their status and votes, and the form to propose. */
import { useState } from 'react';
import { Button, Input, List, ProgressBar, Tag, TextArea } from 'antd-mobile';
import { api, ApiError, NetworkError } from '../lib/api.ts';
import { formatTime } from '../lib/format.ts';
import { labels } from '../lib/i18n.ts';
import { navigate } from '../lib/router.ts';
import { useSettings } from '../lib/settings.tsx';
import { usePageTitle } from '../lib/title.ts';
import { useLoad } from '../lib/useLoad.ts';
import { toast } from '../mobile/feedback.ts';
import { focusFirstInvalid } from '../mobile/form-errors.ts';
import { PROPOSAL_COLOR } from './proposal-types.ts';
import type { Proposal } from './proposal-types.ts';

export function Proposals() {
  const { t, lang } = useSettings();
  usePageTitle(t('proposals'));
  const list = useLoad((signal) => api<{ items: Proposal[] }>('/api/v1/proposals?limit=50', { signal }), []);
  return (
    <section className="h5-section" aria-labelledby="proposals-title">
      <h1 id="proposals-title">{t('proposals')}</h1>
      <p className="order-meta">{t('proposalOneVote')}</p>
      <Button block color="primary" size="large" onClick={() => navigate('/proposals/new')}>
        {t('newProposal')}
      </Button>
      {list.error ? (
        <p className="field-error" role="alert">
          {list.error instanceof NetworkError ? t('networkError') : list.error.message}{' '}
          <Button size="mini" onClick={list.reload}>
            {t('retry')}
          </Button>
        </p>
      ) : list.loading && !list.data ? (
        <p className="order-meta">{t('loading')}</p>
      ) : (list.data?.items ?? []).length === 0 ? (
        <p className="order-meta">{t('noProposals')}</p>
      ) : (
        <List style={{ marginTop: 12 }}>
          {(list.data?.items ?? []).map((p) => (
            <List.Item
              key={p.id}
              className="row-item"
              description={
                <span className="order-meta">
                  {p.voting
                    ? t('proposalVotesOfQuorum', { n: p.votes, q: p.voting.quorum })
                    : t('proposalVotes', { n: p.votes })}
                  {p.myVote ? ` · ${t('proposalMyVote')}` : ''}
                  {p.author.self ? ` · ${t('proposalMine')}` : ''}
                  {p.voting?.phase === 'open'
                    ? ` · ${t('proposalVotingEnds')} ${formatTime(lang, p.voting.endsAt)}`
                    : ''}
                  {p.status === 'implementing' ? ` · ${p.progressPercent}%` : ''}
                </span>
              }
              extra={
                <Tag color={PROPOSAL_COLOR[p.status] ?? '#595959'}>
                  {labels.proposalStatus(lang, p.status)}
                </Tag>
              }
            >
              <a
                className="row-link"
                href={`/proposals/${p.id}`}
                onClick={(e) => {
                  e.preventDefault();
                  navigate(`/proposals/${p.id}`);
                }}
              >
                <span>{p.title}</span>
                {p.status === 'implementing' && (
                  <ProgressBar percent={p.progressPercent} aria-hidden="true" style={{ marginTop: 4 }} />
                )}
              </a>
            </List.Item>
          ))}
        </List>
      )}
    </section>
  );
}

const FIELD_IDS: Record<string, string> = {
  title: 'proposal-title',
  description: 'proposal-description',
  budgetEstimate: 'proposal-budget',
};

export function NewProposal() {
  const { t } = useSettings();
  usePageTitle(t('newProposal'));
  const [title, setTitle] = useState('');
  const [description, setDescription] = useState('');
  const [budget, setBudget] = useState('');
  const [error, setError] = useState<{ field: string; message: string } | null>(null);
  const [busy, setBusy] = useState(false);
  const fieldError = (f: string) =>
    error && error.field === f ? (
      <p className="field-error" role="alert" data-error-for={FIELD_IDS[f]}>
        {error.message}
      </p>
    ) : null;
  const refuse = (field: string, message: string) => {
    setError({ field, message });
    focusFirstInvalid();
  };

  async function submit() {
    if ([...title.trim()].length < 2) return refuse('title', t('proposalTitleRequired'));
    if (!description.trim()) return refuse('description', t('proposalDescriptionRequired'));
    const b = budget.trim();
    if (b && !/^\d{1,9}$/.test(b)) return refuse('budgetEstimate', t('proposalBudgetInvalid'));
    setBusy(true);
    setError(null);
    try {
      const p = await api<Proposal>('/api/v1/proposals', {
        body: {
          title: title.trim(),
          description: description.trim(),
          ...(b ? { budgetEstimate: Number(b) } : {}),
        },
      });
      toast(t('proposalSubmitted'), 'success');
      navigate(`/proposals/${p.id}`);
    } catch (err) {
      if (err instanceof ApiError)
        refuse(err.field && FIELD_IDS[err.field] ? err.field : 'form', err.message);
      else refuse('form', t('networkError'));
    } finally {
      setBusy(false);
    }
  }

  const required = (
    <>
      <span className="required-mark" aria-hidden="true">
        *{' '}
      </span>
      <span className="sr-only">{t('required')} </span>
    </>
  );
  return (
    <section className="h5-section" aria-labelledby="new-proposal-title">
      <h1 id="new-proposal-title">{t('newProposal')}</h1>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          void submit();
        }}
        style={{ display: 'grid', gap: 8 }}
      >
        <label htmlFor="proposal-title" className="order-meta">
          {required}
          {t('proposalTitle')}
        </label>
        <Input
          id="proposal-title"
          value={title}
          onChange={(v) => {
            setTitle(v);
            if (error?.field === 'title') setError(null);
          }}
          maxLength={80}
          placeholder={t('proposalTitlePlaceholder')}
        />
        {fieldError('title')}
        <label htmlFor="proposal-description" className="order-meta">
          {required}
          {t('proposalDescription')}
        </label>
        <TextArea
          id="proposal-description"
          value={description}
          onChange={(v) => {
            setDescription(v);
            if (error?.field === 'description') setError(null);
          }}
          maxLength={2000}
          rows={5}
          placeholder={t('proposalDescriptionPlaceholder')}
        />
        {fieldError('description')}
        <label htmlFor="proposal-budget" className="order-meta">
          {t('proposalBudget')}
        </label>
        <Input
          id="proposal-budget"
          inputMode="numeric"
          value={budget}
          onChange={(v) => {
            setBudget(v);
            if (error?.field === 'budgetEstimate') setError(null);
          }}
          maxLength={9}
        />
        {fieldError('budgetEstimate')}
        {fieldError('form')}
        <Button block color="primary" size="large" type="submit" loading={busy}>
          {t('submit')}
        </Button>
        <Button block fill="none" onClick={() => navigate('/proposals')}>
          {t('cancel')}
        </Button>
      </form>
    </section>
  );
}
