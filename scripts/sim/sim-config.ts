/**
 * The simulated IBKR side: users, session lifetimes, limits and the control channel. This is
 * the daemon's `gateway.simulator` section (daemon/config/types.ts) plus what only tests need.
 * Nothing here exists on the real gateway, so it lives in its own JSON file, never in conf.yaml
 * (an extra key there would make the gateway refuse to start).
 */
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

export type TwoFactor = 'none' | 'approve' | 'code';

export interface SimUser {
  username: string;
  password: string;
  accounts: string[];
  paper: boolean;
  twoFactor: TwoFactor;
  /** The six digits a `code` user must type; 123456 when not given. */
  code?: string;
}

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

export interface SimConfig {
  users: SimUser[];
  sessionIdleMs: number;
  sessionMaxMs: number;
  dailyReset: { time: string; timeZone: string } | null;
  lockAfterFailures: number;
  penaltyMs: number;
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

/** Mirrors gateway.simulator in config/default.yaml. */
export function defaultSimConfig(): SimConfig {
  return {
    users: [{ username: 'demo', password: 'demo1234', accounts: ['DU1234567'], paper: true, twoFactor: 'none' }],
    sessionIdleMs: 360_000,
    sessionMaxMs: 86_400_000,
    dailyReset: { time: '01:00', timeZone: 'America/New_York' },
    lockAfterFailures: 5,
    penaltyMs: 600_000,
    rateLimits: { globalPerSec: 10, perEndpoint: { ...DEFAULT_ENDPOINT_LIMITS } },
    snapshotPreflight: true,
    control: null,
  };
}

export class SimConfigError extends Error {}

function check(ok: boolean, what: string): void {
  if (!ok) throw new SimConfigError(`invalid sim config: ${what}`);
}

function validUser(u: SimUser): void {
  check(typeof u?.username === 'string' && u.username !== '', 'users[].username must be a non-empty string');
  check(typeof u.password === 'string', `users[${u.username}].password must be a string`);
  check(Array.isArray(u.accounts) && u.accounts.length > 0, `users[${u.username}].accounts must be a non-empty array`);
  check(['none', 'approve', 'code'].includes(u.twoFactor ?? 'none'), `users[${u.username}].twoFactor must be none, approve or code`);
  check(u.code === undefined || /^\d{6}$/.test(u.code), `users[${u.username}].code must be 6 digits`);
}

/**
 * Merges a JSON file over the defaults. Keys the file leaves out keep their defaults; per-endpoint
 * limits merge path by path so a test can loosen one endpoint without restating the table.
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
  check(input !== null && typeof input === 'object' && !Array.isArray(input), 'the file must hold a JSON object');
  for (const key of ['sessionIdleMs', 'sessionMaxMs', 'lockAfterFailures', 'penaltyMs'] as const) {
    if (input[key] === undefined) continue;
    check(Number.isFinite(input[key]) && input[key] >= 0, `${key} must be a number >= 0`);
    config[key] = input[key];
  }
  if (input.users !== undefined) {
    check(Array.isArray(input.users), 'users must be an array');
    config.users = (input.users as SimUser[]).map((u) => ({ ...u, paper: u.paper ?? true, twoFactor: u.twoFactor ?? 'none' }));
    config.users.forEach(validUser);
  }
  if (input.dailyReset !== undefined) {
    const r = input.dailyReset;
    check(r === null || (/^\d{2}:\d{2}$/.test(r?.time) && typeof r.timeZone === 'string'), 'dailyReset must be null or {time: "HH:MM", timeZone}');
    config.dailyReset = r;
  }
  if (input.snapshotPreflight !== undefined) config.snapshotPreflight = Boolean(input.snapshotPreflight);
  if (input.rateLimits !== undefined) {
    const r = input.rateLimits ?? {};
    if (r.globalPerSec !== undefined) {
      check(Number.isFinite(r.globalPerSec) && r.globalPerSec >= 0, 'rateLimits.globalPerSec must be a number >= 0');
      config.rateLimits.globalPerSec = r.globalPerSec;
    }
    for (const [path, limit] of Object.entries((r.perEndpoint ?? {}) as Record<string, EndpointLimit | null>)) {
      // null removes a documented limit (benchmarks that hammer one endpoint).
      if (limit === null) delete config.rateLimits.perEndpoint[path];
      else {
        check(limit.count > 0 && limit.perMs > 0, `rateLimits.perEndpoint[${path}] needs count > 0 and perMs > 0`);
        config.rateLimits.perEndpoint[path] = { count: limit.count, perMs: limit.perMs };
      }
    }
  }
  if (input.control) {
    const c = input.control;
    check(Number.isInteger(c.port ?? 0) && (c.port ?? 0) >= 0, 'control.port must be an integer >= 0');
    config.control = {
      port: c.port ?? 0,
      token: typeof c.token === 'string' ? c.token : '',
      infoFile: typeof c.infoFile === 'string' ? resolve(cwd, c.infoFile) : join(cwd, 'sim-control.json'),
    };
  }
  return config;
}
