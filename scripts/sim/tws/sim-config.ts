/**
 * The simulated IBKR side of the TWS simulator: who may log in, how long a login takes, and
 * the control channel. Nothing here exists on a real IB Gateway, so it lives in its own JSON
 * file (`--sim-config` or env IBGW_SIM_TWS_CONFIG), never in config.ini or jts.ini.
 */
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { MAX_SERVER_VERSION, MIN_CLIENT_VERSION } from './messages.js';

export interface TwsSimUser {
  username: string;
  password: string;
  accounts: string[];
  paper: boolean;
  /** none: logs in at once; approve (or code): waits for an approval on the control channel. */
  twoFactor: 'none' | 'approve' | 'code';
}

export interface TwsSimConfig {
  users: TwsSimUser[];
  /** From process start to the login dialog being filled in (the real JVM + GUI take 10–30 s). */
  loginDelayMs: number;
  /** From "Log In" to the API listening when no second factor is needed. */
  authDelayMs: number;
  /** Overrides config.ini's SecondFactorAuthenticationTimeout (seconds) when set. */
  secondFactorTimeoutMs: number | null;
  /** Another session of the same user is logged in elsewhere at start. */
  existingSession: boolean;
  /** The highest server version this gateway offers (IB Gateway 10.19 speaks 176). */
  serverVersion: number;
  /** Zone of the connection time in the handshake answer. */
  timeZone: string;
  /** How long IBC takes to click "No" on the accept-connection dialog (reject). */
  rejectDelayMs: number;
  /** Positions per account in reqPositions answers. */
  positionsPerAccount: number;
  control: { port: number; token: string; infoFile: string } | null;
}

export function defaultTwsSimConfig(): TwsSimConfig {
  return {
    users: [{ username: 'demo', password: 'demo1234', accounts: ['DU1234567'], paper: true, twoFactor: 'none' }],
    loginDelayMs: 200,
    authDelayMs: 100,
    secondFactorTimeoutMs: null,
    existingSession: false,
    serverVersion: 176,
    timeZone: 'America/New_York',
    rejectDelayMs: 50,
    positionsPerAccount: 10,
    control: null,
  };
}

export class TwsSimConfigError extends Error {}

function check(ok: boolean, what: string): void {
  if (!ok) throw new TwsSimConfigError(`invalid sim config: ${what}`);
}

export function loadTwsSimConfig(file: string | null, cwd: string = process.cwd()): TwsSimConfig {
  const config = defaultTwsSimConfig();
  if (!file) return config;
  let input: Record<string, any>;
  try {
    input = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new TwsSimConfigError(`cannot read sim config ${file}: ${(err as Error).message}`);
  }
  check(input !== null && typeof input === 'object' && !Array.isArray(input), 'the file must hold a JSON object');
  if (input.users !== undefined) {
    check(Array.isArray(input.users) && input.users.length > 0, 'users must be a non-empty array');
    config.users = (input.users as TwsSimUser[]).map((u) => {
      check(typeof u?.username === 'string' && u.username !== '' && typeof u.password === 'string', 'users[] need username and password');
      check(Array.isArray(u.accounts) && u.accounts.length > 0, `users[${u.username}].accounts must be a non-empty array`);
      return { username: u.username, password: u.password, accounts: u.accounts.map(String), paper: u.paper ?? true, twoFactor: u.twoFactor ?? 'none' };
    });
  }
  for (const key of ['loginDelayMs', 'authDelayMs', 'rejectDelayMs', 'positionsPerAccount'] as const) {
    if (input[key] === undefined) continue;
    check(Number.isFinite(input[key]) && input[key] >= 0, `${key} must be a number >= 0`);
    config[key] = input[key];
  }
  if (input.secondFactorTimeoutMs !== undefined && input.secondFactorTimeoutMs !== null) {
    check(Number.isFinite(input.secondFactorTimeoutMs) && input.secondFactorTimeoutMs > 0, 'secondFactorTimeoutMs must be > 0');
    config.secondFactorTimeoutMs = input.secondFactorTimeoutMs;
  }
  if (input.existingSession !== undefined) config.existingSession = Boolean(input.existingSession);
  if (input.serverVersion !== undefined) {
    check(Number.isInteger(input.serverVersion) && input.serverVersion >= MIN_CLIENT_VERSION && input.serverVersion <= MAX_SERVER_VERSION,
      `serverVersion must be ${MIN_CLIENT_VERSION}..${MAX_SERVER_VERSION}`);
    config.serverVersion = input.serverVersion;
  }
  if (input.timeZone !== undefined) config.timeZone = String(input.timeZone);
  if (input.control) {
    const c = input.control;
    check(Number.isInteger(c.port ?? 0) && (c.port ?? 0) >= 0, 'control.port must be an integer >= 0');
    config.control = {
      port: c.port ?? 0,
      token: typeof c.token === 'string' ? c.token : '',
      infoFile: typeof c.infoFile === 'string' ? resolve(cwd, c.infoFile) : join(cwd, 'sim-tws-control.json'),
    };
  }
  return config;
}
