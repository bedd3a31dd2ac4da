/**
 * Fastify compiles a validator (ajv) and a serializer (fast-json-stringify) for every route
 * schema when the app starts. Each compiled function is generated code that stays in memory;
 * across the API's routes that is several megabytes of a daemon that must idle small, while
 * most routes (maintenance, versions, TLS import …) are called rarely or never. These wrappers
 * hand Fastify the same compilers' output, deferred: a route's functions are built on its first
 * request and kept from then on. Validation and output are unchanged.
 */
import { SerializerSelector } from '@fastify/fast-json-stringify-compiler';

type RouteSchema = { schema: unknown; method: string; url: string; httpPart?: string };

/** A validator that builds the real one on its first call (for `setValidatorCompiler`). */
export function lazyValidator<V extends ((data: unknown) => boolean) & { errors?: unknown }>(build: () => V): V {
  let compiled: V | null = null;
  const validate = ((data: unknown) => {
    compiled ??= build();
    const result = compiled(data);
    // Fastify reads an ajv validator's errors from the function itself.
    validate.errors = compiled.errors;
    return result;
  }) as V;
  validate.errors = null;
  return validate;
}

function lazySerializerFactory(...args: unknown[]): (route: RouteSchema) => (data: unknown) => string {
  const build = (SerializerSelector() as (...a: unknown[]) => (route: RouteSchema) => (data: unknown) => string)(...args);
  return (route) => {
    let compiled: ((data: unknown) => string) | null = null;
    return (data) => (compiled ??= build(route))(data);
  };
}

/** Serializers through the schema controller; validators come from app.ts's own compiler, wrapped in lazyValidator. */
export const lazyCompilers = { buildSerializer: lazySerializerFactory };
