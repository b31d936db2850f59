import { Type } from '@sinclair/typebox';

const Issue = Type.Object({
  code: Type.String(),
  severity: Type.Union([Type.Literal('error'), Type.Literal('warning')]),
  message: Type.String(),
  path: Type.String({ description: 'e.g. features[1].geometry.coordinates[0][2]' }),
  featureIndex: Type.Optional(Type.Integer()),
  featureId: Type.Optional(Type.String()),
});

export const ImportReport = Type.Object({
  ok: Type.Boolean(),
  dryRun: Type.Boolean(),
  features: Type.Integer(),
  created: Type.Array(Type.String()),
  updated: Type.Array(Type.String()),
  issues: Type.Array(Issue),
  households: Type.Object({ total: Type.Integer(), moved: Type.Integer(), unplaced: Type.Integer() }),
  openOrdersMoved: Type.Integer(),
});

const Place = Type.Object({ householdId: Type.String(), address: Type.String(), residents: Type.Integer() });
const Share = Type.Number({ minimum: 0, maximum: 1 });

export const CoverageView = Type.Object({
  communityId: Type.String(),
  grids: Type.Integer(),
  households: Type.Integer(),
  residents: Type.Integer(),
  perGrid: Type.Array(
    Type.Object({
      gridId: Type.String(),
      code: Type.String(),
      name: Type.String(),
      areaM2: Type.Number(),
      households: Type.Integer(),
      residents: Type.Integer(),
      workers: Type.Array(Type.Object({ id: Type.String(), name: Type.String() })),
    }),
  ),
  gaps: Type.Object({
    households: Type.Integer(),
    residents: Type.Integer(),
    shareOfHouseholds: Share,
    shareOfResidents: Share,
    shareOfArea: Type.Union([Share, Type.Null()], {
      description: 'share of the community boundary in no grid',
    }),
    places: Type.Array(Place),
  }),
  overlaps: Type.Object({
    pairs: Type.Array(
      Type.Object({
        a: Type.String(),
        b: Type.String(),
        areaM2: Type.Number(),
        shareOfA: Share,
        shareOfB: Share,
      }),
    ),
    households: Type.Integer(),
    residents: Type.Integer(),
    shareOfHouseholds: Share,
    shareOfResidents: Share,
    shareOfArea: Type.Number({ description: 'share of the covered area lying in two or more grids' }),
    places: Type.Array(Type.Intersect([Place, Type.Object({ grids: Type.Array(Type.String()) })])),
  }),
  boundaryHouseholds: Type.Integer({ description: 'on a grid edge, placed by the lowest-code rule' }),
  outsideBoundaryShare: Type.Union([Share, Type.Null()]),
});

export const CommunityQuery = Type.Object(
  { community: Type.String({ maxLength: 64, description: 'community id or code' }) },
  { additionalProperties: false },
);
