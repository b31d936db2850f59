import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { AppError } from '../../platform/errors.ts';
import { errorResponse } from '../../platform/http/errors.plugin.ts';
import { requirePrincipal } from '../../platform/http/principal.hook.ts';
import type { Principal } from '../../platform/auth/principal.ts';
import {
  ResidentDataExport,
  ResidentDetail,
  ResidentEraseBody,
  ResidentErasureReport,
  ResidentImportReport,
  ResidentPatchBody,
} from './resident.schema.ts';
import { RESIDENT_IMPORT_MAX_BYTES, RESIDENT_IMPORT_MAX_ROWS } from './resident.import.ts';
import type { ResidentService } from './resident.service.ts';

const TAG = ['residents'];
/**
 * Imports and dry runs one person may run in an hour: enough to check and correct a few files of
 * 10,000 rows, far too few to try the phones or ID numbers of a street.
 */
export const RESIDENT_IMPORTS_PER_HOUR = 30;

export async function registerResidentRoutes(root: FastifyInstance, svc: ResidentService) {
  const app = root.withTypeProvider<TypeBoxTypeProvider>();
  for (const type of ['text/csv', 'application/octet-stream']) {
    if (!app.hasContentTypeParser(type)) {
      app.addContentTypeParser(type, { parseAs: 'buffer', bodyLimit: 20 * 1024 * 1024 }, (_req, body, done) =>
        done(null, body),
      );
    }
  }

  app.get(
    '/api/v1/residents',
    {
      schema: {
        tags: TAG,
        summary: 'Look up callers by phone (hotline and window console)',
        querystring: Type.Object(
          { phone: Type.String({ pattern: '^[0-9+-]{5,20}$' }) },
          { additionalProperties: false },
        ),
        response: {
          200: Type.Array(ResidentDetail, {
            description: 'the residents with this phone whom the caller may see (none: an empty list)',
          }),
          400: errorResponse('`validation_failed`: no phone, or not one'),
          401: errorResponse('`unauthenticated`'),
          403: errorResponse('`forbidden`: only intake and field staff look up residents'),
        },
      },
    },
    async (request) => svc.lookupByPhone(requirePrincipal(request), request.query.phone),
  );

  app.get(
    '/api/v1/residents/:id',
    {
      schema: {
        tags: TAG,
        summary: 'A resident with household and recent orders (personal data masked by role)',
        params: Type.Object({ id: Type.String({ maxLength: 64 }) }),
        response: {
          200: ResidentDetail,
          400: errorResponse('`validation_failed`: the id is too long'),
          401: errorResponse('`unauthenticated`'),
          403: errorResponse('`forbidden`: a staff role that does not browse residents'),
          404: errorResponse('`resident_not_found`: no such resident, or not one the caller may see'),
        },
      },
    },
    async (request) => svc.get(requirePrincipal(request), request.params.id),
  );

  const dataDescription =
    'Everything Linli holds about the resident, as one JSON document to keep or take elsewhere (个人信息副本, PIPL art. 45): their record unmasked, their household’s address, the orders filed by or for them with their public timelines (no internal notes), survey answers, messages sent to them (never a one-time code), their in-app inbox and when their sessions began. Answered as a download (`Content-Disposition: attachment`). Audited as `resident.data_exported`.';
  /** The copy, answered as a file to save. */
  const download = async (reply: FastifyReply, p: Principal, id: string) => {
    const data = await svc.exportData(p, id);
    void reply.header(
      'content-disposition',
      `attachment; filename="linli-resident-data-${data.exportedAt.slice(0, 10)}.json"`,
    );
    return data;
  };
  app.get(
    '/api/v1/me/data',
    {
      schema: {
        tags: TAG,
        summary: 'A copy of my personal data (residents)',
        description: dataDescription,
        response: {
          200: ResidentDataExport,
          401: errorResponse('`unauthenticated`'),
          403: errorResponse('`forbidden`: not a resident (staff ask an admin for a resident’s copy)'),
        },
      },
    },
    async (request, reply) => {
      const p = requirePrincipal(request);
      if (p.kind !== 'resident')
        throw new AppError(
          'forbidden',
          'a copy of personal data here is a resident’s own: an admin downloads one for a resident at /api/v1/residents/{id}/data',
        );
      return download(reply, p, p.id);
    },
  );

  app.get(
    '/api/v1/residents/:id/data',
    {
      schema: {
        tags: TAG,
        summary: "A copy of a resident's personal data (the resident, or an admin acting for them; audited)",
        description: `${dataDescription} An admin's copy for a resident holds exactly what the resident's own copy holds.`,
        params: Type.Object({ id: Type.String({ maxLength: 64 }) }),
        response: {
          200: ResidentDataExport,
          400: errorResponse('`validation_failed`: the id is too long'),
          401: errorResponse('`unauthenticated`'),
          403: errorResponse('`forbidden`: staff other than admins, or another member of the household'),
          404: errorResponse('`resident_not_found`: no such resident, or not one the caller may see'),
          409: errorResponse('`conflict`: the resident’s personal data was erased'),
        },
      },
    },
    async (request, reply) => download(reply, requirePrincipal(request), request.params.id),
  );

  app.patch(
    '/api/v1/residents/:id',
    {
      schema: {
        tags: TAG,
        summary: "Change a resident's record, or record a move (audited)",
        description:
          "Only the fields sent change. Admins and managers change name, birth year, emergency contact, preferred channel and home; the phone only a role that reads phones unmasked (admin), and a number another resident has answers 409 `conflict`. A resident changes their own emergency contact and preferred channel. `home` moves the resident into the household at that address of their community (a new one, placed in its grid, when none lives there); `home: null` records that they moved away. The household keeps its earlier orders: after a move the resident reads their own orders and the new household's from the day they moved in. Send the `updatedAt` you read to refuse a change made meanwhile (409 `version_conflict`). Special groups change through `/groups`.",
        params: Type.Object({ id: Type.String({ maxLength: 64 }) }),
        body: ResidentPatchBody,
        response: {
          200: ResidentDetail,
          400: errorResponse(
            '`validation_failed` / `invalid_input`: nothing to change, or a value that is not one (the field is named)',
          ),
          401: errorResponse('`unauthenticated`'),
          403: errorResponse(
            '`forbidden`: a role that does not keep the register, or a field it may not change',
          ),
          404: errorResponse('`resident_not_found`: no such resident, or not one the caller may see'),
          409: errorResponse(
            '`version_conflict`: changed since `updatedAt`; `conflict`: the phone is registered, or the record was erased',
          ),
        },
      },
    },
    async (request) => svc.update(requirePrincipal(request), request.params.id, request.body),
  );

  app.post(
    '/api/v1/residents/:id/erase',
    {
      schema: {
        tags: TAG,
        summary: "Erase a resident's personal data (个人信息删除; admins; audited; cannot be undone)",
        description:
          'The record stays as a tombstone (name 已删除居民, `erasedAt` set, every personal field null, out of its household), so the orders filed by or for the resident stay in the counts. ' +
          'In those orders the resident’s name (also as people write it: 王阿姨, 老王) and every phone, ID number and e-mail address are blanked from the description, notes, replies, resolution, rating comment, intake answers, classifier labels, survey comments, return-visit notes and the time bank’s service records and transaction memos, and the reporter’s name and phone go where they were the resident’s; each changed order gets a new version and a `work_order.anonymised` audit entry. ' +
          'Their sessions end, one-time codes go, messages not yet sent are cancelled, no message keeps their address, and their in-app inbox is deleted. The phone is free to register again. ' +
          'Audited as `resident.erased` with the reason’s code and the counts. The audit chain itself holds ids and digests, never personal data, and is not changed.',
        params: Type.Object({ id: Type.String({ maxLength: 64 }) }),
        body: ResidentEraseBody,
        response: {
          200: ResidentErasureReport,
          400: errorResponse('`validation_failed`: no reason, or not one of the codes'),
          401: errorResponse('`unauthenticated`'),
          403: errorResponse('`forbidden`: only admins erase a resident’s personal data'),
          404: errorResponse('`resident_not_found`: no such resident, or not one the caller may see'),
          409: errorResponse(
            '`conflict`: already erased; `version_conflict`: the record (or one of their orders) changed since `updatedAt`',
          ),
        },
      },
    },
    async (request) => svc.erase(requirePrincipal(request), request.params.id, request.body),
  );

  app.patch(
    '/api/v1/residents/:id/groups',
    {
      schema: {
        tags: TAG,
        summary: 'Record or withdraw consent to special groups, and the groups (audited)',
        description:
          'Special groups (elderly living alone, chronic illness, disability, low income, children left behind) are held only with consent: `tagsConsent: false` deletes them. The resident may withdraw their own consent; staff who see the groups (agent, dispatcher, grid worker for their grids, admin) record consent and groups. Send the `updatedAt` you read to refuse a change made meanwhile (409).',
        params: Type.Object({ id: Type.String({ maxLength: 64 }) }),
        body: Type.Object(
          {
            tagsConsent: Type.Optional(Type.Boolean()),
            tags: Type.Optional(Type.Array(Type.String({ maxLength: 40 }), { maxItems: 10 })),
            updatedAt: Type.Optional(Type.String({ maxLength: 40 })),
          },
          { additionalProperties: false },
        ),
        response: {
          200: ResidentDetail,
          400: errorResponse(
            '`invalid_input`: nothing to change, an unknown group, or groups without consent',
          ),
          401: errorResponse('`unauthenticated`'),
          403: errorResponse(
            '`forbidden`: a role that does not see groups, or a resident doing more than withdrawing',
          ),
          404: errorResponse('`resident_not_found`: no such resident, or not one the caller may see'),
          409: errorResponse('`version_conflict`: the resident changed since `updatedAt`'),
        },
      },
    },
    async (request) => svc.updateGroups(requirePrincipal(request), request.params.id, request.body),
  );

  app.post(
    '/api/v1/residents/import',
    {
      // Each run (a dry run too) checks up to 10,000 phones and ID numbers against the whole
      // register: bounded per person, so the register cannot be read out by repeated runs.
      config: {
        rateLimit: {
          max: RESIDENT_IMPORTS_PER_HOUR,
          timeWindow: '1 hour',
          keyGenerator: (request: FastifyRequest) =>
            `residents-import:${request.principal?.kind === 'user' ? request.principal.id : request.ip}`,
        },
      },
      // 10 MiB: 10,000 rows of 1 KiB (RESIDENT_IMPORT_MAX_BYTES says why); the parser's 20 MiB is for other imports.
      bodyLimit: RESIDENT_IMPORT_MAX_BYTES,
      schema: {
        tags: TAG,
        summary:
          'Import residents from CSV (UTF-8 or GBK), all or nothing; dryRun=true only reports (admins)',
        description:
          'Columns: name, address (required); phone, id_number, birth_year, building, room, lat, lng, tags (; separated), ' +
          'tags_consent, emergency_contact_name, emergency_contact_phone. Send the file as the raw body (text/csv). ' +
          'A row with more (non-empty) fields than the header, such as an address with an unquoted comma, is a problem of that row. ' +
          `At most ${RESIDENT_IMPORT_MAX_ROWS} rows and ${RESIDENT_IMPORT_MAX_BYTES / 1024 / 1024} MiB: rows past the limit are not read. ` +
          'Only admins import (the report says which phones and ID numbers are already registered: a number registered in another ' +
          'community is named by row and column only), at most ' +
          `${RESIDENT_IMPORTS_PER_HOUR} imports and dry runs an hour each; every one is audited (rows, the file's SHA-256, problems).`,
        querystring: Type.Object(
          {
            community: Type.String({ maxLength: 64 }),
            dryRun: Type.Optional(Type.Boolean()),
            fileName: Type.Optional(Type.String({ maxLength: 200 })),
          },
          { additionalProperties: false },
        ),
        response: {
          200: ResidentImportReport,
          400: errorResponse(
            '`validation_failed`: problems in the file (`details.problems`, the first 200, and `details.total`; ' +
              'nothing was imported) or in the parameters; `invalid_input`: the file cannot be read as CSV ' +
              '(`details.row`)',
          ),
          401: errorResponse('`unauthenticated`'),
          403: errorResponse(
            '`forbidden`: only admins import residents (roles that see phones and ID numbers masked do not)',
          ),
          404: errorResponse('`community_not_found`: no community of yours has this id or code'),
          413: errorResponse('`payload_too_large`: the file is over 10 MiB (split it)'),
          415: errorResponse('`unsupported_media_type`: the body is not the CSV file (send `text/csv`)'),
          429: errorResponse(
            `\`rate_limited\`: more than ${RESIDENT_IMPORTS_PER_HOUR} imports and dry runs by one person within an hour`,
          ),
        },
      },
    },
    async (request) => {
      const p = requirePrincipal(request);
      if (!Buffer.isBuffer(request.body)) {
        throw new AppError(
          'unsupported_media_type',
          'send the CSV file as the request body with Content-Type: text/csv',
        );
      }
      return svc.importCsv(
        p,
        request.query.community,
        request.body,
        request.query.fileName ?? 'residents.csv',
        request.query.dryRun ?? false,
      );
    },
  );
}
