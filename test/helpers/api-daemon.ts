/**
 * The whole daemon in this process (daemon/main.ts startDaemon), in a temp dir on ephemeral
 * ports, for API tests that want real services behind app.inject() without a second Node
 * process. The gateway is the real simulator (a child process) when autoStart is on.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { startDaemon, type Daemon } from '../../daemon/main.js';
import { silentLogger } from '../../daemon/logger.js';
import { freePort } from '../../testkit/ports.js';
import { waitFor } from '../../testkit/wait-for.js';

export interface ApiDaemon {
  daemon: Daemon;
  dir: string;
  dataDir: string;
  token: string;
  /** The simulator's control channel (once the gateway runs). */
  control(path: string, body?: unknown): Promise<any>;
  waitGateway(state: string, timeoutMs?: number): Promise<void>;
  waitSession(state: string, timeoutMs?: number): Promise<void>;
  /** Logs the simulated user in through the control channel and waits for the keeper to see it. */
  login(): Promise<void>;
}

type Plain = Record<string, unknown>;
const isPlain = (v: unknown): v is Plain => typeof v === 'object' && v !== null && !Array.isArray(v);
function merge(base: Plain, over: Plain): Plain {
  const out: Plain = { ...base };
  for (const [k, v] of Object.entries(over)) out[k] = isPlain(v) && isPlain(base[k]) ? merge(base[k] as Plain, v) : v;
  return out;
}

/** `config` is merged over a small test config (ephemeral ports, short grace, silent log). */
export async function startApiDaemon(t: { teardown(fn: () => unknown): void }, config: Plain = {}): Promise<ApiDaemon> {
  const dir = mkdtempSync(join(tmpdir(), 'ibgw-api-'));
  const gatewayPort = await freePort();
  const configFile = join(dir, 'ibgw.yaml');
  // A short simulated penalty box: on a loaded machine a request can reach the simulator late
  // enough to look like a breach, and ten minutes of 429s would fail tests that are not about pacing.
  const base = {
    dataDir: 'data', api: { port: 0 }, logging: { level: 'silent' },
    gateway: { port: gatewayPort, stopGraceMs: 1000, simulator: { penaltyMs: 2000 } },
    session: { penaltyBoxMs: 2000 },
  };
  writeFileSync(configFile, stringify(merge(base, config)));
  const daemon = await startDaemon({ configFile, env: { IBGW_ADMIN_TOKEN: 'admin-token-for-tests-0123456789' }, cwd: dir, logger: silentLogger });
  t.teardown(async () => {
    await daemon.shutdown('test ended');
    rmSync(dir, { recursive: true, force: true });
  });
  const dataDir = join(dir, 'data');
  const d: ApiDaemon = {
    daemon, dir, dataDir, token: daemon.adminToken,
    async control(path, body) {
      const info = JSON.parse(readFileSync(join(dataDir, 'gateway', 'sim-control.json'), 'utf8')) as { port: number; token: string };
      const res = await fetch(`http://127.0.0.1:${info.port}${path}`, {
        method: body === undefined ? 'GET' : 'POST',
        headers: { authorization: `Bearer ${info.token}`, 'content-type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      if (!res.ok) throw new Error(`control ${path}: ${res.status}`);
      return res.json();
    },
    async waitGateway(state, timeoutMs = 30_000) {
      await waitFor(() => daemon.supervisor.status().state === state, timeoutMs, `gateway ${state} (now ${daemon.supervisor.status().state})`);
    },
    async waitSession(state, timeoutMs = 30_000) {
      await waitFor(() => daemon.session()?.status().state === state, timeoutMs, `session ${state} (now ${daemon.session()?.status().state})`);
    },
    async login() {
      // A checkNow asked while a tickle is in flight is swallowed by that tickle's reschedule,
      // and a loaded machine may see the gateway restarted (a new process, no session): ask
      // again now and then — not often, each ask is a tickle and IBKR allows one a second.
      let asked = 0;
      await waitFor(async () => {
        const keeper = daemon.session();
        if (keeper?.status().state === 'authenticated') return true;
        if (Date.now() - asked > 3000) {
          asked = Date.now();
          const sim = await d.control('/state').catch(() => null);
          if (sim && sim.session?.state !== 'authenticated') await d.control('/session/login', { username: 'demo' }).catch(() => null);
          keeper?.checkNow();
        }
        return false;
      }, 45_000, 'the keeper to see the login', 100).catch(async (err: Error) => {
        const status = daemon.session()?.status();
        const sim = await d.control('/state').catch(() => null);
        throw new Error(`${err.message}: keeper ${status?.state} (${status?.reason}), gateway ${daemon.supervisor.status().state}, sim ${JSON.stringify(sim?.session)} ${JSON.stringify(sim?.rateLimits)}`);
      });
    },
  };
  return d;
}
