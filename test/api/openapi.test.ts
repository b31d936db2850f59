/**
 * The OpenAPI document says what every operation answers: each success but a 204 has a content
 * schema (files by their media type), and the refusals a route documents come in the envelope
 * they are sent in. Response schemas also serialize JSON answers, so the document cannot say
 * one thing while the route sends another. Unions of literals, with or without null, are one
 * enum as OpenAPI 3.0 writes it.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Principal } from '../../src/platform/auth/principal.ts';
import { IMAGE_TYPES } from '../../src/platform/images.ts';
import { createTestContext, residentIdByPhone } from '../helpers.ts';
import type { TestContext } from '../helpers.ts';
import { plainPng } from '../image-fixtures.ts';
import { INT_MAX } from '../../src/platform/http/limits.ts';

interface Media {
  schema?: { $ref?: string; type?: string; format?: string };
}
interface Operation {
  responses?: Record<string, { description: string; content?: Record<string, Media> }>;
}
interface OpenApiDoc {
  openapi: string;
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, { title?: string }> };
}

describe('the OpenAPI document', () => {
  let ctx: TestContext;
  let doc: OpenApiDoc;
  before(async () => {
    ctx = await createTestContext({ orders: 5 });
    doc = (await ctx.call('GET', '/openapi.json')).json<OpenApiDoc>();
  });
  after(() => ctx.close());

  const responsesOf = (method: string, path: string) => {
    const responses = doc.paths[path]?.[method.toLowerCase()]?.responses;
    assert.ok(responses, `${method} ${path} is not documented`);
    return responses;
  };

  it('describes the body of every success but a 204', () => {
    const bare: string[] = [];
    let successes = 0;
    for (const [path, operations] of Object.entries(doc.paths)) {
      for (const [method, operation] of Object.entries(operations)) {
        for (const [status, response] of Object.entries(operation.responses ?? {})) {
          if (!status.startsWith('2') || status === '204') continue;
          successes++;
          const media = Object.values(response.content ?? {});
          if (media.length === 0 || media.some((m) => !m.schema))
            bare.push(`${method.toUpperCase()} ${path} ${status}: ${response.description}`);
        }
      }
    }
    assert.ok(successes > 80, `only ${successes} successes documented`);
    assert.deepEqual(bare, [], 'successes documented without a content schema');
  });

  it('bounds every integer a request may carry by what the database stores, and a larger one is a 400', async () => {
    interface Schema {
      type?: string;
      maximum?: number;
      properties?: Record<string, Schema>;
      items?: Schema;
      anyOf?: Schema[];
      oneOf?: Schema[];
      allOf?: Schema[];
    }
    interface Parameter {
      in: string;
      name: string;
      schema?: Schema;
    }
    type RequestOperation = Operation & {
      parameters?: Parameter[];
      requestBody?: { content?: Record<string, { schema?: Schema }> };
    };
    const unbounded: string[] = [];
    let integers = 0;
    const walk = (schema: Schema | undefined, where: string) => {
      if (!schema) return;
      if (schema.type === 'integer') {
        integers++;
        if (schema.maximum === undefined || schema.maximum > INT_MAX) unbounded.push(where);
      }
      for (const [name, sub] of Object.entries(schema.properties ?? {})) walk(sub, `${where}.${name}`);
      walk(schema.items, `${where}[]`);
      for (const sub of [...(schema.anyOf ?? []), ...(schema.oneOf ?? []), ...(schema.allOf ?? [])])
        walk(sub, where);
    };
    for (const [path, operations] of Object.entries(doc.paths))
      for (const [method, op] of Object.entries(operations as Record<string, RequestOperation>)) {
        const at = `${method.toUpperCase()} ${path}`;
        for (const p of op.parameters ?? []) walk(p.schema, `${at} ${p.in} ${p.name}`);
        for (const [type, media] of Object.entries(op.requestBody?.content ?? {}))
          walk(media.schema, `${at} ${type}`);
      }
    assert.ok(integers > 30, `only ${integers} integers in requests`);
    assert.deepEqual(unbounded, [], 'request integers without a maximum the database can store');
    const agent = await ctx.login('agent');
    const r = await ctx.call('GET', '/api/v1/audit/entries?community=taoyuan&afterSeq=2147483648', agent);
    assert.equal(r.statusCode, 400, r.body);
    assert.equal(r.json<{ error: { details: { field: string } } }>().error.details.field, 'afterSeq');
  });

  it('documents the CSV export and photos by their media types, and still sends them as they are', async () => {
    const csv = responsesOf('GET', '/api/v1/work-orders/export.csv')['200']?.content;
    assert.deepEqual(csv, { 'text/csv': { schema: { type: 'string' } } });
    for (const path of ['/api/v1/work-orders/{id}/photos/{photoId}', '/open311/v2/media/{photoId}']) {
      const content = responsesOf('GET', path)['200']?.content ?? {};
      assert.deepEqual(Object.keys(content).sort(), [...IMAGE_TYPES].sort(), path);
      for (const media of Object.values(content))
        assert.deepEqual(media.schema, { type: 'string', format: 'binary' }, path);
    }

    const agent = await ctx.login('agent');
    const exported = await ctx.call('GET', '/api/v1/work-orders/export.csv', agent);
    assert.equal(exported.statusCode, 200, exported.body);
    assert.equal(exported.headers['content-type'], 'text/csv; charset=utf-8');
    assert.ok(exported.body.startsWith('\ufeffnumber,created_at,channel,'), exported.body.slice(0, 40));

    const png = plainPng();
    const system: Principal = { kind: 'system', name: 'test' };
    const { order } = await ctx.services.workOrders.create(system, {
      channel: 'kiosk',
      description: '楼道灯坏了',
      communityId: ctx.seed.communities[0]?.id ?? '',
      category: 'basic_living.water_electric',
      photos: [{ contentType: 'image/png', dataBase64: png.toString('base64') }],
    });
    const [photo] = await ctx.services.workOrders.photos(order.id);
    assert.ok(photo);
    for (const [url, token] of [
      [`/api/v1/work-orders/${order.id}/photos/${photo.id}`, agent],
      [`/open311/v2/media/${photo.id}`, undefined],
    ] as const) {
      const res = await ctx.call('GET', url, token);
      assert.equal(res.statusCode, 200, url);
      assert.equal(res.headers['content-type'], 'image/png', url);
      assert.deepEqual(res.rawPayload, png, url);
    }
  });

  it('writes a union of literals as one enum of their type, null listed and nullable when null is one', async () => {
    assert.match(doc.openapi, /^3\.0\./);
    const body = (method: string, path: string) =>
      (
        doc.paths[path]?.[method] as {
          requestBody: { content: Record<string, { schema: { properties: Record<string, unknown> } }> };
        }
      ).requestBody.content['application/json']?.schema.properties;
    assert.deepEqual(body('patch', '/api/v1/residents/{id}')?.preferredChannel, {
      type: 'string',
      enum: ['inapp', 'sms', 'wechat', null],
      nullable: true,
    });
    assert.deepEqual(body('post', '/api/v1/work-orders/{id}/notes')?.visibility, {
      default: 'internal',
      description: '`public` replies to the resident; `internal` (the default) is seen by staff only',
      type: 'string',
      enum: ['public', 'internal'],
    });

    // Everywhere in the document: OpenAPI 3.0 has no null type, so `nullable` goes with a type,
    // a nullable enum lists null (3.0.3) and no other enum does, every value is of the enum's
    // type, and no `anyOf` is left that is only literals of one type (and null).
    const problems: string[] = [];
    const OF_TYPE: Record<string, (v: unknown) => boolean> = {
      string: (v) => typeof v === 'string',
      number: (v) => typeof v === 'number',
      integer: (v) => Number.isInteger(v),
      boolean: (v) => typeof v === 'boolean',
    };
    const literalOrNull = (m: Record<string, unknown>) =>
      Array.isArray(m.enum) && Object.keys(m).every((k) => ['type', 'enum', 'nullable'].includes(k));
    const walk = (node: unknown, at: string): void => {
      if (Array.isArray(node)) return node.forEach((n, i) => walk(n, `${at}/${i}`));
      if (typeof node !== 'object' || node === null) return;
      const s = node as Record<string, unknown>;
      if (s.nullable === true && typeof s.type !== 'string') problems.push(`${at}: nullable without a type`);
      if (Array.isArray(s.enum)) {
        const nulls = s.enum.filter((v) => v === null).length;
        if (s.enum.length === nulls) problems.push(`${at}: an enum of null alone`);
        else if (s.nullable === true ? nulls !== 1 : nulls !== 0)
          problems.push(`${at}: nullable ${s.nullable === true}, ${nulls} nulls in its enum`);
        const ofType = OF_TYPE[String(s.type)];
        if (ofType && !s.enum.every((v) => v === null || ofType(v)))
          problems.push(`${at}: an enum value not of type ${String(s.type)}`);
      }
      const members = s.anyOf as Record<string, unknown>[] | undefined;
      if (members?.every(literalOrNull) && new Set(members.map((m) => m.type)).size === 1)
        problems.push(`${at}: an anyOf of literals`);
      for (const [k, v] of Object.entries(s)) walk(v, `${at}/${k}`);
    };
    walk(doc.paths, '#/paths');
    walk(doc.components, '#/components');
    assert.deepEqual(problems, []);

    // The routes validate as before: the document alone changed.
    const admin = await ctx.login('admin');
    const wang = await residentIdByPhone(ctx, '13800000001');
    const patch = (preferredChannel: unknown) =>
      ctx.call('PATCH', `/api/v1/residents/${wang}`, admin, { preferredChannel });
    for (const channel of ['sms', null, 'wechat', 'inapp']) {
      const r = await patch(channel);
      assert.equal(r.statusCode, 200, r.body);
      assert.equal((r.json() as { preferredChannel: unknown }).preferredChannel, channel);
    }
    for (const wrong of ['fax', 'SMS', {}])
      assert.equal((await patch(wrong)).json().error?.code, 'validation_failed', JSON.stringify(wrong));
  });

  it('documents the refusals these routes give, in the envelope they come in', async () => {
    const envelope = Object.entries(doc.components.schemas).find(([, s]) => s.title === 'ErrorBody')?.[0];
    assert.ok(envelope, 'no ErrorBody among the components');
    // A refusal documented for the JSON API is its one envelope, whichever route.
    for (const [path, operations] of Object.entries(doc.paths)) {
      if (!path.startsWith('/api/')) continue;
      for (const [method, operation] of Object.entries(operations))
        for (const [status, response] of Object.entries(operation.responses ?? {}))
          if (/^[45]/.test(status))
            assert.deepEqual(
              response.content,
              { 'application/json': { schema: { $ref: `#/components/schemas/${envelope}` } } },
              `${method} ${path} ${status}`,
            );
    }

    const [token, admin, resident] = [
      await ctx.login('agent'),
      await ctx.login('admin'),
      await ctx.residentLogin('13800000001'),
    ];
    const community = ctx.seed.communities[0]?.code ?? '';
    const csv = { 'content-type': 'text/csv' };
    // [method, url, documented path, token, body, headers]: each answers a refusal it documents.
    const probes: [string, string, string, string | undefined, unknown?, Record<string, string>?][] = [
      ['GET', '/api/v1/communities/nope/grids', '/api/v1/communities/{id}/grids', token],
      ['GET', `/api/v1/communities/${'x'.repeat(65)}/grids`, '/api/v1/communities/{id}/grids', token],
      ['GET', '/api/v1/communities/nope/grids', '/api/v1/communities/{id}/grids', undefined],
      ['GET', '/api/v1/residents?phone=13800000001', '/api/v1/residents', resident],
      ['GET', '/api/v1/residents?phone=abc', '/api/v1/residents', token],
      ['GET', '/api/v1/residents/nope', '/api/v1/residents/{id}', token],
      ['GET', '/api/v1/residents/nope', '/api/v1/residents/{id}', await ctx.login('auditor')],
      [
        'POST',
        `/api/v1/residents/import?community=${community}`,
        '/api/v1/residents/import',
        token,
        'a',
        csv,
      ],
      [
        'POST',
        `/api/v1/residents/import?community=${community}`,
        '/api/v1/residents/import',
        admin,
        { a: 1 },
      ],
      ['POST', '/api/v1/residents/import?community=nope', '/api/v1/residents/import', admin, 'a', csv],
      [
        'POST',
        `/api/v1/residents/import?community=${community}`,
        '/api/v1/residents/import',
        admin,
        'x',
        csv,
      ],
      ['GET', '/api/v1/work-orders/export.csv', '/api/v1/work-orders/export.csv', resident],
      ['GET', '/api/v1/work-orders/export.csv?limit=1', '/api/v1/work-orders/export.csv', token],
      ['GET', '/api/v1/work-orders/nope/photos/x', '/api/v1/work-orders/{id}/photos/{photoId}', token],
      ['GET', '/open311/v2/media/nope', '/open311/v2/media/{photoId}', undefined],
      ['GET', '/open311/v2/media/nope?api_key=wrong', '/open311/v2/media/{photoId}', undefined],
      ['GET', `/api/v1/classifier/models?community=${community}`, '/api/v1/classifier/models', token],
      ['GET', '/api/v1/classifier/models?community=nope', '/api/v1/classifier/models', admin],
      ['POST', '/api/v1/classifier/train', '/api/v1/classifier/train', admin, { community, activate: 'x' }],
      ['POST', '/api/v1/classifier/train', '/api/v1/classifier/train', token, { community }],
      [
        'POST',
        '/api/v1/classifier/activate',
        '/api/v1/classifier/activate',
        admin,
        { community, version: 99 },
      ],
    ];
    const undocumented: string[] = [];
    for (const [method, url, path, bearer, body, headers] of probes) {
      const res = await ctx.call(method, url, bearer, body, headers);
      assert.ok(res.statusCode >= 400, `${method} ${url}: ${res.statusCode}`);
      if (!responsesOf(method, path)[String(res.statusCode)])
        undocumented.push(`${method} ${url}: ${res.statusCode} ${res.body.slice(0, 120)}`);
    }
    assert.deepEqual(undocumented, []);
  });
});
