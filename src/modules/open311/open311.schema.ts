/**
 * Schemas at the edge of the Open311 API: parameters and the JSON shapes of every answer (the
 * XML answers carry the same shapes through the conversion rules). Parameters are strings on
 * purpose: the standard treats an empty parameter as an absent one, so they are read by
 * `open311.query.ts`, which names the field of every problem.
 */
import { Type } from '@sinclair/typebox';
import type { Static } from '@sinclair/typebox';
import { DATATYPES } from './open311.types.ts';

const Str = (maxLength = 200) => Type.String({ maxLength });
const NullableStr = Type.Union([Type.String(), Type.Null()]);
const NullableNum = Type.Union([Type.Number(), Type.Null()]);

const Common = {
  jurisdiction_id: Type.Optional(
    Type.String({
      maxLength: 100,
      description:
        'A community code. Required where the server serves several communities and no default is configured (else 400)',
    }),
  ),
  locale: Type.Optional(Type.String({ maxLength: 20, description: 'zh-CN (default) or en' })),
  api_key: Type.Optional(Str(200)),
};

export const FormatParams = Type.Object({
  file: Type.String({ maxLength: 200, description: '`{id}.json` or `{id}.xml`' }),
});

export const CommonQuery = Type.Object(Common);
export type CommonQuery = Static<typeof CommonQuery>;

export const RequestsQuery = Type.Object({
  ...Common,
  service_request_id: Type.Optional(
    Type.String({
      maxLength: 40_000,
      description: 'Comma list of at most 200 ids (more: 400); overrides every other filter',
    }),
  ),
  service_code: Type.Optional(Type.String({ maxLength: 2000, description: 'Comma list' })),
  start_date: Type.Optional(Type.String({ maxLength: 40, description: 'W3C date-time with zone' })),
  end_date: Type.Optional(Type.String({ maxLength: 40, description: 'W3C date-time with zone' })),
  status: Type.Optional(Type.String({ maxLength: 40, description: 'open, closed or both (comma list)' })),
  updated_after: Type.Optional(
    Type.String({
      maxLength: 40,
      description: 'W3C date-time with zone; compared with updated_datetime as shown',
    }),
  ),
  updated_before: Type.Optional(
    Type.String({
      maxLength: 40,
      description: 'W3C date-time with zone; compared with updated_datetime as shown',
    }),
  ),
  page: Type.Optional(Type.String({ maxLength: 10 })),
  page_size: Type.Optional(Type.String({ maxLength: 10, description: 'At most 1000 (the default)' })),
  extensions: Type.Optional(Type.String({ maxLength: 10, description: 'true adds extended_attributes' })),
});
export type RequestsQuery = Static<typeof RequestsQuery>;

export const UpdatesQuery = Type.Object({
  ...Common,
  start_date: Type.Optional(Type.String({ maxLength: 40 })),
  end_date: Type.Optional(Type.String({ maxLength: 40 })),
  service_request_id: Type.Optional(
    Type.String({ maxLength: 40_000, description: 'Comma list of at most 200 ids (more: 400)' }),
  ),
  page: Type.Optional(Type.String({ maxLength: 10 })),
  page_size: Type.Optional(Type.String({ maxLength: 10 })),
});
export type UpdatesQuery = Static<typeof UpdatesQuery>;

/** The POST form. `attribute[CODE]` and `attribute[CODE][]` fields come beside these. */
export const CreateRequestBody = Type.Object(
  {
    api_key: Type.Optional(Str(200)),
    jurisdiction_id: Type.Optional(Str(100)),
    locale: Type.Optional(Type.String({ maxLength: 20 })),
    service_code: Type.Optional(Str(100)),
    lat: Type.Optional(Str(40)),
    long: Type.Optional(Str(40)),
    address_string: Type.Optional(Str(500)),
    address_id: Type.Optional(Str(100)),
    email: Type.Optional(Str(200)),
    device_id: Type.Optional(Str(200)),
    account_id: Type.Optional(Str(200)),
    first_name: Type.Optional(Str(100)),
    last_name: Type.Optional(Str(100)),
    phone: Type.Optional(Str(40)),
    description: Type.Optional(
      Type.String({
        maxLength: 20_000,
        description:
          'At most 4000 characters. Up to 20,000 the length is checked with every other field, so one answer names every problem (code 400 per problem); beyond 20,000 the request is refused at once.',
      }),
    ),
    media_url: Type.Optional(Str(2000)),
  },
  {
    additionalProperties: Type.Union([
      Type.String({ maxLength: 4000 }),
      Type.Array(Type.String({ maxLength: 4000 }), { maxItems: 50 }),
    ]),
    maxProperties: 200,
  },
);
export type CreateRequestBody = Static<typeof CreateRequestBody>;

export const ErrorItem = Type.Object({ code: Type.Integer(), description: Type.String() });
export const ErrorList = Type.Array(ErrorItem, { description: 'GeoReport v2 errors (`<errors>` in XML)' });

export const ServiceView = Type.Object({
  service_code: Type.String(),
  service_name: Type.String(),
  description: NullableStr,
  metadata: Type.Boolean(),
  type: Type.Union([Type.Literal('realtime'), Type.Literal('batch'), Type.Literal('blackbox')]),
  keywords: NullableStr,
  group: NullableStr,
});
export type ServiceView = Static<typeof ServiceView>;

export const AttributeView = Type.Object({
  variable: Type.Boolean(),
  code: Type.String(),
  datatype: Type.Union(DATATYPES.map((d) => Type.Literal(d))),
  required: Type.Boolean(),
  datatype_description: NullableStr,
  order: Type.Union([Type.Integer(), Type.Null()]),
  description: NullableStr,
  values: Type.Optional(Type.Array(Type.Object({ key: Type.String(), name: Type.String() }))),
});
export type AttributeView = Static<typeof AttributeView>;

export const ServiceDefinitionView = Type.Object({
  service_code: Type.String(),
  attributes: Type.Array(AttributeView),
});
export type ServiceDefinitionView = Static<typeof ServiceDefinitionView>;

export const RequestView = Type.Object({
  service_request_id: Type.String(),
  status: Type.Union([Type.Literal('open'), Type.Literal('closed')]),
  status_notes: NullableStr,
  service_name: NullableStr,
  service_code: Type.String(),
  description: NullableStr,
  agency_responsible: NullableStr,
  service_notice: NullableStr,
  requested_datetime: Type.String(),
  updated_datetime: Type.Union([Type.String(), Type.Null()], {
    description:
      'When the request last changed; for a closed request, when it was closed (later internal changes leave it). What updated_after/updated_before filter on',
  }),
  expected_datetime: NullableStr,
  address: NullableStr,
  address_id: NullableStr,
  zipcode: NullableStr,
  lat: NullableNum,
  long: NullableNum,
  media_url: NullableStr,
  extended_attributes: Type.Optional(
    Type.Object({
      channel: Type.String(),
      photos: Type.Array(Type.Object({ media_url: Type.String(), created_at: Type.String() })),
    }),
  ),
});
export type RequestView = Static<typeof RequestView>;

export const CreatedView = Type.Object({
  service_request_id: Type.Optional(Type.String()),
  token: Type.Optional(Type.String()),
  service_notice: NullableStr,
  account_id: NullableStr,
});
export type CreatedView = Static<typeof CreatedView>;

export const TokenView = Type.Object({ service_request_id: NullableStr, token: Type.String() });
export type TokenView = Static<typeof TokenView>;

export const RequestUpdateView = Type.Object({
  update_id: Type.String(),
  service_request_id: Type.String(),
  status: Type.String(),
  external_status_code: Type.String(),
  updated_datetime: Type.String(),
  description: Type.String(),
  media_url: NullableStr,
});
export type RequestUpdateView = Static<typeof RequestUpdateView>;

export const DiscoveryView = Type.Object({
  changeset: Type.String(),
  contact: Type.String(),
  key_service: Type.String(),
  endpoints: Type.Array(
    Type.Object({
      specification: Type.String(),
      url: Type.String(),
      changeset: Type.String(),
      type: Type.String(),
      formats: Type.Array(Type.String()),
    }),
  ),
});
export type DiscoveryView = Static<typeof DiscoveryView>;
