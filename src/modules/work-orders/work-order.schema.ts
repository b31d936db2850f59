import { Type } from '@sinclair/typebox';
import type { Static } from '@sinclair/typebox';
import { CHANNELS } from '../../platform/auth/principal.ts';
import { IMAGE_TYPES } from '../../platform/images.ts';
import { ATTRIBUTE_LIMITS } from './work-order.attributes.ts';
import { ACTIONS, STATUSES } from './work-order.machine.ts';
import { URGENCIES } from '../taxonomy/taxonomy.default.ts';
import { INT_MAX } from '../../platform/http/limits.ts';

const Nullable = <T extends ReturnType<typeof Type.String>>(t: T) => Type.Union([t, Type.Null()]);
const NullableStr = Nullable(Type.String());

export const ChannelSchema = Type.Union(
  CHANNELS.map((c) => Type.Literal(c)),
  { description: 'Where the request came in' },
);
export const StatusSchema = Type.Union(STATUSES.map((s) => Type.Literal(s)));
export const UrgencySchema = Type.Union(URGENCIES.map((u) => Type.Literal(u)));
export const ActionSchema = Type.Union(ACTIONS.filter((a) => a !== 'auto_close').map((a) => Type.Literal(a)));

export const LocationSchema = Type.Object(
  {
    lat: Type.Number({ minimum: -90, maximum: 90 }),
    lng: Type.Number({ minimum: -180, maximum: 180 }),
  },
  { additionalProperties: false },
);

/**
 * A stored photo's bytes, sent as they are (not JSON) with the type the upload was recognised as:
 * the `response` entry of the routes that serve photos.
 */
export const PhotoFile = {
  description: 'The image itself; the metadata that could identify a person or place was removed on upload',
  content: Object.fromEntries(
    IMAGE_TYPES.map((type) => [type, { schema: Type.Unsafe<Buffer>(Type.String({ format: 'binary' })) }]),
  ),
};

export const PhotoInput = Type.Object(
  {
    contentType: Type.String({ maxLength: 50 }),
    dataBase64: Type.String({ minLength: 1, maxLength: 7_000_000 }),
  },
  { additionalProperties: false },
);

export const CreateOrderBody = Type.Object(
  {
    channel: ChannelSchema,
    description: Type.String({ minLength: 1, maxLength: 4000 }),
    communityId: Type.Optional(Type.String({ maxLength: 64 })),
    residentId: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 64,
        description: 'The beneficiary (proxy submission 代办); leave it out when there is none',
      }),
    ),
    reporter: Type.Optional(
      Type.Object(
        {
          name: Type.Optional(Type.String({ maxLength: 100 })),
          phone: Type.Optional(Type.String({ maxLength: 30 })),
          relation: Type.Optional(Type.String({ maxLength: 50, description: 'e.g. 女儿, 邻居, 志愿者' })),
        },
        { additionalProperties: false },
      ),
    ),
    location: Type.Optional(LocationSchema),
    address: Type.Optional(Type.String({ maxLength: 300 })),
    category: Type.Optional(Type.String({ maxLength: 80 })),
    urgency: Type.Optional(UrgencySchema),
    attributes: Type.Optional(
      // No maxProperties here: the service checks the key count with the depth and size
      // (checkAttributes), so all three limits answer the same documented invalid_input.
      Type.Record(Type.String({ maxLength: 80 }), Type.Unknown(), {
        description:
          `Extra answers (Open311-style): at most ${ATTRIBUTE_LIMITS.maxKeys} keys, nested at most ` +
          `${ATTRIBUTE_LIMITS.maxDepth} levels deep (this object is the first) and ` +
          `${ATTRIBUTE_LIMITS.maxJsonLength / 1024} KB as JSON; beyond that 400 \`invalid_input\` naming \`attributes\``,
      }),
    ),
    photos: Type.Optional(Type.Array(PhotoInput, { maxItems: 6 })),
  },
  { additionalProperties: false },
);
export type CreateOrderBody = Static<typeof CreateOrderBody>;

export const ActionBody = Type.Object(
  {
    version: Type.Integer({ minimum: 1, maximum: INT_MAX }),
    assigneeId: Type.Optional(Type.String({ maxLength: 64 })),
    auto: Type.Optional(Type.Boolean()),
    note: Type.Optional(Type.String({ maxLength: 4000 })),
    reason: Type.Optional(Type.String({ maxLength: 1000 })),
    rating: Type.Optional(Type.Integer({ minimum: 1, maximum: 5 })),
    comment: Type.Optional(Type.String({ maxLength: 2000 })),
    referredTo: Type.Optional(Type.String({ maxLength: 200 })),
    mergeInto: Type.Optional(Type.String({ maxLength: 64 })),
  },
  { additionalProperties: false },
);
export type ActionBody = Static<typeof ActionBody>;

export const PersonView = Type.Object({
  id: Type.String(),
  name: Type.String(),
  phone: NullableStr,
  tags: Type.Union([Type.Array(Type.String()), Type.Null()], {
    description: 'Special-group tags; null when masked for this viewer or not consented',
  }),
});

export const TimelineEvent = Type.Object({
  id: Type.String(),
  type: Type.String(),
  fromStatus: NullableStr,
  toStatus: NullableStr,
  actor: Type.Object({ type: Type.String(), name: NullableStr }),
  note: NullableStr,
  visibility: Type.Union([Type.Literal('public'), Type.Literal('internal')]),
  data: Type.Union([Type.Record(Type.String(), Type.Unknown()), Type.Null()]),
  at: Type.String({ format: 'date-time' }),
});

export const WorkOrderView = Type.Object(
  {
    id: Type.String(),
    number: Type.String(),
    communityId: Type.String(),
    gridId: NullableStr,
    channel: Type.String(),
    status: StatusSchema,
    category: Type.String(),
    subcategory: NullableStr,
    urgency: Type.String(),
    priority: Type.String(),
    priorityScore: Type.Union([Type.Number(), Type.Null()], {
      description: 'null for viewers who may not see special groups (their weight is part of it)',
    }),
    priorityNow: Type.Optional(
      Type.Object(
        { score: Type.Union([Type.Number(), Type.Null()]), band: Type.String() },
        {
          description:
            'Open orders, staff view: priority with the waiting time so far and the repeat reports (merged duplicates, "not fixed" reopens); never lower than stored',
        },
      ),
    ),
    description: Type.String(),
    address: NullableStr,
    location: Type.Union([LocationSchema, Type.Null()]),
    reporter: Type.Object({
      type: Type.String(),
      id: NullableStr,
      name: NullableStr,
      phone: NullableStr,
    }),
    beneficiary: Type.Union([PersonView, Type.Null()]),
    proxy: Type.Boolean(),
    assignee: Type.Union([
      Type.Object({ id: Type.String(), name: Type.String(), role: Type.String() }),
      Type.Null(),
    ]),
    resolutionNote: NullableStr,
    rating: Type.Union([Type.Integer(), Type.Null()]),
    ratingComment: NullableStr,
    closureReason: NullableStr,
    referredTo: NullableStr,
    mergedInto: NullableStr,
    reopenCount: Type.Integer(),
    classification: Type.Union([Type.Record(Type.String(), Type.Unknown()), Type.Null()]),
    attributes: Type.Union([Type.Record(Type.String(), Type.Unknown()), Type.Null()]),
    version: Type.Integer(),
    createdAt: Type.String({ format: 'date-time' }),
    updatedAt: Type.String({ format: 'date-time' }),
    acceptedAt: NullableStr,
    dispatchedAt: NullableStr,
    resolvedAt: NullableStr,
    closedAt: NullableStr,
    allowedActions: Type.Array(Type.String(), { description: 'What this viewer may do now' }),
    timeline: Type.Optional(Type.Array(TimelineEvent)),
    photos: Type.Optional(
      Type.Array(
        Type.Object({
          id: Type.String(),
          contentType: Type.String(),
          size: Type.Integer(),
          url: Type.String(),
        }),
      ),
    ),
  },
  { $id: 'WorkOrder' },
);
export type WorkOrderView = Static<typeof WorkOrderView>;

export const ListQuery = Type.Object(
  {
    community: Type.Optional(Type.String({ maxLength: 64, description: 'community id or code' })),
    status: Type.Optional(
      Type.String({
        maxLength: 300,
        description:
          'Comma list of statuses; an unknown status is refused (400 `invalid_input` naming `status`)',
      }),
    ),
    category: Type.Optional(
      Type.String({
        maxLength: 300,
        description:
          "Comma list of categories or sub-categories of the deployment's taxonomy; an unknown one is refused (400 `invalid_input` naming `category`)",
      }),
    ),
    grid: Type.Optional(Type.String({ maxLength: 64 })),
    channel: Type.Optional(
      Type.String({
        maxLength: 200,
        description:
          'Comma list of channels; an unknown one is refused (400 `invalid_input` naming `channel`)',
      }),
    ),
    urgency: Type.Optional(
      Type.String({
        maxLength: 100,
        description:
          'Comma list of urgencies; an unknown one is refused (400 `invalid_input` naming `urgency`)',
      }),
    ),
    assignee: Type.Optional(Type.String({ maxLength: 64 })),
    from: Type.Optional(
      Type.String({
        format: 'date-time',
        description: 'orders created at or after this instant (within the years 0000–9999 in UTC)',
      }),
    ),
    to: Type.Optional(
      Type.String({
        format: 'date-time',
        description:
          'orders created before this instant (exclusive; within the years 0000–9999 in UTC); must be after `from`',
      }),
    ),
    q: Type.Optional(
      Type.String({
        maxLength: 200,
        description:
          'text found in the description, number or address: ASCII letters in either case, digits and letters in either width; narrowed by the search index of character pairs, decided by the text itself',
      }),
    ),
    cursor: Type.Optional(
      Type.String({
        maxLength: 200,
        description:
          'the `nextCursor` of the page before; one this API did not give out is refused (400 `invalid_input` naming `cursor`)',
      }),
    ),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, default: 20 })),
  },
  { additionalProperties: false },
);
export type ListQuery = Static<typeof ListQuery>;

/** The list's filters without its paging: an export is the whole filtered list. */
export const ExportQuery = Type.Omit(ListQuery, ['cursor', 'limit'], { additionalProperties: false });
export type ExportQuery = Static<typeof ExportQuery>;

export const ListResponse = Type.Object({
  items: Type.Array(WorkOrderView),
  nextCursor: NullableStr,
});

export const IdParams = Type.Object({ id: Type.String({ maxLength: 64 }) });
export const ActionParams = Type.Object({ id: Type.String({ maxLength: 64 }), action: ActionSchema });
export const NoteBody = Type.Object(
  {
    text: Type.String({ minLength: 1, maxLength: 4000 }),
    visibility: Type.Optional(
      Type.Union([Type.Literal('public'), Type.Literal('internal')], {
        default: 'internal',
        description: '`public` replies to the resident; `internal` (the default) is seen by staff only',
      }),
    ),
  },
  { additionalProperties: false },
);
