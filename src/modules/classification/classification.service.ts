import { createHash } from 'node:crypto';
import type { Deps } from '../../platform/context.ts';
import { AppError, forbidden, invalidInput } from '../../platform/errors.ts';
import { newId } from '../../platform/ids.ts';
import { SYSTEM, actorLabel, communitiesOf } from '../../platform/auth/principal.ts';
import type { Principal } from '../../platform/auth/principal.ts';
import { allCategoryCodes, topCategory, URGENCIES } from '../taxonomy/taxonomy.default.ts';
import { appendAudit } from '../audit/audit.repository.ts';
import { announceStale } from '../../platform/cache/coherence.ts';
import { LoaderCache } from '../../platform/cache/loader-cache.ts';
import { findCommunity } from '../tenancy/tenancy.repository.ts';
import type { WorkOrderService } from '../work-orders/work-order.service.ts';
import type { Understanding, WorkOrderClassifier } from '../work-orders/work-order.understanding.ts';
import { createClassifier, loadDefaultModel } from './classifier.ts';
import type { Classifier, Prediction } from './classifier.ts';
import { ModelFileError, deserializeModel } from './model-io.ts';
import { TrainingError } from './model.ts';
import { predictInTurns, trainOffThread } from './training.ts';
import type { Decision, TrainedModel } from './training.ts';
import type { TrainingExample } from './model.ts';
import { evaluate } from './metrics.ts';
import { suggestDuplicates } from './duplicates.ts';
import { canReadOrder, orderFacts } from '../work-orders/work-order.policy.ts';
import { freeTextFor } from '../../platform/auth/privacy.ts';
import * as repo from './classification.repository.ts';

const RECLASSIFY_ROLES = ['agent', 'dispatcher', 'manager', 'admin'];
const HEADS = ['category', 'subcategory', 'urgency'];
// Other nodes' changes arrive through cache coherence (topic `classifier`) within about a second;
// this lifetime is the bound should that reading stop.
const MODEL_CACHE_MS = 30_000;

export interface TrainReport {
  community: string;
  examples: number;
  corrected: number;
  holdout: number;
  candidate: { version: number; accuracy: number; macroF1: number; urgencyAccuracy: number };
  current: { version: number | 'default'; accuracy: number; macroF1: number; urgencyAccuracy: number };
  activated: boolean;
  reason: string;
  seconds: number;
}

/** Deterministic 1-in-5 hold-out by id, so a retraining is judged on orders it never saw. */
export const isHoldout = (id: string) => (createHash('sha256').update(id).digest()[0] ?? 0) % 5 === 0;

/** How `trainFromOrders` runs. */
export interface RetrainOptions {
  activate?: 'auto' | 'always' | 'never';
  maxOrders?: number;
  onProgress?: (m: string) => void;
  /**
   * Awaited once the candidate and the model in force are judged, before the candidate is
   * stored: another switch may land here (a test makes one), and `auto` must still compare
   * with the model in force when it activates.
   */
  onJudged?: () => Promise<void> | void;
  /** Who asked, for the audit chain (the CLI is the system). */
  actor?: Principal;
}

/**
 * Understanding of requests for intake, staff and retraining: the shipped default model, or a
 * community's own active model; corrections by staff become labels; models are versioned,
 * judged on held-out orders before activation and can be rolled back.
 */
export class ClassificationService {
  /** A training is running on this node (see `trainFromOrders`). */
  private trainingUnderWay = false;
  private fallback: Classifier | null | undefined;
  private readonly perCommunity: LoaderCache<
    string,
    { classifier: Classifier | null; version: number | null }
  >;

  constructor(
    private readonly deps: Deps,
    private readonly workOrders: WorkOrderService,
    private readonly triageThreshold = 0.5,
  ) {
    this.perCommunity = new LoaderCache({ ttlMs: MODEL_CACHE_MS, now: () => deps.clock.now().getTime() });
  }

  /** Whether a training runs on this node now (one at a time, see `trainFromOrders`). */
  get training(): boolean {
    return this.trainingUnderWay;
  }

  private get db() {
    return this.deps.database.db;
  }

  /** The shipped model; null (and intake falls back to the caller's choice) if it cannot be loaded. */
  defaultClassifier(): Classifier | null {
    if (this.fallback === undefined) {
      try {
        this.fallback = createClassifier(loadDefaultModel(), { triageThreshold: this.triageThreshold });
      } catch (err) {
        this.deps.logger.error({ err }, 'the default classifier model could not be loaded');
        this.fallback = null;
      }
    }
    return this.fallback;
  }

  /**
   * Loads the shipped model and runs one prediction, so that the segmenter and the feature code
   * are ready too. The server calls it before it takes requests. Returns whether a model is there.
   */
  warmUp(): boolean {
    const classifier = this.defaultClassifier();
    classifier?.predict('电梯困人了，请马上来', { probabilities: false });
    return classifier !== null;
  }

  /**
   * The classifier a community uses now (its active model, else the default), cached per node
   * until a change of the community's model is announced (see `invalidate`), at most 30 s.
   */
  classifierFor(communityId: string): Promise<{ classifier: Classifier | null; version: number | null }> {
    return this.perCommunity.get(communityId, async (expired) => {
      const row = await repo.activeModel(this.db, communityId);
      if (!row) return { classifier: this.defaultClassifier(), version: null };
      // The same model as the expired copy: keep its classifier rather than build it again.
      if (expired && expired.version === row.version) return expired;
      return { classifier: this.classifierOf(row), version: row.version };
    });
  }

  /** A community's stored model, ready to predict; the shipped default for none. */
  private classifierOf(row: repo.ModelRow | undefined): Classifier | null {
    if (!row) return this.defaultClassifier();
    const model = deserializeModel(row.model_json, `model v${row.version}`, {
      categories: allCategoryCodes(),
      heads: ['category'],
    });
    return createClassifier(model, { triageThreshold: this.triageThreshold });
  }

  /**
   * Takes the community's model lock for the caller's transaction (see `repo.lockModels`) and
   * records a return to the default that an older release left untraced, so that what is in force,
   * read next, is true and every switch can be rolled back.
   */
  private async lockModels(trx: Parameters<typeof repo.lockModels>[0], communityId: string) {
    await repo.lockModels(trx, this.deps.database.dialect, communityId);
    await repo.recordUntracedDefault(trx, communityId, newId());
  }

  /**
   * Drops this node's copy of a community's model (every community's without an id). Called after
   * this node switches a model, and by cache coherence when another node (or the CLI) has.
   */
  invalidate(communityId?: string): void {
    this.perCommunity.invalidate(communityId);
  }

  /** Tells every node, in the switch's own transaction, that the community's active model changed. */
  private announceSwitch(trx: Parameters<typeof announceStale>[0], communityId: string) {
    return announceStale(trx, [{ topic: 'classifier', key: communityId }], this.deps.clock.now());
  }

  /** The port intake calls for every new order. */
  port(): WorkOrderClassifier {
    return {
      understand: async (text: string, communityId: string): Promise<Understanding> => {
        const { classifier, version } = await this.classifierFor(communityId);
        if (!classifier) {
          return {
            category: 'basic_living',
            subcategory: null,
            urgency: 'normal',
            confidence: 0,
            needsTriage: true,
            source: 'caller',
            explanation: null,
          };
        }
        const p = classifier.predict(text, { probabilities: false });
        return {
          category: p.category,
          subcategory: p.subcategory,
          urgency: p.urgency,
          confidence: p.confidence,
          needsTriage: p.needsTriage,
          source: p.source,
          explanation: { ...this.explain(p), modelVersion: version ?? 'default' },
          suspectedEmergency: p.explanation.suspectedEmergency,
        };
      },
    };
  }

  private explain(p: Prediction) {
    return {
      runnerUp: p.runnerUp,
      rule: p.explanation.rule,
      features: p.explanation.features,
      urgencyFeatures: p.explanation.urgencyFeatures,
      suspectedEmergency: p.explanation.suspectedEmergency,
    };
  }

  /** Live suggestion while someone types (any signed-in caller; no personal data is stored). */
  async classify(p: Principal, text: string, communityRef?: string) {
    const mine = communitiesOf(p);
    let communityId = mine[0];
    if (communityRef) {
      const c = await findCommunity(this.db, communityRef);
      if (!c || !mine.includes(c.id))
        throw new AppError('community_not_found', `community ${communityRef} was not found`, {
          field: 'community',
        });
      communityId = c.id;
    }
    const { classifier, version } = communityId
      ? await this.classifierFor(communityId)
      : { classifier: this.defaultClassifier(), version: null };
    if (!classifier) throw new AppError('internal_error', 'no classifier model is available');
    const t0 = performance.now();
    const pred = classifier.predict(text);
    const ms = performance.now() - t0;
    const top = Object.entries(pred.probabilities).slice(0, 5);
    const modelVersion: number | 'default' = version ?? 'default';
    return {
      category: pred.category,
      subcategory: pred.subcategory,
      urgency: pred.urgency,
      confidence: pred.confidence,
      needsTriage: pred.needsTriage,
      source: pred.source,
      probabilities: Object.fromEntries(top),
      urgencyProbabilities: pred.urgencyProbabilities,
      ...this.explain(pred),
      modelVersion,
      tookMs: Math.round(ms * 1000) / 1000,
    };
  }

  /** A person's correction of category/urgency: the order changes and the label is kept for retraining. */
  async correct(
    p: Principal,
    orderId: string,
    input: {
      version: number;
      category?: string | undefined;
      urgency?: string | undefined;
      note?: string | undefined;
    },
  ) {
    if (p.kind !== 'user' || !RECLASSIFY_ROLES.includes(p.role))
      throw forbidden('only intake and dispatch staff classify orders');
    if (input.category === undefined && input.urgency === undefined)
      throw invalidInput('category', 'give a category, an urgency or both');
    if (input.category !== undefined && !allCategoryCodes().includes(input.category)) {
      throw invalidInput('category', `unknown category "${input.category}"`);
    }
    if (input.urgency !== undefined && !(URGENCIES as readonly string[]).includes(input.urgency)) {
      throw invalidInput('urgency', `urgency must be one of ${URGENCIES.join(', ')}`);
    }
    const category = input.category;
    return this.workOrders.reclassify(
      p,
      orderId,
      {
        version: input.version,
        category: category ? topCategory(category) : undefined,
        subcategory: category ? (category.includes('.') ? category : null) : undefined,
        urgency: input.urgency,
        note: input.note,
      },
      async (trx, before, after, at) => {
        await repo.insertLabel(trx, {
          id: newId(),
          work_order_id: after.id,
          community_id: after.community_id,
          text: after.description,
          category: after.category,
          subcategory: after.subcategory,
          urgency: after.urgency,
          previous_json: JSON.stringify({
            category: before.category,
            subcategory: before.subcategory,
            urgency: before.urgency,
          }),
          source: before.needs_triage === 1 ? 'triage' : 'correction',
          actor: actorLabel(p),
          created_at: at,
        });
      },
    );
  }

  async triage(p: Principal, communityRef?: string, limit = 100) {
    if (p.kind !== 'user' || !RECLASSIFY_ROLES.includes(p.role))
      throw forbidden('only intake and dispatch staff triage orders');
    let ids = p.communityIds;
    if (communityRef) {
      const c = await findCommunity(this.db, communityRef);
      if (!c || !ids.includes(c.id))
        throw new AppError('community_not_found', `community ${communityRef} was not found`, {
          field: 'community',
        });
      ids = [c.id];
    }
    return repo.triageOrders(this.db, ids, limit);
  }

  /** Open orders of the same community, near in place and time and similar in text. */
  async duplicates(p: Principal, orderId: string) {
    const { order } = await this.workOrders.getReadable(p, orderId);
    if (p.kind !== 'user') throw forbidden('staff only');
    const created = new Date(order.created_at);
    const since = new Date(created.getTime() - 14 * 86400_000).toISOString();
    // Only orders this viewer may read: a provider or grid worker sees no one else's.
    const candidates = (await repo.openOrdersNear(this.db, order.community_id, since, order.id)).filter((c) =>
      canReadOrder(p, orderFacts(c)),
    );
    const byId = new Map(candidates.map((c) => [c.id, c]));
    const text = freeTextFor(p);
    return suggestDuplicates(
      { text: order.description, lat: order.lat, lng: order.lng, createdAt: created },
      candidates.map((c) => ({
        id: c.id,
        text: c.description,
        lat: c.lat,
        lng: c.lng,
        createdAt: new Date(c.created_at),
      })),
    ).map((s) => {
      const c = byId.get(s.id);
      return {
        ...s,
        number: c?.number ?? '',
        description: text(c?.description ?? ''),
        status: c?.status ?? '',
        category: c?.category ?? '',
      };
    });
  }

  /**
   * Retrains on a community's own history (corrections win), judges the candidate and the
   * current model on the same held-out orders, and activates the candidate only if it is not
   * worse (or when forced). A failure leaves the active model untouched.
   */
  async trainFromOrders(communityRef: string, opts: RetrainOptions = {}): Promise<TrainReport> {
    const t0 = Date.now();
    const community = await findCommunity(this.db, communityRef);
    if (!community)
      throw new AppError('community_not_found', `community ${communityRef} was not found`, {
        field: 'community',
      });
    // One training at a time on a node: each runs on a thread of its own with its own copy of the
    // segmenter and the examples (about 30 MB more resident for the demo's), and nothing else
    // would bound how many run at once.
    if (this.trainingUnderWay)
      throw new AppError(
        'conflict',
        'a model is already being trained on this node: try again when it has finished (a training takes seconds to a minute)',
      );
    this.trainingUnderWay = true;
    try {
      return await this.train(community, opts, t0);
    } finally {
      this.trainingUnderWay = false;
    }
  }

  private async train(
    community: { id: string; code: string },
    opts: RetrainOptions,
    t0: number,
  ): Promise<TrainReport> {
    const rows = await repo.trainingRows(this.db, community.id, opts.maxOrders ?? 50_000);
    const train = rows.filter((r) => !isHoldout(r.id));
    const test = rows.filter((r) => isHoldout(r.id));
    if (train.length < 50 || test.length < 10) {
      throw new AppError(
        'invalid_input',
        `community ${community.code} has ${rows.length} labelled orders: at least 60 are needed to train and judge a model`,
        { field: 'community' },
      );
    }
    const examples: TrainingExample[] = train.map((r) => ({
      fields: [r.text],
      labels: { category: r.category, subcategory: r.subcategory ?? undefined, urgency: r.urgency },
    }));
    const texts = test.map((r) => r.text);
    let trained: TrainedModel;
    try {
      // On a thread of its own: the node goes on answering while it trains.
      trained = await trainOffThread(
        {
          examples,
          params: {
            headNames: HEADS,
            taxonomyId: 'default',
            trainedAt: this.deps.clock.now().toISOString(),
            options: { bags: 1 },
          },
          holdout: texts,
          triageThreshold: this.triageThreshold,
        },
        opts.onProgress,
      );
    } catch (err) {
      if (err instanceof TrainingError)
        throw new AppError('invalid_input', `training failed: ${err.message}`, { reason: err.code });
      throw err;
    }
    const score = (preds: Decision[]) => {
      const cat = evaluate(
        test.map((r) => r.category),
        preds.map((x) => x.category),
      );
      const urg = evaluate(
        test.map((r) => r.urgency),
        preds.map((x) => x.urgency),
      );
      return {
        accuracy: round(cat.accuracy),
        macroF1: round(cat.macroF1),
        urgencyAccuracy: round(urg.accuracy),
      };
    };
    const judge = async (c: Classifier | null) =>
      c ? score(await predictInTurns(c, texts)) : { accuracy: 0, macroF1: 0, urgencyAccuracy: 0 };
    const cand = score(trained.predictions);
    // Judged before the lock is taken, since judging takes a while; what is in force is read
    // again under the lock below.
    const inForce = await repo.activeModel(this.db, community.id);
    const judged = { row: inForce, metrics: await judge(this.classifierOf(inForce)) };
    await opts.onJudged?.();
    const mode = opts.activate ?? 'auto';
    const at = this.deps.clock.now().toISOString();
    const id = newId();
    const { version, activated, current } = await this.db.transaction().execute(async (trx) => {
      await this.lockModels(trx, community.id);
      // The model to beat is the one in force now, under the lock that activation holds: another
      // may have been switched to while this one trained. Then it is judged here, holding the lock,
      // which only a switch during a training costs.
      const active = (await repo.listModels(trx, community.id)).find((m) => m.status === 'active');
      const activeId = active && active.version !== repo.DEFAULT_VERSION ? active.id : undefined;
      let current = judged;
      if (activeId !== judged.row?.id) {
        const row = activeId === undefined ? undefined : await repo.findModel(trx, activeId);
        current = { row, metrics: await judge(this.classifierOf(row)) };
      }
      const cur = current.metrics;
      const activated = mode === 'always' || (mode === 'auto' && cand.accuracy >= cur.accuracy);
      const version = await repo.nextModelVersion(trx, community.id);
      await repo.insertModel(trx, {
        id,
        community_id: community.id,
        version,
        taxonomy_id: trained.taxonomyId,
        status: 'candidate',
        metrics_json: JSON.stringify({ ...cand, holdout: test.length, examples: train.length, current: cur }),
        model_json: trained.modelJson,
        created_at: at,
        activated_at: null,
      });
      if (activated) {
        await repo.setActive(trx, community.id, id, at);
        await this.announceSwitch(trx, community.id);
      }
      await appendAudit(trx, this.deps.database.dialect, {
        communityId: community.id,
        createdAt: at,
        actor: actorLabel(opts.actor ?? SYSTEM),
        action: 'classifier.trained',
        entityType: 'classifier_model',
        entityId: id,
        payload: {
          version,
          activated,
          mode,
          examples: train.length,
          holdout: test.length,
          candidate: cand,
          current: cur,
        },
      });
      return { version, activated, current };
    });
    if (activated) this.invalidate(community.id);
    return {
      community: community.code,
      examples: train.length,
      corrected: rows.filter((r) => r.corrected).length,
      holdout: test.length,
      candidate: { version, ...cand },
      current: { version: current.row?.version ?? 'default', ...current.metrics },
      activated,
      reason: activated
        ? mode === 'always'
          ? 'activated on request'
          : 'the candidate is at least as accurate on the held-out orders'
        : mode === 'never'
          ? 'kept as a candidate on request'
          : 'the candidate is less accurate than the current model: kept as a candidate',
      seconds: Math.round((Date.now() - t0) / 100) / 10,
    };
  }

  /**
   * Stores a model trained elsewhere (e.g. `linli classifier train --csv` on a deployment's own
   * labels) as the community's next version. It must fit the deployment's taxonomy.
   */
  async importModel(
    communityRef: string,
    text: string,
    fileName: string,
    activate: boolean,
    actor: Principal = SYSTEM,
  ) {
    const c = await findCommunity(this.db, communityRef);
    if (!c)
      throw new AppError('community_not_found', `community ${communityRef} was not found`, {
        field: 'community',
      });
    let model;
    try {
      model = deserializeModel(text, fileName, { categories: allCategoryCodes(), heads: ['category'] });
    } catch (err) {
      if (err instanceof ModelFileError)
        throw new AppError('invalid_input', err.message, { file: fileName, reason: err.code });
      throw err;
    }
    const at = this.deps.clock.now().toISOString();
    const id = newId();
    const version = await this.db.transaction().execute(async (trx) => {
      await this.lockModels(trx, c.id);
      const version = await repo.nextModelVersion(trx, c.id);
      await repo.insertModel(trx, {
        id,
        community_id: c.id,
        version,
        taxonomy_id: model.taxonomyId,
        status: 'candidate',
        metrics_json: JSON.stringify({ importedFrom: fileName, examples: model.meta.examples }),
        model_json: text,
        created_at: at,
        activated_at: null,
      });
      if (activate) {
        await repo.setActive(trx, c.id, id, at);
        await this.announceSwitch(trx, c.id);
      }
      await appendAudit(trx, this.deps.database.dialect, {
        communityId: c.id,
        createdAt: at,
        actor: actorLabel(actor),
        action: 'classifier.imported',
        entityType: 'classifier_model',
        entityId: id,
        payload: { version, activated: activate, file: fileName },
      });
      return version;
    });
    if (activate) this.invalidate(c.id);
    return { community: c.code, version, activated: activate };
  }

  async models(communityRef: string) {
    const c = await findCommunity(this.db, communityRef);
    if (!c)
      throw new AppError('community_not_found', `community ${communityRef} was not found`, {
        field: 'community',
      });
    // The row standing for the default is bookkeeping for rollback, not a version of the community's.
    const stored = (await repo.listModels(this.db, c.id)).filter((m) => m.version !== repo.DEFAULT_VERSION);
    return stored.map((m) => ({
      id: m.id,
      version: m.version,
      status: m.status,
      metrics: JSON.parse(m.metrics_json) as Record<string, unknown>,
      createdAt: m.created_at,
      activatedAt: m.activated_at,
    }));
  }

  /** Activates a stored version (also the way to roll back); `version` 0 returns to the shipped default. */
  async activate(communityRef: string, version: number, actor: Principal = SYSTEM) {
    return this.switchTo(communityRef, version, actor);
  }

  /**
   * Undoes the community's last switch of model, whatever made it (an activation, a return to the
   * default, a training or import that activated, a rollback): returns to the model in force
   * before it, the shipped default included.
   */
  async rollback(communityRef: string, actor: Principal = SYSTEM) {
    return this.switchTo(communityRef, 'previous', actor);
  }

  /**
   * Switches the community's active model. What is active, and so what "previous" means, is read
   * inside the transaction that switches, under the community's model lock: switches of one
   * community take turns on every node, and the last to commit is the one in force. A return to
   * the default activates the community's row for it, so that the switch can be rolled back.
   */
  private async switchTo(communityRef: string, target: number | 'previous', actor: Principal) {
    const c = await findCommunity(this.db, communityRef);
    if (!c)
      throw new AppError('community_not_found', `community ${communityRef} was not found`, {
        field: 'community',
      });
    const action = target === 'previous' ? 'classifier.rolled_back' : 'classifier.activated';
    const result = await this.db.transaction().execute(async (trx) => {
      await this.lockModels(trx, c.id);
      const models = await repo.listModels(trx, c.id);
      const current = models.find((x) => x.status === 'active');
      let version: number;
      if (target === 'previous') {
        // Before the first switch, the default in force has no row and nothing came before it.
        const previous = current && previousModel(models, current);
        if (!current || (!previous && current.version === repo.DEFAULT_VERSION))
          throw new AppError(
            'invalid_input',
            `community ${c.code} has always used the default model: nothing to roll back`,
          );
        version = previous?.version ?? repo.DEFAULT_VERSION;
      } else {
        version = target;
      }
      const toDefault = version === repo.DEFAULT_VERSION;
      const m = toDefault ? null : models.find((x) => x.version === version);
      if (!toDefault && !m)
        throw new AppError('not_found', `community ${c.code} has no model version ${version}`, {
          field: 'version',
        });
      const at = this.deps.clock.now().toISOString();
      if (m) await repo.setActive(trx, c.id, m.id, at);
      else await repo.activateDefault(trx, c.id, newId(), at);
      await this.announceSwitch(trx, c.id);
      const active = versionLabel(version);
      await appendAudit(trx, this.deps.database.dialect, {
        communityId: c.id,
        createdAt: at,
        actor: actorLabel(actor),
        action,
        entityType: 'classifier_model',
        entityId: m?.id ?? 'default',
        payload: { active, previous: versionLabel(current?.version) },
      });
      return { community: c.code, active };
    });
    this.invalidate(c.id);
    return result;
  }
}

type ModelListing = Awaited<ReturnType<typeof repo.listModels>>[number];

/** How a version is named to people: its number, or `default` for the shipped model. */
const versionLabel = (version: number | undefined): number | 'default' =>
  version === undefined || version === repo.DEFAULT_VERSION ? 'default' : version;

/**
 * The model active before `current`: the one activated last before it. Activations of a community
 * get strictly increasing times (see `setActive`); among equal times left by older releases the
 * higher version counts as the later.
 */
function previousModel(models: ModelListing[], current: ModelListing): ModelListing | undefined {
  const key = (m: ModelListing) => [m.activated_at ?? '', m.version] as const;
  const before = (a: ModelListing, b: ModelListing) => {
    const [at, av] = key(a);
    const [bt, bv] = key(b);
    return at !== bt ? at < bt : av < bv;
  };
  return models
    .filter((m) => m.id !== current.id && m.activated_at !== null && before(m, current))
    .reduce<ModelListing | undefined>((best, m) => (!best || before(best, m) ? m : best), undefined);
}

const round = (x: number) => Math.round(x * 10000) / 10000;

export function requireClassifierAdmin(p: Principal, communityId: string) {
  if (p.kind !== 'user' || !['admin', 'manager'].includes(p.role) || !p.communityIds.includes(communityId)) {
    throw forbidden('only admins and managers of the community manage its models');
  }
}
