/**
 * The login driver against a simulated gateway, for test/login/*: users with each second
 * factor and a distinctive password, a driver per test in its own data dir with events and
 * logs captured, and the after-check every attempt must pass — nothing of it alive in /proc,
 * no profile kept, no secret in any output.
 */
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import type { Test } from 'tap';
import { Value } from '@sinclair/typebox/value';
import { LoginConfigSchema, type LoginConfig } from '../../daemon/config/login-schema.js';
import { LoginDriver, type LoginAttempt, type LoginCredentials } from '../../daemon/login/driver.js';
import type { ServiceEvent } from '../../daemon/events.js';
import { createLogger } from '../../daemon/logger.js';
import type { LoginContext } from '../../daemon/session/recovery.js';
import { isAlive, processesUnder, stat } from './process-table.js';
import { startTestSim } from './session-harness.js';
import type { Sim } from './sim.js';

export const PASSWORD = 'pw-Secret-7731';
export const TOTP_SECRET = 'KRUGKIDROVUWG2ZAMJZG653OEBTG66BA';
export const LOGIN_USERS = [
  { username: 'demo', password: PASSWORD, accounts: ['DU1234567'], paper: true, twoFactor: 'none' },
  { username: 'push', password: PASSWORD, accounts: ['U7654321'], paper: false, twoFactor: 'push' },
  { username: 'totp', password: PASSWORD, accounts: ['U1111111'], paper: false, twoFactor: 'totp', totpSecret: TOTP_SECRET },
];

/** One simulator for a test file: pacing off, the page's push window long (the driver's is tested). */
export function startLoginSim(t: { teardown(fn: () => unknown): void }): Promise<Sim> {
  return startTestSim(t, { simConfig: { users: LOGIN_USERS, secondFactorTimeoutMs: 60_000 }, conf: { authDelay: 200 } });
}

export interface Run {
  driver: LoginDriver;
  dataDir: string;
  events: ServiceEvent[];
  logs: () => string;
}

export function makeDriver(t: { teardown(fn: () => unknown): void }, sim: Sim, credentials: LoginCredentials | null, over: Partial<LoginConfig> = {}, ca?: () => Promise<string | null>): Run {
  const dataDir = mkdtempSync(join(tmpdir(), 'ibgw-login-'));
  let logs = '';
  const sink = new Writable({ write(chunk, _enc, done) { logs += chunk.toString(); done(); } });
  const events: ServiceEvent[] = [];
  const config = { ...(Value.Create(LoginConfigSchema) as LoginConfig), ...over };
  config.timeouts = { ...config.timeouts, pageLoadMs: 15_000, stepMs: 15_000, authenticatedMs: 10_000, closeMs: 3000, ...over.timeouts };
  const driver = new LoginDriver({
    config, dataDir, ca: ca ?? (async () => sim.ca), credentials: async () => credentials,
    onEvent: (e) => events.push(e), logger: createLogger('debug', sink),
  });
  t.teardown(async () => {
    await driver.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });
  return { driver, dataDir, events, logs: () => logs };
}

export function loginContext(sim: Sim, signal: AbortSignal = new AbortController().signal): LoginContext {
  return { baseUrl: sim.baseUrl, loginUrl: `${sim.baseUrl}/`, attempt: 1, reason: 'test', signal };
}

export const creds = (username: string, over: Partial<LoginCredentials> = {}): LoginCredentials => ({
  username, password: PASSWORD, mode: username === 'demo' ? 'paper' : 'live', ...over,
});

export async function resetSim(sim: Sim): Promise<void> {
  await sim.control('/session/expire', {});
  await sim.control('/users/unlock', {});
}

/** Nothing of the attempt is alive, no profile folder is kept, and no output carries a secret. */
export async function checkAfter(t: Test, run: Run, attempt: LoginAttempt): Promise<void> {
  if (attempt.browserPid !== null) t.notOk(isAlive(attempt.browserPid), `browser ${attempt.browserPid} is gone`);
  t.same(processesUnder(run.dataDir), [], 'no process of the attempt is left in /proc');
  const outputs = JSON.stringify(run.events) + run.logs() + attempt.detail + (attempt.error?.message ?? '') + JSON.stringify(attempt);
  t.notOk(outputs.includes(PASSWORD), 'no password in events, logs or the result');
  t.notOk(outputs.includes(TOTP_SECRET), 'no TOTP secret either');
  const kept = existsSync(join(run.dataDir, 'login')) ? readdirSync(join(run.dataDir, 'login')) : [];
  t.same(kept.filter((n) => !n.endsWith('.png')), [], 'no profile folder is kept');
}

/** The attempt's Chromium while it runs: the group leader and the members of its group. */
export function browserGroup(dataDir: string): { leader: number; members: number[] } | null {
  const procs = processesUnder(dataDir).map((p) => ({ ...p, stat: stat(p.pid) })).filter((p) => p.stat && /chromium/.test(p.cmd));
  const leader = procs.find((p) => p.stat!.pgid === p.pid);
  if (!leader) return null;
  return { leader: leader.pid, members: procs.filter((p) => p.stat!.pgid === leader.pid).map((p) => p.pid) };
}
