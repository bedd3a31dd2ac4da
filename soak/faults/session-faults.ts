/**
 * Faults of the IBKR session: expiry, a dropped or competing brokerage session, a 429 storm,
 * and IBKR's daily reset inside a window the daemon knows about.
 */
import { waitFor } from '../../testkit/wait-for.js';
import { SOAK_TIMINGS } from '../soak-config.js';
import { control, sleep, type Fault, type SoakContext } from './fault.js';

const SAME_GATEWAY = 'the same gateway process still runs (no restart), the session is authenticated, /readyz answers 200 and a portfolio call succeeds';

export const sessionExpiry: Fault = {
  name: 'session-expiry', weight: 2, joins: true, boundMs: 40_000, recovered: `${SAME_GATEWAY} (after a new login)`,
  async inject(ctx) {
    await control(ctx, '/session/expire');
    return { detail: 'SSO session dropped', expect: { gatewayRestart: false } };
  },
};

export const brokerageDrop: Fault = {
  name: 'brokerage-drop', weight: 2, joins: true, boundMs: 40_000, recovered: `${SAME_GATEWAY} (reauthenticated, no login)`,
  async inject(ctx) {
    await control(ctx, '/session/drop-brokerage');
    return { detail: 'brokerage session dropped, SSO kept', expect: { gatewayRestart: false } };
  },
};

export const competingSession: Fault = {
  name: 'competing-session', weight: 2, joins: true, boundMs: 40_000, recovered: `${SAME_GATEWAY} (taken over: session.competing takeover)`,
  async inject(ctx) {
    await control(ctx, '/session/compete');
    return { detail: 'another platform took the brokerage session', expect: { gatewayRestart: false } };
  },
};

/** Far over IBKR's 10/s from the address everyone shares: the penalty box for all, the daemon included. */
export const rateLimitStorm: Fault = {
  name: 'rate-limit-storm', weight: 1,
  boundMs: SOAK_TIMINGS.simPenaltyMs + SOAK_TIMINGS.sessionPenaltyMs + SOAK_TIMINGS.tickleIntervalMs + 25_000,
  recovered: `${SAME_GATEWAY}, once the gateway's penalty box and the daemon's own penalty wait are over`,
  async inject(ctx, rng) {
    const count = rng.int(30, 60);
    const statuses = await ctx.gateway.flood(count);
    const limited = statuses.filter((s) => s === 429).length;
    if (limited === 0) throw new Error(`${count} calls at once, none answered 429 (${[...new Set(statuses)].join(',')})`);
    return { detail: `${count} calls at once, ${limited} answered 429`, expect: { gatewayRestart: false } };
  },
};

const hhmmUtc = (t: number) => new Date(t).toISOString().slice(11, 16);

async function configApplied(ctx: SoakContext, before: string | null): Promise<void> {
  await waitFor(async () => {
    const s = await ctx.api.status();
    return s && s.daemon.config?.lastGoodAt !== before && s.daemon.config?.error === null;
  }, 15_000, 'the config edit applied', 200);
}

/**
 * IBKR's nightly reset: the daemon's calendar gets a one-minute window starting now (a config
 * edit, applied live), and inside it IBKR drops the session and answers 503. Inside the window
 * the daemon must neither log in nor restart; after it, one check and one login bring it back.
 */
export const dailyReset: Fault = {
  name: 'daily-reset', weight: 1, boundMs: 45_000, longestHoldMs: 81_000,
  recovered: `${SAME_GATEWAY}, after the window ended; no login and no restart inside the window`,
  async inject(ctx) {
    const now = Date.now();
    let start = Math.floor(now / 60_000) * 60_000;
    if (start + 60_000 - now < 20_000) start += 60_000;
    const end = start + 60_000;
    let seen = { at: end, known: new Set<number>() };
    const before = (await ctx.api.status())?.daemon.config?.lastGoodAt ?? null;
    ctx.config.write((c) => { c.session.resets.daily = { start: hhmmUtc(start), durationMin: 1, timeZone: 'UTC' }; });
    try {
      await configApplied(ctx, before);
      await sleep(Math.max(0, start - Date.now()));
      await waitFor(async () => (await ctx.api.get('/api/v1/session')).body?.status?.inMaintenance === true, 15_000, 'the session keeper inside the reset window', 200);
      // From here the daemon knows: any login it starts before the window's end is one too many.
      ctx.logins.check();
      seen = { at: Date.now(), known: new Set(ctx.logins.attempts) };
      await control(ctx, '/session/expire');
      await control(ctx, '/fault/maintenance', { on: true, status: 503 });
    } catch (err) {
      ctx.config.restore();
      throw err;
    }
    return {
      detail: `window ${hhmmUtc(start)}–${hhmmUtc(end)} UTC: session dropped, API answers 503`,
      holdMs: Math.max(0, end - Date.now()) + 1_000,
      heal: async () => {
        await control(ctx, '/fault/maintenance', { on: false });
        ctx.logins.check();
        const inside = [...ctx.logins.attempts].filter((t) => !seen.known.has(t) && t >= seen.at && t < end);
        ctx.config.restore();
        if (inside.length > 0) {
          return `${inside.length} automated login(s) inside the reset window ${new Date(start).toISOString()}–${new Date(end).toISOString()}, at ${inside.map((t) => `${new Date(t).toISOString()} (${end - t} ms before its end)`).join(', ')}`;
        }
      },
      expect: { gatewayRestart: false },
    };
  },
};
