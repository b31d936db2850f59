/** Plain data shared by the Open311 module's pure parts (no database, no HTTP). */
import { Type } from '@sinclair/typebox';
import type { Static } from '@sinclair/typebox';

export const DATATYPES = [
  'string',
  'number',
  'datetime',
  'text',
  'singlevaluelist',
  'multivaluelist',
] as const;
export type Datatype = (typeof DATATYPES)[number];

/**
 * How precisely a category's location appears in public listings: `exact` as reported;
 * `building` without the room; `street` without house or building numbers; `community` only the
 * community; `hidden` no location at all.
 */
export const ADDRESS_PRECISIONS = ['exact', 'building', 'street', 'community', 'hidden'] as const;
export type AddressPrecision = (typeof ADDRESS_PRECISIONS)[number];

export type Locale = 'zh' | 'en';
export type Format = 'json' | 'xml';

const Label = Type.Object({ zh: Type.String(), en: Type.String() });

/** One extra question of a category, as stored in `categories.questions_json`. */
export const CategoryQuestionSchema = Type.Object({
  code: Type.String({ pattern: '^[A-Za-z][A-Za-z0-9_]{0,63}$' }),
  datatype: Type.Union(DATATYPES.map((d) => Type.Literal(d))),
  required: Type.Boolean(),
  /** false: shown to the user as information only, never answered. Default true. */
  variable: Type.Optional(Type.Boolean()),
  order: Type.Integer({ minimum: 1 }),
  label: Label,
  hint: Type.Optional(Label),
  values: Type.Optional(Type.Array(Type.Object({ key: Type.String({ minLength: 1 }), label: Label }))),
});
export type CategoryQuestion = Static<typeof CategoryQuestionSchema>;

/** A category as Open311 publishes it. */
export interface ServiceEntry {
  code: string;
  parentCode: string | null;
  nameZh: string;
  nameEn: string;
  groupZh: string;
  groupEn: string;
  isPrivate: boolean;
  exposed: boolean;
  serviceType: 'realtime' | 'batch';
  precision: AddressPrecision;
  keywordsZh: string;
  keywordsEn: string;
  descriptionZh: string | null;
  descriptionEn: string | null;
  questions: CategoryQuestion[];
}

/** What the caller may see: public, or also private categories (a key with `private_categories`). */
export interface Viewer {
  privateCategories: boolean;
}
