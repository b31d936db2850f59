import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tidyUnions } from './openapi-unions.ts';

const NULL = { type: 'object', nullable: true, enum: [null] };
const lit = (type: string, value: unknown) => ({ type, enum: [value] });
const doc = (schema: unknown) => ({ openapi: '3.0.3', components: { schemas: { s: schema } } });
const tidied = (schema: unknown) => tidyUnions(doc(schema)).components.schemas.s;

test('a union of literals of one type is one enum; with null, nullable and null listed', () => {
  assert.deepEqual(tidied({ description: 'd', anyOf: [lit('string', 'a'), lit('string', 'b'), NULL] }), {
    description: 'd',
    type: 'string',
    enum: ['a', 'b', null],
    nullable: true,
  });
  assert.deepEqual(tidied({ anyOf: [lit('integer', 1), lit('integer', 2), lit('integer', 1)] }), {
    type: 'integer',
    enum: [1, 2],
  });
  // Nested: the inner union is tidied first, then the outer one takes its values.
  assert.deepEqual(tidied({ anyOf: [{ anyOf: [lit('string', 'a'), NULL] }, lit('string', 'b')] }), {
    type: 'string',
    enum: ['a', 'b', null],
    nullable: true,
  });
});

test('a typed schema or null is that schema, nullable, both descriptions kept; a nullable enum lists null', () => {
  assert.deepEqual(tidied({ type: 'string', enum: ['a'], nullable: true }), {
    type: 'string',
    enum: ['a', null],
    nullable: true,
  });
  assert.deepEqual(
    tidied({
      description: 'field',
      anyOf: [{ type: 'object', description: 'member', properties: {} }, NULL],
    }),
    { type: 'object', description: 'field\n\nmember', properties: {}, nullable: true },
  );
});

test('what 3.0 cannot say without a union stays a union, and the input is left as it was', () => {
  const kept = [
    { anyOf: [{ type: 'integer' }, lit('string', 'default')] },
    { anyOf: [lit('string', 'a'), lit('integer', 1)] },
    { anyOf: [{ $ref: '#/components/schemas/x' }, NULL] },
    { anyOf: [{ type: 'string' }, { type: 'array' }, NULL] },
    { maxLength: 3, anyOf: [lit('string', 'a'), lit('string', 'b')] },
    { anyOf: [{ type: 'string', enum: ['a'], description: 'the a' }, lit('string', 'b')] },
  ];
  for (const schema of kept) assert.deepEqual(tidied(schema), schema);

  const input = doc({ anyOf: [lit('string', 'a'), NULL] });
  const copy = structuredClone(input);
  tidyUnions(input);
  assert.deepEqual(input, copy);
  const v31 = { openapi: '3.1.0', components: { schemas: { s: { anyOf: [lit('string', 'a'), NULL] } } } };
  assert.equal(tidyUnions(v31), v31);
});
