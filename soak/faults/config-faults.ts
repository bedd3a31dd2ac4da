/**
 * Faults an operator causes: config edits (a valid one, then an invalid one the daemon must
 * refuse while it keeps running), a certificate renewal and an allow-list change (each a
 * planned gateway restart).
 */
import { readFileSync } from 'node:fs';
import { waitFor } from '../../testkit/wait-for.js';
import type { Prng } from '../prng.js';
import type { Fault, SoakContext } from './fault.js';

const RESTARTED = 'the gateway runs again under a new pid, the session is authenticated, /readyz answers 200 and a portfolio call succeeds';

/** Edits applied live or by rebuilding a service: none restarts the gateway. */
const VALID_EDITS: Array<{ what: string; edit: (c: Record<string, any>) => void }> = [
  { what: 'session.maxRecoveryAttempts: 4 (session keeper rebuilt)', edit: (c) => { c.session.maxRecoveryAttempts = 4; } },
  { what: 'gateway.restart.stableAfterMs: 25000 (live)', edit: (c) => { c.gateway.restart.stableAfterMs = 25_000; } },
  { what: 'notifications.dedupeMinutes: 10 (live)', edit: (c) => { c.notifications.dedupeMinutes = 10; } },
  { what: 'api.authMaxFailures: 6 (pending a daemon restart)', edit: (c) => { c.api.authMaxFailures = 6; } },
];

const INVALID_EDITS: Array<{ what: string; text: (valid: string) => string }> = [
  { what: 'an unknown key gateway.prot', text: (v) => v.replace(/^gateway:\n/m, 'gateway:\n  prot: 5000\n') },
  { what: 'a wrong type session.tickleIntervalMs: soon', text: (v) => v.replace(/tickleIntervalMs: \d+/, 'tickleIntervalMs: soon') },
  { what: 'YAML that does not parse', text: (v) => `${v}\nsession: [unclosed\n` },
  { what: 'an out-of-range gateway.port', text: (v) => v.replace(/^( {2}port: )\d+/m, '$170000') },
];

async function configStatus(ctx: SoakContext): Promise<{ lastGoodAt: string; error: { code: string } | null } | null> {
  return (await ctx.api.status())?.daemon.config ?? null;
}

async function validThenInvalid(ctx: SoakContext, rng: Prng): Promise<string> {
  const valid = rng.pick(VALID_EDITS);
  const invalid = rng.pick(INVALID_EDITS);
  const before = (await configStatus(ctx))?.lastGoodAt;
  ctx.config.write(valid.edit);
  await waitFor(async () => (await configStatus(ctx))?.lastGoodAt !== before, 15_000, `the valid edit (${valid.what}) applied`, 200);
  ctx.config.writeRaw(invalid.text(readFileSync(ctx.config.path, 'utf8')));
  const refused = await waitFor(async () => (await configStatus(ctx))?.error ?? null, 15_000, `the invalid edit (${invalid.what}) refused`, 200);
  return `${valid.what}, then ${invalid.what} (refused: ${refused.code})`;
}

export const configEdit: Fault = {
  name: 'config-edit', weight: 2, boundMs: 30_000,
  recovered: 'the invalid edit was refused and shown in status while the daemon kept the last good config; after the good file is back the error is cleared, the same gateway still runs and /readyz answers 200 with a working portfolio call',
  async inject(ctx, rng) {
    let detail: string;
    try {
      detail = await validThenInvalid(ctx, rng);
    } finally {
      // Never leave a bad file behind: the next daemon start (a kill -9 step) would exit 78.
      ctx.config.restore();
    }
    return {
      detail,
      expect: {
        gatewayRestart: false,
        extra: async () => ((await configStatus(ctx))?.error ? 'the config error is still shown after the good file came back' : null),
      },
    };
  },
};

export const certificateRenewal: Fault = {
  name: 'certificate-renewal', weight: 1, joins: true, boundMs: 45_000, recovered: `${RESTARTED}, verified with the daemon's CA`,
  async inject(ctx) {
    const r = await ctx.api.post('/api/v1/tls/renew', { reason: 'soak: certificate renewal' });
    if (r.status !== 200) throw new Error(`POST /api/v1/tls/renew answered ${r.status || r.error} ${r.code ?? ''}`);
    return { detail: 'POST /api/v1/tls/renew', expect: { gatewayRestart: true } };
  },
};

const SOAK_LABEL = 'soak';

/** Adds an entry when the soak has none in the list, else removes it: each step one change. */
export const allowListChange: Fault = {
  name: 'allow-list-change', weight: 1, boundMs: 45_000, recovered: RESTARTED,
  async inject(ctx, rng) {
    const list = await ctx.api.get('/api/v1/access', { admin: true });
    if (list.status !== 200) throw new Error(`GET /api/v1/access answered ${list.status || list.error}`);
    const entries = (list.body.allow ?? []) as Array<{ pattern: string; label: string | null }>;
    const ours = entries.find((e) => e.label === SOAK_LABEL);
    const entry = ours ? ours.pattern : `10.${rng.int(0, 255)}.${rng.int(0, 255)}.*`;
    const path = ours ? '/api/v1/access/allow/remove' : '/api/v1/access/allow';
    const r = await ctx.api.post(path, ours ? { entry } : { entry, label: SOAK_LABEL });
    if (r.status !== 200) throw new Error(`POST ${path} answered ${r.status || r.error} ${r.code ?? ''} ${r.body?.message ?? ''}`);
    return { detail: `${ours ? 'removed' : 'added'} allow ${entry}`, expect: { gatewayRestart: true } };
  },
};
