/**
 * `Client login succeeds` is the page's word; the gateway's is /iserver/auth/status. The
 * brokerage session comes up a few seconds after the page (authDelay, ~3 s on the real
 * gateway), so the answer is polled until authenticated or the deadline.
 */
import { GatewayClient } from '../session/gateway-client.js';
import { parseAuthStatus } from '../session/session-state.js';

export type Confirmation =
  /** auth/status said authenticated: true. */
  | 'authenticated'
  /** An SSO session exists (200) but the brokerage session did not come up in time: the keeper's reauthenticate is next. */
  | 'sso-only'
  /** 401 to the end: the login did not take. */
  | 'no-session';

export async function confirmAuthenticated(options: {
  baseUrl: string;
  ca: () => Promise<string | null>;
  timeoutMs: number;
  pollMs: number;
  requestTimeoutMs: number;
  sleep: (ms: number) => Promise<void>;
  signal: AbortSignal;
}): Promise<Confirmation> {
  const client = new GatewayClient({ baseUrl: () => options.baseUrl, ca: options.ca, timeoutMs: options.requestTimeoutMs });
  const deadline = Date.now() + options.timeoutMs;
  let sso = false;
  try {
    for (;;) {
      const answer = await client.call('/iserver/auth/status', { klass: 'auth' });
      if (answer.outcome === 'ok') {
        sso = true;
        if (parseAuthStatus(answer.body).authenticated) return 'authenticated';
      }
      if (Date.now() + options.pollMs > deadline || options.signal.aborted) return sso ? 'sso-only' : 'no-session';
      await options.sleep(options.pollMs);
    }
  } finally {
    await client.close();
  }
}
