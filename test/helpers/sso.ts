/**
 * The simulated login page's JSON endpoints, called the way its script calls them (POST JSON
 * to /sso/api/…), for tests that check the protocol rather than the page.
 */
import type { Sim } from './sim.js';

export interface SsoAnswer {
  status: number;
  body: any;
}

export async function sso(sim: Sim, step: 'login' | 'code' | 'poll', fields: Record<string, string>): Promise<SsoAnswer> {
  const res = await sim.request('POST', `/sso/api/${step}`, { headers: { 'content-type': 'application/json' }, body: JSON.stringify(fields) });
  return { status: res.status, body: res.json() };
}

/** Follows an `authenticated` answer to /sso/Dispatcher, where the gateway's session begins. */
export async function dispatch(sim: Sim, answer: SsoAnswer): Promise<{ status: number; body: string; type: string }> {
  const res = await sim.request('GET', answer.body.next);
  return { status: res.status, body: res.body, type: String(res.headers['content-type'] ?? '') };
}
