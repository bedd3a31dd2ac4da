/**
 * Stand-in for the unattended login while this build has none: when the daemon says the session
 * needs a login (and it is not inside an IBKR reset window), the operator submits the gateway's
 * login form with the stored credentials, as a person at the browser would. With the daemon's
 * own login driver on board the operator stays off and the daemon's logins are what the login
 * invariant counts.
 */
import type { DaemonApi } from './daemon-api.js';
import type { GatewayAccess } from './gateway-access.js';

export class LoginOperator {
  readonly #api: DaemonApi;
  readonly #gateway: GatewayAccess;
  readonly #username: string;
  readonly #password: string;
  #timer: NodeJS.Timeout | null = null;
  #lastAttempt = 0;
  logins = 0;
  failures = 0;

  constructor(api: DaemonApi, gateway: GatewayAccess, username: string, password: string) {
    this.#api = api;
    this.#gateway = gateway;
    this.#username = username;
    this.#password = password;
  }

  start(intervalMs = 500): void {
    const tick = async () => {
      await this.#look().catch(() => {});
      if (this.#timer) this.#timer = setTimeout(tick, intervalMs);
    };
    this.#timer = setTimeout(tick, 0);
  }

  stop(): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
  }

  async #look(): Promise<void> {
    const r = await this.#api.get('/api/v1/session', { timeoutMs: 5_000 });
    const s = r.status === 200 ? r.body?.status : null;
    if (s?.state !== 'needs-login' || s.inMaintenance) return;
    // A person takes a few seconds per login; it also keeps a login from crossing the daemon's next look.
    if (Date.now() - this.#lastAttempt < 3_000) return;
    this.#lastAttempt = Date.now();
    const answer = await this.#gateway.login(this.#username, this.#password);
    if (answer.status === 200) this.logins += 1;
    else this.failures += 1;
  }
}
