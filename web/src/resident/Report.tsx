/** The resident describes a need: words first, then optional details (hidden in elderly mode). */
import { useEffect, useMemo, useState } from 'react';
import { Button, Form, ImageUploader, Input, Radio, Space, TextArea } from 'antd-mobile';
import type { ImageUploadItem } from 'antd-mobile';
import { api } from '../lib/api.ts';
import { useSuggestion } from '../lib/classify.ts';
import { categoryName, labelled, fileToBase64, useCategories } from '../lib/format.ts';
import { labels } from '../lib/i18n.ts';
import { navigate } from '../lib/router.ts';
import { useSettings } from '../lib/settings.tsx';
import { usePageTitle } from '../lib/title.ts';
import type { GridCollection, LatLng, Me, NewOrder, PhotoUpload, ResidentDetail } from '../lib/types.ts';
import { useLoad } from '../lib/useLoad.ts';
import { ChoiceChips } from '../mobile/Choices.tsx';
import { toast } from '../mobile/feedback.ts';
import { focusFirstInvalid } from '../mobile/form-errors.ts';
import { GridMap, gridAt } from '../mobile/GridMap.tsx';
import { QUICK } from './Home.tsx';
import { sendReport } from './send.ts';
import { signOut } from '../lib/session.ts';

interface Draft {
  description: string;
  /** Selector value: [] means "decide for me". */
  category: string[];
  forWhom: 'self' | 'family';
  memberId: string;
  relation: string;
  address: string;
}

const DRAFT_KEY = 'linli.draft';
const EMPTY: Draft = {
  description: '',
  category: [],
  forWhom: 'self',
  memberId: '',
  relation: '',
  address: '',
};
const FIELDS = new Set(['description', 'category', 'memberId', 'address', 'relation']);
const MAX_PHOTO = 5 * 1024 * 1024;

/** A draft is the resident's own: on a shared phone the next resident starts with an empty form. */
function loadDraft(owner: string): Draft {
  try {
    const raw = localStorage.getItem(DRAFT_KEY);
    const { owner: savedBy, ...saved } = raw ? (JSON.parse(raw) as Partial<Draft> & { owner?: string }) : {};
    const d = savedBy === owner ? { ...EMPTY, ...saved } : EMPTY;
    return { ...d, category: Array.isArray(d.category) ? d.category : [] };
  } catch {
    return EMPTY;
  }
}

/** Forgets the draft (on sign-out). */
export function clearDraft(): void {
  saveDraft(null, '');
}

function saveDraft(d: Draft | null, owner: string): void {
  try {
    if (d) localStorage.setItem(DRAFT_KEY, JSON.stringify({ ...d, owner }));
    else localStorage.removeItem(DRAFT_KEY);
  } catch {
    // Storage unavailable: the draft lives as long as the page.
  }
}

export function Report({ me }: { me: Me }) {
  const { t, lang, elderly } = useSettings();
  const cats = useCategories();
  const [form] = Form.useForm<Draft>();
  usePageTitle(t('newReport'));
  const initial = useMemo(() => {
    const quick = new URLSearchParams(location.search).get('quick');
    const q = QUICK.find((x) => x.key === quick);
    const d = loadDraft(me.id);
    return q ? { ...d, description: q.text, category: [q.category] } : d;
  }, []);
  const [values, setValues] = useState<Draft>(initial);
  const [photos, setPhotos] = useState<ImageUploadItem[]>([]);
  const [uploads] = useState(() => new Map<string, PhotoUpload>());
  const [point, setPoint] = useState<LatLng | null>(null);
  const [showMap, setShowMap] = useState(false);
  const [busy, setBusy] = useState(false);
  const [formError, setFormError] = useState<string | null>(null);
  const { suggestion } = useSuggestion(values.description);
  const community = me.communities[0];
  // A category taken from the suggestion (采用) follows the text: when a rewritten description
  // is understood as something else, the choice goes back to "decide for me". A category the
  // resident picked by hand stays.
  const [adopted, setAdopted] = useState<string | null>(null);
  useEffect(() => {
    if (!adopted || !suggestion || suggestion.category === adopted) return;
    if (values.category[0] === adopted) {
      form.setFieldValue('category', []);
      setValues((v) => ({ ...v, category: [] }));
    }
    setAdopted(null);
  }, [suggestion?.category]);

  const self = useLoad((signal) => api<ResidentDetail>(`/api/v1/residents/${me.id}`, { signal }), [me.id]);
  const grids = useLoad(
    (signal) =>
      community
        ? api<GridCollection>(`/api/v1/communities/${community.id}/grids`, { signal })
        : Promise.resolve<GridCollection>({ type: 'FeatureCollection', features: [] }),
    [community?.id],
  );
  const members = self.data?.household?.members ?? [];
  const topCategories = cats.filter((c) => c.parent === null);

  useEffect(() => {
    saveDraft(values, me.id);
  }, [values]);

  async function addPhoto(file: File): Promise<ImageUploadItem> {
    if (file.size > MAX_PHOTO) throw new Error(t('photoTooBig'));
    const url = URL.createObjectURL(file);
    uploads.set(url, { contentType: file.type || 'image/jpeg', dataBase64: await fileToBase64(file) });
    return { url };
  }

  async function submit(v: Draft) {
    setFormError(null);
    const body: NewOrder = { channel: 'web', description: v.description.trim() };
    if (community) body.communityId = community.id;
    const category = v.category[0];
    if (category) body.category = category;
    if (v.forWhom === 'family' && v.memberId) {
      body.residentId = v.memberId;
      if (v.relation.trim()) body.reporter = { relation: v.relation.trim() };
    }
    if (v.address.trim()) body.address = v.address.trim();
    if (point) body.location = point;
    const ph = photos.map((p) => uploads.get(p.url)).filter((p): p is PhotoUpload => p !== undefined);
    if (ph.length) body.photos = ph;
    setBusy(true);
    try {
      const r = await sendReport(body);
      if (r.kind === 'sent') {
        saveDraft(null, me.id);
        toast(t('submitted', { number: r.order.number }), 'success');
        navigate(`/orders/${r.order.id}`, true);
      } else if (r.kind === 'queued') {
        saveDraft(null, me.id);
        toast(t('savedOffline'), 'info', 4000);
        navigate('/', true);
      } else if (r.kind === 'signed_out') {
        // Kept in the queue under this resident: sent when they sign in again on this phone.
        saveDraft(null, me.id);
        toast(t('savedSignedOut'), 'info', 5000);
        window.setTimeout(() => void signOut().then(() => window.location.reload()), 1500);
      } else {
        const field = r.error.field?.split('.')[0];
        const name = field === 'residentId' ? 'memberId' : field;
        if (name && FIELDS.has(name)) {
          form.setFields([{ name, errors: [r.error.message] }]);
          focusFirstInvalid();
        } else setFormError(r.error.message);
      }
    } finally {
      setBusy(false);
    }
  }

  const gridName = point && grids.data ? (gridAt(grids.data, point) ?? '—') : '';

  return (
    <section className="h5-section" aria-labelledby="report-title">
      <h1 id="report-title">{t('newReport')}</h1>
      <Form
        form={form}
        layout="vertical"
        initialValues={initial}
        validateTrigger="onChange"
        onValuesChange={(_c, all: Draft) => setValues({ ...EMPTY, ...all })}
        onFinish={(v: Draft) => void submit({ ...EMPTY, ...v })}
        onFinishFailed={() => focusFirstInvalid()}
        footer={
          <Button
            block
            type="submit"
            color="primary"
            size="large"
            loading={busy}
            loadingText={t('submitting')}
          >
            {t('submit')}
          </Button>
        }
      >
        <Form.Item
          name="description"
          label={<label htmlFor="report-description">{t('describe')}</label>}
          rules={[
            { required: true, whitespace: true, message: t('describeTooShort') },
            { min: 3, message: t('describeTooShort') },
            { max: 4000, message: t('describeTooLong') },
          ]}
        >
          <TextArea
            id="report-description"
            placeholder={t('describePlaceholder')}
            autoSize={{ minRows: 3, maxRows: 8 }}
            maxLength={4000}
            showCount
          />
        </Form.Item>
        {suggestion && (
          <div className="suggest" role="status" aria-live="polite">
            <span>
              {labelled(lang, t('suggestion'))}
              <strong>{categoryName(cats, lang, suggestion.subcategory ?? suggestion.category)}</strong>
              {suggestion.urgency ? ` · ${labels.urgency(lang, suggestion.urgency)}` : ''}
            </span>
            {values.category[0] !== suggestion.category && (
              <button
                type="button"
                onClick={() => {
                  form.setFieldValue('category', [suggestion.category]);
                  setValues((v) => ({ ...v, category: [suggestion.category] }));
                  setAdopted(suggestion.category);
                }}
              >
                {t('useSuggestion')}
              </button>
            )}
            {suggestion.explanation && (
              <span className="order-meta">{t('suggestionWhy', { why: suggestion.explanation })}</span>
            )}
          </div>
        )}
        <Form.Item
          name="category"
          label={t('category')}
          description={t('categoryAuto')}
          className="elderly-hide"
        >
          <ChoiceChips
            label={t('category')}
            noneLabel={t('categoryAutoOption')}
            options={topCategories.map((c) => ({
              label: lang === 'zh' ? c.nameZh : c.nameEn,
              value: c.code,
            }))}
          />
        </Form.Item>
        {members.length > 0 && (
          <Form.Item name="forWhom" label={t('forWhom')}>
            <Radio.Group>
              <div role="radiogroup" aria-label={t('forWhom')}>
                <Space direction="horizontal" wrap>
                  <Radio value="self">{t('forMyself')}</Radio>
                  <Radio value="family">{t('forFamily')}</Radio>
                </Space>
              </div>
            </Radio.Group>
          </Form.Item>
        )}
        {values.forWhom === 'family' && members.length > 0 && (
          <>
            <Form.Item
              name="memberId"
              label={t('chooseMember')}
              rules={[{ required: true, message: t('chooseMemberRequired') }]}
            >
              <Radio.Group>
                <div role="radiogroup" aria-label={t('chooseMember')}>
                  <Space direction="vertical">
                    {members.map((m) => (
                      <Radio key={m.id} value={m.id}>
                        {m.name}
                      </Radio>
                    ))}
                  </Space>
                </div>
              </Radio.Group>
            </Form.Item>
            <Form.Item name="relation" label={<label htmlFor="report-relation">{t('relation')}</label>}>
              <Input id="report-relation" maxLength={50} placeholder={t('relationPlaceholder')} />
            </Form.Item>
          </>
        )}
        <Form.Item label={t('photos')} description={t('photosHint')} className="elderly-hide">
          <ImageUploader
            value={photos}
            onChange={setPhotos}
            upload={addPhoto}
            maxCount={6}
            accept="image/*"
            onDelete={(item) => {
              uploads.delete(item.url);
              return true;
            }}
          />
        </Form.Item>
        <Form.Item
          name="address"
          label={<label htmlFor="report-address">{t('address')}</label>}
          rules={[{ max: 300, message: t('describeTooLong') }]}
          className={elderly ? 'elderly-hide' : undefined}
        >
          <Input
            id="report-address"
            maxLength={300}
            placeholder={self.data?.household?.address ?? t('addressPlaceholder')}
            clearable
          />
        </Form.Item>
        {!elderly && grids.data && grids.data.features.length > 0 && (
          <Form.Item label={t('location')}>
            <Button size="small" fill="outline" onClick={() => setShowMap((s) => !s)} aria-expanded={showMap}>
              {t('pickOnMap')}
            </Button>
            {showMap && (
              <div style={{ marginTop: 8 }}>
                <GridMap grids={grids.data} value={point} onPick={setPoint} label={t('mapHint')} />
              </div>
            )}
            {point && (
              <p className="order-meta" role="status">
                {t('pickedPoint', { lat: point.lat.toFixed(5), lng: point.lng.toFixed(5), grid: gridName })}
              </p>
            )}
          </Form.Item>
        )}
      </Form>
      {formError && (
        <p className="field-error" role="alert">
          {formError}
        </p>
      )}
    </section>
  );
}
