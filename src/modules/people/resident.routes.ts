import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { AppError } from '../../platform/errors.ts';
import { requirePrincipal } from '../../platform/http/principal.hook.ts';
import type { ResidentService } from './resident.service.ts';

const TAG = ['residents'];

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
      },
    },
    async (request) => svc.get(requirePrincipal(request), request.params.id),
  );

  app.post(
    '/api/v1/residents/import',
    {
      bodyLimit: 20 * 1024 * 1024,
      schema: {
        tags: TAG,
        summary: 'Import residents from CSV (UTF-8 or GBK), all or nothing; dryRun=true only reports',
        description:
          'Columns: name, address (required); phone, id_number, birth_year, building, room, lat, lng, tags (; separated), ' +
          'tags_consent, emergency_contact_name, emergency_contact_phone. Send the file as the raw body (text/csv). ' +
          'A row with more (non-empty) fields than the header, such as an address with an unquoted comma, is a problem of that row.',
        querystring: Type.Object(
          {
            community: Type.String({ maxLength: 64 }),
            dryRun: Type.Optional(Type.Boolean()),
            fileName: Type.Optional(Type.String({ maxLength: 200 })),
          },
          { additionalProperties: false },
        ),
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
