/**
 * The largest whole number a request may carry: PostgreSQL's `integer` (versions, sequence
 * numbers, counts are stored as one). Every integer a request schema accepts has a `maximum` no
 * larger (checked over the OpenAPI document by `test/api/openapi.test.ts`), so 2147483648 is a
 * 400 naming its field rather than the database's "out of range for type integer", a 500.
 */
export const INT_MAX = 2_147_483_647;
