import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { JPEG_BASE, jpegWithGps, plainPng } from '../image-fixtures.ts';
import { createTestContext, residentIdByPhone, userId } from '../helpers.ts';
import type { TestContext } from '../helpers.ts';

interface Order {
  id: string;
  number: string;
  description: string;
  status: string;
  version: number;
  gridId: string | null;
  createdAt: string;
  closedAt: string | null;
  address: string | null;
  category: string;
  subcategory: string | null;
  urgency: string;
  priority: string;
  timeline?: { type: string; note: string | null; visibility: string }[];
  photos?: { id: string; url: string }[];
}
interface ErrorBody {
  error: { code: string; message: string; details?: { field?: string } };
}

describe('work orders API', () => {
  let ctx: TestContext;
  let agent: string;
  let dispatcher: string;
  before(async () => {
    ctx = await createTestContext();
    agent = await ctx.login('agent');
    dispatcher = await ctx.login('dispatcher');
  });
  after(() => ctx.close());

  const create = (body: Record<string, unknown>, token = agent, headers: Record<string, string> = {}) =>
    ctx.call('POST', '/api/v1/work-orders', token, body, headers);

  it("numbers an order with its local date in the community's time zone", async () => {
    const saved = ctx.clock.now();
    ctx.clock.set('2026-11-20T22:30:00.000Z'); // 06:30 on 21 November in Beijing
    try {
      const res = await create(
        { channel: 'hotline', description: '单元门禁刷不开了' },
        await ctx.login('agent'),
      );
      assert.equal(res.statusCode, 201);
      assert.match((res.json() as Order).number, /^TAOYUAN-20261121-\d{6}$/);
    } finally {
      ctx.clock.set(saved);
    }
  });

  it("creates with the minimal contract and places the order in its grid from the beneficiary's home", async () => {
    const res = await create({ channel: 'hotline', description: '楼道灯坏了' });
    assert.equal(res.statusCode, 201);
    const o = res.json() as Order;
    assert.equal(o.status, 'submitted');
    assert.equal(o.version, 1);
    assert.match(o.number, /^TAOYUAN-\d{8}-\d{6}$/);
    const withResident = (
      await create({
        channel: 'window',
        description: '想申请高龄津贴',
        residentId: await residentIdByPhone(ctx, '13800000001'),
        category: 'government_affairs.subsidy',
      })
    ).json() as Order;
    assert.ok(withResident.gridId, 'placed in a grid');
    assert.ok(withResident.address?.includes('桃源'));
    assert.equal(withResident.category, 'government_affairs');
    assert.equal(withResident.subcategory, 'government_affairs.subsidy');
  });

  it('an Idempotency-Key makes a retry return the first order, never a second', async () => {
    const body = { channel: 'hotline', description: '重复提交测试' };
    const a = await create(body, agent, { 'idempotency-key': 'retry-1' });
    const b = await create(body, agent, { 'idempotency-key': 'retry-1' });
    assert.equal(a.statusCode, 201);
    assert.equal(b.statusCode, 201);
    assert.equal((a.json() as Order).id, (b.json() as Order).id);
    assert.equal(b.headers['idempotent-replayed'], 'true');
    const n = await ctx.database.db
      .selectFrom('work_orders')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('description', '=', '重复提交测试')
      .executeTakeFirstOrThrow();
    assert.equal(Number(n.n), 1);
    const c = await create({ ...body, description: '别的内容' }, agent, { 'idempotency-key': 'retry-1' });
    assert.equal(c.statusCode, 409);
    assert.equal((c.json() as ErrorBody).error.code, 'idempotency_conflict');
  });

  it('concurrent retries with one key still make one order', async () => {
    const body = { channel: 'hotline', description: '并发重试' };
    const results = await Promise.all(
      Array.from({ length: 5 }, () => create(body, agent, { 'idempotency-key': 'race-1' })),
    );
    const ids = new Set(results.map((r) => (r.json() as Order).id));
    assert.deepEqual(
      results.map((r) => r.statusCode),
      [201, 201, 201, 201, 201],
    );
    assert.equal(ids.size, 1);
  });

  it('concurrent requests with one key and two bodies: one order, the others its replay or a conflict', async () => {
    const bodies = [
      { channel: 'hotline', description: '同一个键，第一种内容' },
      { channel: 'hotline', description: '同一个键，第二种内容' },
    ];
    for (let round = 0; round < 3; round++) {
      const key = `race-two-bodies-${round}`;
      const results = await Promise.all(
        Array.from({ length: 12 }, (_, i) => create(bodies[i % 2]!, agent, { 'idempotency-key': key })),
      );
      const created = results.filter((r) => r.statusCode === 201);
      const refused = results.filter((r) => r.statusCode !== 201);
      for (const r of refused) {
        assert.equal(r.statusCode, 409, r.body);
        assert.equal((r.json() as ErrorBody).error.code, 'idempotency_conflict');
      }
      assert.equal(new Set(created.map((r) => (r.json() as Order).id)).size, 1);
      const winner = (created[0]!.json() as Order).description;
      for (const r of created) assert.equal((r.json() as Order).description, winner);
    }
  });

  it('bad input gets a clear code naming the field, and writes nothing', async () => {
    const count = async () =>
      Number(
        (
          await ctx.database.db
            .selectFrom('work_orders')
            .select((eb) => eb.fn.countAll<number>().as('n'))
            .executeTakeFirstOrThrow()
        ).n,
      );
    const before = await count();
    const cases: [Record<string, unknown> | string, string, string | undefined][] = [
      [{ channel: 'hotline' }, 'validation_failed', 'description'],
      [{ channel: 'fax', description: 'x' }, 'validation_failed', 'channel'],
      [
        { channel: 'hotline', description: 'x', location: { lat: 200, lng: 1 } },
        'validation_failed',
        'location.lat',
      ],
      [{ channel: 'hotline', description: 'x', category: 'nonsense' }, 'invalid_input', 'category'],
      [{ channel: 'hotline', description: 'x', urgency: 'yesterday' }, 'validation_failed', 'urgency'],
      [{ channel: 'hotline', description: '   ' }, 'invalid_input', 'description'],
      [{ channel: 'hotline', description: 'x', residentId: 'nobody' }, 'resident_not_found', 'residentId'],
      [{ channel: 'hotline', description: 'x', extra: 1 }, 'validation_failed', 'extra'],
      [
        { channel: 'hotline', description: 'x', photos: [{ contentType: 'text/html', dataBase64: 'aGk=' }] },
        'invalid_input',
        'photos.0.contentType',
      ],
      ['{not json', 'invalid_input', undefined],
      // PostgreSQL cannot store U+0000 in text: refused at the edge on both databases alike.
      [{ channel: 'hotline', description: 'a\u0000b' }, 'invalid_input', 'description'],
      [
        { channel: 'hotline', description: 'x', reporter: { name: '\u0000' } },
        'invalid_input',
        'reporter.name',
      ],
    ];
    for (const [body, code, field] of cases) {
      const res =
        typeof body === 'string'
          ? await ctx.app.inject({
              method: 'POST',
              url: '/api/v1/work-orders',
              headers: { authorization: `Bearer ${agent}`, 'content-type': 'application/json' },
              payload: body,
            })
          : await create(body);
      assert.ok(res.statusCode >= 400 && res.statusCode < 500, `${JSON.stringify(body)} → ${res.statusCode}`);
      const err = res.json() as ErrorBody;
      assert.equal(err.error.code, code, JSON.stringify(body));
      if (field) assert.equal(err.error.details?.field, field, JSON.stringify(body));
      assert.ok(err.error.message.length > 0);
    }
    const huge = await create({ channel: 'hotline', description: 'x'.repeat(2_000_000) });
    assert.ok([400, 413].includes(huge.statusCode));
    // Refused before routing or validation, still in the envelope, naming what it can.
    const nulPath = await ctx.call('GET', '/api/v1/work-orders/a%00b', agent);
    assert.equal(nulPath.statusCode, 400);
    assert.deepEqual(
      [(nulPath.json() as ErrorBody).error.code, (nulPath.json() as ErrorBody).error.details?.field],
      ['invalid_input', 'params.id'],
    );
    const badUrl = await ctx.call('GET', '/api/v1/work-orders/%E0%A4%A', agent);
    assert.equal(badUrl.statusCode, 400);
    assert.equal((badUrl.json() as ErrorBody).error.code, 'invalid_input');
    assert.equal(await count(), before);
  });

  it('a stale version gets 409 version_conflict; a wrong action gets invalid_transition', async () => {
    const o = (
      await create({ channel: 'hotline', description: '并发修改测试', category: 'basic_living.property' })
    ).json() as Order;
    const ok = await ctx.call('POST', `/api/v1/work-orders/${o.id}/actions/accept`, agent, { version: 1 });
    assert.equal(ok.statusCode, 200);
    const stale = await ctx.call('POST', `/api/v1/work-orders/${o.id}/actions/cancel`, agent, { version: 1 });
    assert.equal(stale.statusCode, 409);
    assert.equal((stale.json() as ErrorBody).error.code, 'version_conflict');
    const wrong = await ctx.call('POST', `/api/v1/work-orders/${o.id}/actions/confirm`, agent, {
      version: 2,
      rating: 5,
    });
    assert.equal(wrong.statusCode, 409);
    assert.equal((wrong.json() as ErrorBody).error.code, 'invalid_transition');
    const unknown = await ctx.call('POST', `/api/v1/work-orders/${o.id}/actions/explode`, agent, {
      version: 2,
    });
    assert.equal(unknown.statusCode, 400);
  });

  it('dispatch refuses an assignee who does not serve the community', async () => {
    const o = (
      await create({ channel: 'hotline', description: '派单测试', category: 'basic_living.property' })
    ).json() as Order;
    const other = await userId(ctx, 'provider2');
    const res = await ctx.call('POST', `/api/v1/work-orders/${o.id}/actions/dispatch`, dispatcher, {
      version: 1,
      assigneeId: other,
    });
    assert.equal(res.statusCode, 400);
    assert.equal((res.json() as ErrorBody).error.details?.field, 'assigneeId');
  });

  it('work goes only to those who can do it, and the worker never confirms their own work', async () => {
    const o = (
      await create({
        channel: 'hotline',
        description: '指派测试：单元门关不上',
        category: 'basic_living.property',
      })
    ).json() as Order;
    // An agent, a dispatcher or a manager could never start or resolve it: the order would sit.
    for (const who of ['agent', 'dispatcher', 'manager']) {
      const res = await ctx.call('POST', `/api/v1/work-orders/${o.id}/actions/dispatch`, dispatcher, {
        version: 1,
        assigneeId: await userId(ctx, who),
      });
      assert.equal(res.statusCode, 400, res.body);
      const e = (res.json() as ErrorBody).error;
      assert.equal(e.details?.field, 'assigneeId');
      assert.match(e.message, /cannot be assigned/);
    }
    // An admin who takes the work on may do it, but confirming it is the resident's word, not theirs.
    const admin = await ctx.login('admin');
    const adminId = await userId(ctx, 'admin');
    let v = 1;
    for (const [action, body] of [
      ['dispatch', { assigneeId: adminId }],
      ['start', {}],
      ['resolve', { note: '已修好' }],
    ] as const) {
      const res = await ctx.call('POST', `/api/v1/work-orders/${o.id}/actions/${action}`, admin, {
        version: v,
        ...body,
      });
      assert.equal(res.statusCode, 200, res.body);
      v = (res.json() as Order).version;
    }
    const own = await ctx.call('POST', `/api/v1/work-orders/${o.id}/actions/confirm`, admin, {
      version: v,
      rating: 5,
    });
    assert.equal(own.statusCode, 403, own.body);
    const seen = (await ctx.call('GET', `/api/v1/work-orders/${o.id}`, admin)).json() as {
      allowedActions: string[];
    };
    assert.ok(!seen.allowedActions.includes('confirm'));
    const byAgent = await ctx.call('POST', `/api/v1/work-orders/${o.id}/actions/confirm`, agent, {
      version: v,
      rating: 4,
    });
    assert.equal(byAgent.statusCode, 200, byAgent.body);
  });

  it('where an order went and why it was closed are masked like any free text, and the audit keeps a digest', async () => {
    const referred = (
      await create({
        channel: 'hotline',
        description: '转办测试：小区门口的快递柜坏了',
        category: 'basic_living.property',
      })
    ).json() as Order;
    const r = await ctx.call('POST', `/api/v1/work-orders/${referred.id}/actions/refer`, agent, {
      version: referred.version,
      referredTo: '快递公司张经理 13987654321',
    });
    assert.equal(r.statusCode, 200, r.body);
    const dismissed = (
      await create({ channel: 'hotline', description: '咨询：明天天气', category: 'basic_living.property' })
    ).json() as Order;
    const d = await ctx.call('POST', `/api/v1/work-orders/${dismissed.id}/actions/dismiss`, agent, {
      version: dismissed.version,
      reason: '非社区事项，已请其回电13912345678咨询气象台',
    });
    assert.equal(d.statusCode, 200, d.body);
    for (const who of ['manager', 'auditor']) {
      const token = await ctx.login(who);
      const a = (await ctx.call('GET', `/api/v1/work-orders/${referred.id}`, token)).body;
      const b = (await ctx.call('GET', `/api/v1/work-orders/${dismissed.id}`, token)).body;
      assert.ok(!a.includes('13987654321') && !b.includes('13912345678'), `${who}: ${a}\n${b}`);
      assert.match(a, /快递公司张经理/);
    }
    // The dispatcher's role needs the phone: it stays.
    assert.match(
      (await ctx.call('GET', `/api/v1/work-orders/${referred.id}`, dispatcher)).body,
      /13987654321/,
    );
    const entry = await ctx.database.db
      .selectFrom('audit_entries')
      .select('payload_json')
      .where('entity_id', '=', referred.id)
      .where('action', '=', 'work_order.refer')
      .executeTakeFirstOrThrow();
    assert.ok(!entry.payload_json.includes('13987654321'), entry.payload_json);
    assert.match(entry.payload_json, /referredToDigest/);
  });

  it('honest closures: referred, duplicate (merged), not actionable', async () => {
    const a = (
      await create({ channel: 'hotline', description: '路灯不亮', category: 'basic_living.property' })
    ).json() as Order;
    const b = (
      await create({ channel: 'hotline', description: '路灯不亮了', category: 'basic_living.property' })
    ).json() as Order;
    const merged = await ctx.call('POST', `/api/v1/work-orders/${b.id}/actions/merge`, agent, {
      version: 1,
      mergeInto: a.id,
    });
    assert.equal((merged.json() as Order).status, 'duplicate');
    const self = (
      await create({ channel: 'hotline', description: '自己合并自己', category: 'basic_living.property' })
    ).json() as Order;
    const bad = await ctx.call('POST', `/api/v1/work-orders/${self.id}/actions/merge`, agent, {
      version: 1,
      mergeInto: self.id,
    });
    assert.equal(bad.statusCode, 400);
    // The duplicate is a repeat report: the original's priority goes up, on its timeline.
    const original = (await ctx.call('GET', `/api/v1/work-orders/${a.id}`, agent)).json() as Order & {
      priorityScore: number;
    };
    assert.ok(original.timeline?.some((e) => e.type === 'reprioritized'));
    assert.ok(original.priorityScore > (a as Order & { priorityScore: number }).priorityScore);
    const r = await ctx.call('POST', `/api/v1/work-orders/${a.id}/actions/refer`, agent, {
      version: original.version,
      referredTo: '供电局',
    });
    assert.equal((r.json() as Order).status, 'referred');
    const c = (
      await create({ channel: 'hotline', description: '咨询天气', category: 'basic_living.property' })
    ).json() as Order;
    const d = await ctx.call('POST', `/api/v1/work-orders/${c.id}/actions/dismiss`, agent, {
      version: 1,
      reason: '非社区服务事项',
    });
    assert.equal((d.json() as Order).status, 'not_actionable');
  });

  it('internal notes are staff-only; public replies reach the resident', async () => {
    const resident = await ctx.residentLogin('13800000003');
    const o = (await create({ channel: 'miniapp', description: '小区门禁坏了' }, resident)).json() as Order;
    await ctx.call('POST', `/api/v1/work-orders/${o.id}/notes`, agent, {
      text: '住户脾气急，注意沟通',
      visibility: 'internal',
    });
    await ctx.call('POST', `/api/v1/work-orders/${o.id}/notes`, agent, {
      text: '已联系物业，明天上午处理',
      visibility: 'public',
    });
    const mine = (await ctx.call('GET', `/api/v1/work-orders/${o.id}`, resident)).json() as Order;
    const notes = (mine.timeline ?? []).map((e) => e.note);
    assert.ok(notes.includes('已联系物业，明天上午处理'));
    assert.ok(!notes.includes('住户脾气急，注意沟通'));
    const staff = (await ctx.call('GET', `/api/v1/work-orders/${o.id}`, agent)).json() as Order;
    assert.ok((staff.timeline ?? []).some((e) => e.note === '住户脾气急，注意沟通'));

    // A dispatch is an internal step (its note is for staff), but it changes the status the
    // resident sees: the resident's timeline shows the step, without the note.
    const provider = await userId(ctx, 'provider');
    const dispatched = await ctx.call('POST', `/api/v1/work-orders/${o.id}/actions/dispatch`, dispatcher, {
      version: staff.version,
      assigneeId: provider,
      note: '派给维修队，住户脾气急',
    });
    assert.equal(dispatched.statusCode, 200, dispatched.body);
    const after = (await ctx.call('GET', `/api/v1/work-orders/${o.id}`, resident)).json() as Order;
    assert.equal(after.status, 'dispatched');
    const step = (after.timeline ?? []).find((e) => e.type === 'dispatch');
    assert.ok(step, 'the dispatch shows as a step');
    assert.equal(step.note, null, 'its internal note does not');
    assert.ok(!(after.timeline ?? []).some((e) => e.note === '住户脾气急，注意沟通'));
  });

  it('stores photos through the file store and serves them to those who may read the order', async () => {
    const png = plainPng().toString('base64');
    const o = (
      await create({
        channel: 'hotline',
        description: '墙面裂缝',
        photos: [{ contentType: 'image/png', dataBase64: png }],
      })
    ).json() as Order;
    const full = (await ctx.call('GET', `/api/v1/work-orders/${o.id}`, agent)).json() as Order;
    assert.equal(full.photos?.length, 1);
    const img = await ctx.call('GET', full.photos?.[0]?.url ?? '', agent);
    assert.equal(img.statusCode, 200);
    assert.equal(img.headers['content-type'], 'image/png');
    const outsider = await ctx.call('GET', full.photos?.[0]?.url ?? '', await ctx.login('agent2'));
    assert.equal(outsider.statusCode, 404);
  });

  it('keeps photos without where they were taken, as the image their type says, a dozen at most, never orphaned', async () => {
    // Through the store the app uses: a folder on SQLite, the database on PostgreSQL.
    const files = async () => {
      let n = 0;
      for await (const page of ctx.deps.files.list('photos')) n += page.length;
      return n;
    };
    const jpeg = jpegWithGps();
    const gps = Buffer.from('Exif\0\0', 'latin1');
    assert.ok(jpeg.includes(gps));
    const o = (
      await create({
        channel: 'hotline',
        description: '照片测试：墙皮脱落',
        photos: [{ contentType: 'image/jpeg', dataBase64: jpeg.toString('base64') }],
      })
    ).json() as Order;
    const full = (await ctx.call('GET', `/api/v1/work-orders/${o.id}`, agent)).json() as Order;
    const served = await ctx.app.inject({
      method: 'GET',
      url: full.photos?.[0]?.url ?? '',
      headers: { authorization: `Bearer ${agent}` },
    });
    assert.equal(served.statusCode, 200);
    assert.equal(served.headers['content-type'], 'image/jpeg');
    assert.ok(!served.rawPayload.includes(gps), 'the EXIF block with the GPS position is gone');
    assert.deepEqual(
      served.rawPayload,
      JPEG_BASE,
      'only the APP1 segment went; the picture is byte for byte',
    );
    // An HTML page (or a PNG) labelled as a JPEG is refused, and nothing is written.
    const before = await files();
    for (const dataBase64 of [
      Buffer.from('<html><script>alert(1)</script></html>').toString('base64'),
      plainPng().toString('base64'),
    ]) {
      const bad = await create({
        channel: 'hotline',
        description: '伪装的图片',
        photos: [{ contentType: 'image/jpeg', dataBase64 }],
      });
      assert.equal(bad.statusCode, 400, bad.body);
      assert.equal((bad.json() as ErrorBody).error.details?.field, 'photos.0.dataBase64');
    }
    // Retries of one keyed report with a photo: one order, one file.
    const keyed = await Promise.all(
      Array.from({ length: 5 }, () =>
        ctx.call(
          'POST',
          '/api/v1/work-orders',
          agent,
          {
            channel: 'hotline',
            description: '重试：楼道堆物',
            photos: [{ contentType: 'image/png', dataBase64: plainPng().toString('base64') }],
          },
          { 'idempotency-key': `photo-retry-${o.id}` },
        ),
      ),
    );
    assert.equal(new Set(keyed.map((r) => (r.json() as Order).id)).size, 1);
    assert.equal(await files(), before + 1, 'the retries left no files behind');
    // At most 12 photos an order; none once it is over.
    const add = (id: string) =>
      ctx.call('POST', `/api/v1/work-orders/${id}/photos`, agent, {
        contentType: 'image/png',
        dataBase64: plainPng().toString('base64'),
      });
    for (let i = 1; i < 12; i++) assert.equal((await add(o.id)).statusCode, 201);
    const thirteenth = await add(o.id);
    assert.equal(thirteenth.statusCode, 409, thirteenth.body);
    assert.equal((thirteenth.json() as ErrorBody).error.code, 'conflict');
    assert.equal(await files(), before + 12, 'the refused photo left no file');
    const cancelled = (
      await create({ channel: 'hotline', description: '照片测试：已撤销的工单' })
    ).json() as Order;
    assert.equal(
      (
        await ctx.call('POST', `/api/v1/work-orders/${cancelled.id}/actions/cancel`, agent, {
          version: cancelled.version,
        })
      ).statusCode,
      200,
    );
    const late = await add(cancelled.id);
    assert.equal(late.statusCode, 409, late.body);
    assert.equal((late.json() as ErrorBody).error.code, 'invalid_transition');
  });

  it('lists with filters and cursor pagination without gaps or repeats, and exports CSV', async () => {
    const seen = new Set<string>();
    let cursor: string | null = null;
    let pages = 0;
    do {
      const res = await ctx.call(
        'GET',
        `/api/v1/work-orders?limit=7${cursor ? `&cursor=${cursor}` : ''}`,
        dispatcher,
      );
      assert.equal(res.statusCode, 200);
      const page = res.json() as { items: Order[]; nextCursor: string | null };
      for (const o of page.items) {
        assert.ok(!seen.has(o.id), 'no repeats');
        seen.add(o.id);
      }
      cursor = page.nextCursor;
      pages += 1;
    } while (cursor && pages < 100);
    const total = await ctx.database.db
      .selectFrom('work_orders')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('community_id', '=', ctx.seed.communities[0]?.id ?? '')
      .executeTakeFirstOrThrow();
    assert.equal(seen.size, Number(total.n));

    const closed = (
      await ctx.call('GET', '/api/v1/work-orders?status=closed&limit=200', dispatcher)
    ).json() as { items: Order[] };
    assert.ok(closed.items.length > 0);
    assert.ok(closed.items.every((o) => o.status === 'closed'));
    const cat = (
      await ctx.call('GET', '/api/v1/work-orders?category=safety_emergency&limit=200', dispatcher)
    ).json() as { items: Order[] };
    assert.ok(cat.items.every((o) => o.category === 'safety_emergency'));
    const text = (
      await ctx.call('GET', `/api/v1/work-orders?q=${encodeURIComponent('墙面裂缝')}`, dispatcher)
    ).json() as { items: Order[] };
    assert.equal(text.items.length, 1);
    const bad = await ctx.call('GET', '/api/v1/work-orders?cursor=garbage', dispatcher);
    assert.equal(bad.statusCode, 400);
    const badDate = await ctx.call('GET', '/api/v1/work-orders?from=yesterday', dispatcher);
    assert.equal((badDate.json() as ErrorBody).error.details?.field, 'from');

    const csv = await ctx.call(
      'GET',
      '/api/v1/work-orders/export.csv?status=closed',
      await ctx.login('manager'),
    );
    assert.equal(csv.statusCode, 200);
    const lines = csv.body
      .replace(/^\ufeff/, '')
      .trim()
      .split('\r\n');
    assert.equal(lines[0]?.split(',')[0], 'number');
    assert.equal(lines.length - 1, closed.items.length);
    // Times in the community's zone with their offset, and the grid by its name beside its id.
    const header = lines[0]!.split(',');
    const at = (name: string) => header.indexOf(name);
    assert.ok(at('grid') === at('grid_id') + 1, lines[0]);
    const grids = await ctx.database.db.selectFrom('grids').select(['id', 'name']).execute();
    const gridNames = new Map(grids.map((g) => [g.id, g.name]));
    const byNumber = new Map(closed.items.map((o) => [o.number, o]));
    let named = 0;
    for (const line of lines.slice(1, 40)) {
      const cells = line.split(',');
      const order = byNumber.get(cells[0]!);
      if (!order || cells.length !== header.length) continue; // a description with a comma is quoted
      assert.match(cells[at('created_at')]!, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+08:00$/);
      // To the second, as a spreadsheet shows it.
      const second = (iso: string) => Math.floor(Date.parse(iso) / 1000) * 1000;
      assert.equal(Date.parse(cells[at('created_at')]!), second(order.createdAt));
      assert.equal(Date.parse(cells[at('closed_at')]!), second(order.closedAt!));
      if (order.gridId) {
        assert.equal(cells[at('grid_id')], order.gridId);
        assert.equal(cells[at('grid')], gridNames.get(order.gridId));
        named += 1;
      }
    }
    assert.ok(named > 0, 'some exported order names its grid');
    // A phone stands alone; the same digits inside an id (hex) or an order number are not one.
    assert.ok(!/(?<![0-9a-f-])1[3-9]\d{9}(?![0-9a-f])/.test(csv.body), "a manager's export masks phones");
  });

  it('compiles every request validator and response serializer of every route', () => {
    // They are compiled on first use in production; forcing them here makes a schema that does
    // not compile fail the build instead of a route's first request.
    const compiled = ctx.compilers.compileAll();
    assert.ok(compiled > 200, `only ${compiled} validators and serializers`);
  });

  it('serves health and the OpenAPI document', async () => {
    assert.equal((await ctx.call('GET', '/healthz')).statusCode, 200);
    const doc = (await ctx.call('GET', '/openapi.json')).json() as {
      openapi: string;
      paths: Record<string, unknown>;
    };
    assert.equal(doc.openapi, '3.0.3');
    for (const p of [
      '/api/v1/work-orders',
      '/api/v1/work-orders/{id}',
      '/api/v1/work-orders/{id}/actions/{action}',
      '/api/v1/auth/login',
      '/api/v1/me',
      '/api/v1/audit/verify',
    ]) {
      assert.ok(doc.paths[p], p);
    }
  });
});
