/**
 * The resident describes a need: words first, then optional details (fewer in elderly mode: the
 * category is decided for them and there is no map, but photos and the address stay).
 */
import { useEffect, useMemo, useRef, useState } from 'react';
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
import { EMPTY, loadDraft, saveDraft } from './drafts.ts';
import type { Draft } from './drafts.ts';

const FIELDS = new Set(['description', 'category', 'memberId', 'address', 'relation']);
const MAX_PHOTO = 5 * 1024 * 1024;

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
  /** Photos that were not added, each named with why (too large, unreadable, one too many). */
  const [photoProblems, setPhotoProblems] = useState<string[]>([]);
  /** The resident changed the address: the home address is no longer filled in for them. */
  const addressTouched = useRef(initial.address !== '');
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

  // The home address is filled in as the field's value, so what the form shows is what is sent
  // (a placeholder looked filled in, and was not sent with a point picked on the map).
  const home = self.data?.household?.address ?? '';
  useEffect(() => {
    if (!home || addressTouched.current || form.getFieldValue('address')) return;
    form.setFieldValue('address', home);
    setValues((v) => ({ ...v, address: home }));
  }, [home]);

  /** Refuses a photo over the server's limit before reading it, saying which one and why. */
  function checkPhoto(file: File, batch: File[]): File | null {
    // A new choice of photos: what was said about the previous one no longer applies.
    if (file === batch[0]) setPhotoProblems([]);
    if (file.size <= MAX_PHOTO) return file;
    const size = (file.size / 1024 / 1024).toFixed(1);
    setPhotoProblems((p) => [...p, t('photoTooBig', { name: file.name, size })]);
    return null;
  }

  async function addPhoto(file: File): Promise<ImageUploadItem> {
    try {
      const dataBase64 = await fileToBase64(file);
      const url = URL.createObjectURL(file);
      uploads.set(url, { contentType: file.type || 'image/jpeg', dataBase64 });
      return { url };
    } catch (err) {
      setPhotoProblems((p) => [...p, t('photoUnreadable', { name: file.name })]);
      throw err;
    }
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
        toast(
          r.photosDropped ? t('savedOfflineNoPhotos', { n: r.photosDropped }) : t('savedOffline'),
          'info',
          r.photosDropped ? 6000 : 4000,
        );
        navigate('/', true);
      } else if (r.kind === 'not_saved') {
        // Still in the form (and its draft): nothing is lost, the resident sends it later.
        setFormError(t('notSavedFull'));
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
        <Form.Item label={t('photos')} description={t('photosHint')}>
          <ImageUploader
            value={photos}
            onChange={setPhotos}
            beforeUpload={checkPhoto}
            upload={addPhoto}
            maxCount={6}
            multiple
            showFailed={false}
            onCountExceed={(n) => setPhotoProblems((p) => [...p, t('photosTooMany', { n })])}
            accept="image/*"
            onDelete={(item) => {
              uploads.delete(item.url);
              setPhotoProblems([]);
              return true;
            }}
          />
          {photoProblems.length > 0 && (
            <div className="field-error" role="alert">
              {photoProblems.map((m, i) => (
                <p key={i} style={{ margin: 0 }}>
                  {m}
                </p>
              ))}
            </div>
          )}
        </Form.Item>
        <Form.Item
          name="address"
          label={<label htmlFor="report-address">{t('address')}</label>}
          description={
            values.address.trim() ? undefined : point ? t('addressEmptyWithPoint') : t('addressEmpty')
          }
          rules={[{ max: 300, message: t('describeTooLong') }]}
        >
          <Input
            id="report-address"
            maxLength={300}
            placeholder={t('addressPlaceholder')}
            clearable
            onChange={() => {
              addressTouched.current = true;
            }}
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
