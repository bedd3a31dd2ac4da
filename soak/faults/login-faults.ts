/**
 * A wrong password in the vault: the daemon's unattended login is rejected once, automated
 * logins stop (session login-blocked) and are never retried until the right credentials are
 * stored, which clears the block (the vault's credentials-changed) — then one login succeeds.
 */
import { waitFor } from '../../testkit/wait-for.js';
import type { Fault, SoakContext } from './fault.js';

async function storeCredentials(ctx: SoakContext, password: string): Promise<void> {
  const r = await ctx.api.request('PUT', '/api/v1/credentials', { admin: true, body: { username: ctx.identity.username, password, mode: 'paper' } });
  if (r.status !== 200) throw new Error(`PUT /api/v1/credentials answered ${r.status || r.error} ${r.code ?? ''}`);
}

export const rejectedPassword: Fault = {
  name: 'rejected-password', weight: 1, boundMs: 60_000, needs: 'loginDriver',
  recovered: 'after the right credentials are stored the block is cleared, one login succeeds, /readyz answers 200 and a portfolio call succeeds; no login attempt while the block stood',
  async inject(ctx, rng) {
    await storeCredentials(ctx, `wrong-${rng.int(100_000, 999_999)}-password`);
    try {
      const r = await ctx.gateway.control('POST', '/session/expire');
      if (r.status !== 200) throw new Error(`simulator control /session/expire: ${r.status || r.error}`);
      await waitFor(async () => (await ctx.api.get('/api/v1/session')).body?.status?.state === 'login-blocked', 90_000, 'the session blocked after the rejected login', 250);
    } catch (err) {
      await storeCredentials(ctx, ctx.identity.password);
      throw err;
    }
    const holdMs = ctx.pace.holdMs(rng);
    return {
      detail: `wrong password stored, login rejected and blocked; the right one back after ${holdMs} ms`, holdMs,
      heal: async () => {
        ctx.logins.check();
        ctx.logins.clearedAt(Date.now());
        await storeCredentials(ctx, ctx.identity.password);
      },
    };
  },
};
