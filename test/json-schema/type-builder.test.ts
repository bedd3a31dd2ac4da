/**
 * The project's schema builder (daemon/json-schema/type-builder.ts) against TypeBox's own, call for
 * call: the same JSON Schema, the same TypeBox symbols (Kind, Optional), so ajv, Fastify and
 * TypeBox's Value read a schema the same whichever built it.
 */
import { Type as TypeBox, TypeRegistry } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import t, { type Test } from 'tap';
import { configSchema } from '../../daemon/config/schema.js';
import { Kind, OptionalKind, Type } from '../../daemon/json-schema/type-builder.js';
import { SimulatorSettingsSchema } from '../../scripts/sim/simulator-settings.js';

/** Symbol keys become visible (t.same compares string keys only). */
function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonical);
  if (typeof value !== 'object' || value === null) return value;
  const out: Record<string, unknown> = {};
  for (const key of Reflect.ownKeys(value)) {
    const name = typeof key === 'symbol' ? `@@${key.description}` : key;
    out[name] = canonical((value as Record<string | symbol, unknown>)[key]);
  }
  return out;
}

const same = (t: Test, ours: unknown, theirs: unknown, what: string) => t.same(canonical(ours), canonical(theirs), what);

t.test('each builder makes what TypeBox makes', async (t) => {
  same(t, Type.String(), TypeBox.String(), 'String()');
  same(t, Type.String({ minLength: 1, pattern: '^a' }), TypeBox.String({ minLength: 1, pattern: '^a' }), 'String(options)');
  same(t, Type.Integer({ minimum: 0, description: 'd' }), TypeBox.Integer({ minimum: 0, description: 'd' }), 'Integer');
  same(t, Type.Number({ exclusiveMinimum: 0 }), TypeBox.Number({ exclusiveMinimum: 0 }), 'Number');
  same(t, Type.Boolean({ default: true }), TypeBox.Boolean({ default: true }), 'Boolean');
  same(t, Type.Null(), TypeBox.Null(), 'Null');
  same(t, Type.Literal('auto'), TypeBox.Literal('auto'), 'Literal(string)');
  same(t, Type.Literal(3), TypeBox.Literal(3), 'Literal(number)');
  same(t, Type.Array(Type.String(), { minItems: 1 }), TypeBox.Array(TypeBox.String(), { minItems: 1 }), 'Array');
  same(t, Type.Union([Type.Null(), Type.String()]), TypeBox.Union([TypeBox.Null(), TypeBox.String()]), 'Union of two');
  same(t, Type.Union([Type.String()], { description: 'one' }), TypeBox.Union([TypeBox.String()], { description: 'one' }), 'Union of one is that one');
  same(t, Type.Union([]), TypeBox.Union([]), 'Union of none is Never');
  same(t, Type.Unsafe<'a' | 'b'>({ type: 'string', enum: ['a', 'b'] }), TypeBox.Unsafe<'a' | 'b'>({ type: 'string', enum: ['a', 'b'] }), 'Unsafe');
  same(t, Type.Unsafe({ [Kind]: 'StringEnum', type: 'string', enum: ['x'] }), TypeBox.Unsafe({ [Kind]: 'StringEnum', type: 'string', enum: ['x'] }), 'Unsafe keeps a given kind');
  same(t, Type.Record(Type.String(), Type.Integer()), TypeBox.Record(TypeBox.String(), TypeBox.Integer()), 'Record(String(), …)');
  same(t, Type.Record(Type.String({ pattern: '^[a-z]+$' }), Type.Boolean(), { description: 'r' }), TypeBox.Record(TypeBox.String({ pattern: '^[a-z]+$' }), TypeBox.Boolean(), { description: 'r' }), 'Record with a key pattern');
  same(t, Type.Optional(Type.String()), TypeBox.Optional(TypeBox.String()), 'Optional');
  same(t, Type.Optional(Type.Optional(Type.String()), false), TypeBox.Optional(TypeBox.Optional(TypeBox.String()), false), 'Optional(…, false) takes it off');
  const props = () => ({ a: Type.String(), b: Type.Optional(Type.Integer()) });
  const theirProps = () => ({ a: TypeBox.String(), b: TypeBox.Optional(TypeBox.Integer()) });
  same(t, Type.Object(props(), { additionalProperties: false }), TypeBox.Object(theirProps(), { additionalProperties: false }), 'Object: required from what is not optional');
  same(t, Type.Object({ b: Type.Optional(Type.Null()) }), TypeBox.Object({ b: TypeBox.Optional(TypeBox.Null()) }), 'Object with nothing required has no required list');
  t.equal(Kind, Symbol.for('TypeBox.Kind'));
  t.equal(OptionalKind, Symbol.for('TypeBox.Optional'));
  t.throws(() => Type.Record(Type.Integer() as never, Type.String()), /Record keys must be Type.String\(\)/, 'a key kind the builder does not make is refused, not guessed');
});

t.test('TypeBox\'s checker reads the project\'s schemas as its own', async (t) => {
  if (!TypeRegistry.Has('StringEnum')) await import('../../scripts/sim/sim-config.js');
  const settings = Value.Default(SimulatorSettingsSchema, {}) as Record<string, unknown>;
  t.ok(Value.Check(SimulatorSettingsSchema, settings), 'the simulator settings with their defaults');
  t.notOk(Value.Check(SimulatorSettingsSchema, { ...settings, lockAfterFailures: 'x' }), 'a wrong type is found');
  t.equal((configSchema as unknown as Record<symbol, unknown>)[Kind], 'Object', 'the daemon config schema is a TypeBox Object');
});
