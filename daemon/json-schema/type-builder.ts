/**
 * The part of TypeBox's type builder the project's schemas use, without loading TypeBox at run
 * time: TypeBox's entry point instantiates ~250 modules (≈ 5 MB of the idle daemon's resident
 * memory, npm run bench) to build what are, in the end, plain JSON Schema objects.
 *
 * The static types are TypeBox's own (type-only imports, erased by tsc), so `Static<typeof X>`
 * keeps working; the values are built as TypeBox builds them, symbols included, so TypeBox's
 * Value (the simulator's checks, tests) reads them as its own. test/json-schema/type-builder.test.ts
 * compares each builder with TypeBox's, call for call.
 */
import type { Kind as TypeBoxKind, OptionalKind as TypeBoxOptionalKind, Type as TypeBoxType } from '@sinclair/typebox';

type Builder = Pick<typeof TypeBoxType,
  'Array' | 'Boolean' | 'Integer' | 'Literal' | 'Null' | 'Number' | 'Object' | 'Optional' | 'Record' | 'String' | 'Union' | 'Unsafe'>;

/** TypeBox's own symbols (Symbol.for: one registry-wide key, whichever copy made it). */
export const Kind: typeof TypeBoxKind = Symbol.for('TypeBox.Kind') as typeof TypeBoxKind;
export const OptionalKind: typeof TypeBoxOptionalKind = Symbol.for('TypeBox.Optional') as typeof TypeBoxOptionalKind;
/** TypeBox's key pattern for `Record(String(), …)`: any key. */
const ANY_KEY = '^(.*)$';

type Schema = Record<string | symbol, unknown>;

/** As TypeBox's CreateType in its default instance mode: options first, the type's own keys win. */
const create = (schema: Schema, options?: object): Schema => (options === undefined ? schema : { ...options, ...schema });

const isOptional = (schema: unknown): boolean => typeof schema === 'object' && schema !== null && (schema as Schema)[OptionalKind] === 'Optional';

function objectType(properties: Record<string, Schema>, options?: object): Schema {
  const required = Object.keys(properties).filter((key) => !isOptional(properties[key]));
  return create(required.length > 0 ? { [Kind]: 'Object', type: 'object', required, properties } : { [Kind]: 'Object', type: 'object', properties }, options);
}

function optionalType(schema: Schema, enable = true): Schema {
  if (enable) return create({ ...schema, [OptionalKind]: 'Optional' });
  const { [OptionalKind]: _dropped, ...rest } = schema;
  return rest;
}

function unionType(types: Schema[], options?: object): Schema {
  // TypeBox: no member is Never, one member is that member.
  if (types.length === 0) return create({ [Kind]: 'Never', not: {} }, options);
  if (types.length === 1) return create(types[0]!, options);
  return create({ [Kind]: 'Union', anyOf: types }, options);
}

/** Only string keys (any, or matching a pattern): the one kind of record a JSON config has. */
function recordType(key: Schema, value: Schema, options: object = {}): Schema {
  const k = key;
  if (k[Kind] !== 'String') throw new TypeError(`type-builder: Record keys must be Type.String() (got ${String(k[Kind])})`);
  const pattern = typeof k.pattern === 'string' ? k.pattern : ANY_KEY;
  return create({ [Kind]: 'Record', type: 'object', patternProperties: { [pattern]: value } }, options);
}

export const Type: Builder = {
  Array: ((items: Schema, options?: object) => create({ [Kind]: 'Array', type: 'array', items }, options)) as never,
  Boolean: ((options?: object) => create({ [Kind]: 'Boolean', type: 'boolean' }, options)) as never,
  Integer: ((options?: object) => create({ [Kind]: 'Integer', type: 'integer' }, options)) as never,
  Literal: ((value: string | number | boolean, options?: object) => create({ [Kind]: 'Literal', const: value, type: typeof value }, options)) as never,
  Null: ((options?: object) => create({ [Kind]: 'Null', type: 'null' }, options)) as never,
  Number: ((options?: object) => create({ [Kind]: 'Number', type: 'number' }, options)) as never,
  Object: objectType as never,
  Optional: optionalType as never,
  Record: recordType as never,
  String: ((options?: object) => create({ [Kind]: 'String', type: 'string' }, options)) as never,
  Union: unionType as never,
  Unsafe: ((options: Schema = {}) => create({ [Kind]: options[Kind] ?? 'Unsafe' }, options)) as never,
};
