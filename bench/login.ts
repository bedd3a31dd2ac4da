/**
 * The unattended login on the simulator with default settings (shipped conf: authDelay 3000 ms
 * as the real gateway; the default users `demo` and `demo-totp`; the default `login` config):
 * no SSO session → authenticated, median of 5 per user, Chromium's start included. And this
 * process's RSS — it hosts the driver as the daemon would — before and after the logins: the
 * browser driver runs in a worker process, so nothing should stay.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { Value } from '@sinclair/typebox/value';
import { LoginConfigSchema, type LoginConfig } from '../daemon/config/login-schema.js';
import { LoginDriver, type LoginCredentials } from '../daemon/login/driver.js';
import { DEMO_TOTP_SECRET } from '../scripts/sim/simulator-settings.js';
import { startSimulator } from './session.js';

/**
 * IBeam's documented fixed waits in one login: IBEAM_MIN_PRESUBMIT_BUFFER (5 s before it
 * presses submit) and its 2 s sleep after `Client login succeeds`; its browser start and page
 * loads (bounded by IBEAM_PAGE_LOAD_TIMEOUT and IBEAM_OAUTH_TIMEOUT, 15 s each) come on top.
 */
export const IBEAM_FIXED_LOGIN_WAITS_MS = 5000 + 2000;
const ROUNDS = 5;

export type LoginBench = {
  noSecondFactorMedianMs: number;
  totpMedianMs: number;
  rssBeforeMb: number;
  rssAfterMb: number;
  ibeamFixedWaitsMs: number;
};

function collectGarbage(): void {
  setFlagsFromString('--expose-gc');
  (runInNewContext('gc') as () => void)();
}

async function settledRssMb(): Promise<number> {
  for (let i = 0; i < 3; i++) {
    collectGarbage();
    await new Promise((r) => setTimeout(r, 200));
  }
  return process.memoryUsage().rss / 1048576;
}

const median = (values: number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

export async function benchLogin(): Promise<LoginBench> {
  const sim = await startSimulator();
  const dataDir = mkdtempSync(join(tmpdir(), 'ibgw-bench-login-'));
  const config = Value.Create(LoginConfigSchema) as LoginConfig;
  const driverFor = (credentials: LoginCredentials) => new LoginDriver({ config, dataDir, ca: async () => sim.ca, credentials: async () => credentials });
  const context = () => ({ baseUrl: sim.baseUrl, loginUrl: `${sim.baseUrl}/`, attempt: 1, reason: 'bench', signal: new AbortController().signal });
  const users: Record<string, LoginCredentials> = {
    none: { username: 'demo', password: 'demo1234', mode: 'paper' },
    totp: { username: 'demo-totp', password: 'demo1234', mode: 'live', totpSecret: DEMO_TOTP_SECRET },
  };
  try {
    // One round first, so modules loaded at the first login count in "before".
    await sim.control('/session/expire', {});
    await driverFor(users.none!).attempt(context());
    const rssBeforeMb = await settledRssMb();
    const times: Record<string, number[]> = { none: [], totp: [] };
    for (const [kind, credentials] of Object.entries(users)) {
      const driver = driverFor(credentials);
      for (let i = 0; i < ROUNDS; i++) {
        await sim.control('/session/expire', {});
        const started = performance.now();
        const attempt = await driver.attempt(context());
        if (attempt.result !== 'ok' || !attempt.authenticated) throw new Error(`bench: login ${kind} failed: ${attempt.detail}`);
        times[kind]!.push(performance.now() - started);
      }
    }
    const rssAfterMb = await settledRssMb();
    return { noSecondFactorMedianMs: median(times.none!), totpMedianMs: median(times.totp!), rssBeforeMb, rssAfterMb, ibeamFixedWaitsMs: IBEAM_FIXED_LOGIN_WAITS_MS };
  } finally {
    await sim.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}
