/**
 * The simulator's sim-config file: the daemon's `gateway.simulator` settings (their schema and
 * defaults live in simulator-settings.ts) plus knobs only tests need (rate limits, the snapshot
 * preflight, the control channel). Nothing here exists on the real gateway, so it lives in its
 * own JSON file, never in conf.yaml (an extra key there would make the gateway refuse to start).
 */
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { FormatRegistry, Type, type TSchema } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import { SimulatorSettingsSchema, SimUserSchema, simulatorSettingsProblem, type SimulatorSettings } from './simulator-settings.js';

export type { SimUser, TwoFactor, SimulatorSettings } from './simulator-settings.js';

export interface EndpointLimit {
  count: number;
  perMs: number;
}

export interface RateLimitConfig {
  /** Requests per second per client address through the gateway; 0 switches the limit off. */
  globalPerSec: number;
  /** Keyed by API path without the /v1/api base; a trailing `/*` covers a whole family. */
  perEndpoint: Record<string, EndpointLimit>;
}

export interface ControlConfig {
  port: number;
  token: string;
  infoFile: string;
}

export interface SimConfig extends SimulatorSettings {
  rateLimits: RateLimitConfig;
  /** The real snapshot answers a conid's first request without field values (a "preflight"). */
  snapshotPreflight: boolean;
  control: ControlConfig | null;
}

/** IBKR's documented pacing (Web API docs, 2024), keyed like the routes. */
export const DEFAULT_ENDPOINT_LIMITS: Record<string, EndpointLimit> = {
  '/tickle': { count: 1, perMs: 1000 },
  '/sso/validate': { count: 1, perMs: 60_000 },
  '/portfolio/accounts': { count: 1, perMs: 5000 },
  '/portfolio/subaccounts': { count: 1, perMs: 5000 },
  '/iserver/account/orders': { count: 1, perMs: 5000 },
  '/iserver/account/trades': { count: 1, perMs: 5000 },
  '/iserver/account/pnl/partitioned': { count: 1, perMs: 5000 },
  '/iserver/marketdata/snapshot': { count: 10, perMs: 1000 },
  '/iserver/scanner/run': { count: 1, perMs: 1000 },
  '/iserver/scanner/params': { count: 1, perMs: 900_000 },
  '/pa/*': { count: 1, perMs: 900_000 },
  '/fyi/*': { count: 1, perMs: 1000 },
};

if (!FormatRegistry.Has('time-zone')) {
  FormatRegistry.Set('time-zone', (value) => {
    try {
      new Intl.DateTimeFormat('en-US', { timeZone: value });
      return true;
    } catch {
      return false;
    }
  });
}

const optional = (schema: TSchema) => Type.Optional(schema);

/** What the file may hold: every key optional (missing ones keep their defaults), nothing else. */
const SimConfigFileSchema = Type.Object(
  {
    ...Object.fromEntries(Object.entries(SimulatorSettingsSchema.properties).map(([key, schema]) => [key, optional(schema)])),
    rateLimits: optional(Type.Object({
      globalPerSec: optional(Type.Number({ minimum: 0 })),
      // null removes a documented limit (benchmarks that hammer one endpoint).
      perEndpoint: optional(Type.Record(Type.String(), Type.Union([
        Type.Null(),
        Type.Object({ count: Type.Integer({ minimum: 1 }), perMs: Type.Integer({ minimum: 1 }) }, { additionalProperties: false }),
      ]))),
    }, { additionalProperties: false })),
    snapshotPreflight: optional(Type.Boolean()),
    control: optional(Type.Union([Type.Null(), Type.Object({
      port: optional(Type.Integer({ minimum: 0, maximum: 65535 })),
      token: optional(Type.String()),
      infoFile: optional(Type.String({ minLength: 1 })),
    }, { additionalProperties: false })])),
  },
  { additionalProperties: false },
);

/** The settings' defaults, read from the schema (the one place they are written). */
export function defaultSimConfig(): SimConfig {
  return {
    ...(Value.Create(SimulatorSettingsSchema) as SimulatorSettings),
    rateLimits: { globalPerSec: 10, perEndpoint: { ...DEFAULT_ENDPOINT_LIMITS } },
    snapshotPreflight: true,
    control: null,
  };
}

export class SimConfigError extends Error {}

/** `/users/0/accounts` → `users.0.accounts`, with a message a person can act on. */
function firstProblem(schema: TSchema, value: unknown): string | null {
  const first = Value.Errors(schema, value).First();
  if (!first) return null;
  const key = first.path.split('/').slice(1).join('.') || '(root)';
  const allowed = (first.schema as { enum?: string[] }).enum;
  const message = allowed ? `must be one of ${allowed.map((v) => JSON.stringify(v)).join(', ')}` : first.message;
  return `${key}: ${message}`;
}

function fail(what: string): never {
  throw new SimConfigError(`invalid sim config: ${what}`);
}

/**
 * Merges a JSON file over the defaults. Keys the file leaves out keep their defaults; a user's
 * `paper` and `twoFactor` default to true and none; per-endpoint limits merge path by path so
 * a test can loosen one endpoint without restating the table.
 */
export function loadSimConfig(file: string | null, cwd: string = process.cwd()): SimConfig {
  const config = defaultSimConfig();
  if (!file) return config;
  let input: Record<string, any>;
  try {
    input = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new SimConfigError(`cannot read sim config ${file}: ${(err as Error).message}`);
  }
  if (input === null || typeof input !== 'object' || Array.isArray(input)) fail('the file must hold a JSON object');
  if (Array.isArray(input.users)) input.users = input.users.map((u: unknown) => (u && typeof u === 'object' ? Value.Default(SimUserSchema, { ...u }) : u));
  const problem = firstProblem(SimConfigFileSchema, input);
  if (problem) fail(problem);

  for (const key of Object.keys(SimulatorSettingsSchema.properties) as Array<keyof SimulatorSettings>) {
    if (input[key] !== undefined) (config as unknown as Record<string, unknown>)[key] = input[key];
  }
  const semantic = simulatorSettingsProblem(config);
  if (semantic) fail(`${semantic.key}: ${semantic.message}`);
  if (input.snapshotPreflight !== undefined) config.snapshotPreflight = input.snapshotPreflight;
  const limits = input.rateLimits ?? {};
  if (limits.globalPerSec !== undefined) config.rateLimits.globalPerSec = limits.globalPerSec;
  for (const [path, limit] of Object.entries((limits.perEndpoint ?? {}) as Record<string, EndpointLimit | null>)) {
    if (limit === null) delete config.rateLimits.perEndpoint[path];
    else config.rateLimits.perEndpoint[path] = { count: limit.count, perMs: limit.perMs };
  }
  if (input.control) {
    const c = input.control;
    config.control = {
      port: c.port ?? 0,
      token: c.token ?? '',
      infoFile: c.infoFile ? resolve(cwd, c.infoFile) : join(cwd, 'sim-control.json'),
    };
  }
  return config;
}
