import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import type { EventSink } from '../events.js';
import { writeFileAtomic } from '../atomic-write.js';

export interface ExpiryWatchOptions {
  /** <dataDir>/tls/expiry-state.json: which warnings were given, so a restart does not repeat them. */
  stateFile: string;
  /** The certificate being watched, read at each check (it changes on renewal). */
  current: () => { fingerprint: string; notAfter: string; renewable: boolean } | null;
  /** Warn this many days before expiry, each once per certificate. */
  warnDays?: number[];
  /** Renew a renewable (generated) certificate this many days ahead. */
  renewBeforeDays: number;
  renew: (reason: string) => Promise<void>;
  onEvent?: EventSink;
  now?: () => Date;
  intervalMs?: number;
}

interface ExpiryState {
  warned: Record<string, number[]>;
}

const DAY_MS = 86_400_000;

/**
 * Warns at 30, 7 and 1 days before the gateway certificate expires and renews generated
 * certificates ahead of time. The clock is an option so tests can jump a year ahead.
 */
export class ExpiryWatch {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  private readonly warnDays: number[];

  constructor(private readonly options: ExpiryWatchOptions) {
    this.warnDays = [...(options.warnDays ?? [30, 7, 1])].sort((a, b) => b - a);
  }

  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => void this.check().catch(() => {}), this.options.intervalMs ?? 3_600_000);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  /** One check; concurrent calls share the run in flight. */
  check(): Promise<void> {
    this.running ??= this.run().finally(() => (this.running = null));
    return this.running;
  }

  private async run(): Promise<void> {
    const cert = this.options.current();
    if (!cert) return;
    const now = (this.options.now ?? (() => new Date()))();
    const daysLeft = (new Date(cert.notAfter).getTime() - now.getTime()) / DAY_MS;
    const state = await this.readState();
    const warned = new Set(state.warned[cert.fingerprint] ?? []);
    // Only the tightest threshold reached is announced: after a long downtime, one event, not three.
    const due = this.warnDays.filter((d) => daysLeft <= d && !warned.has(d));
    if (due.length > 0) {
      const days = due[due.length - 1];
      const expired = daysLeft <= 0;
      this.options.onEvent?.({
        type: 'tls.expiry',
        level: days <= 7 || expired ? 'error' : 'warn',
        message: expired ? `the gateway certificate expired on ${cert.notAfter}` : `the gateway certificate expires in ${Math.max(0, Math.ceil(daysLeft))} day(s) (${cert.notAfter})`,
        data: { fingerprint: cert.fingerprint, notAfter: cert.notAfter, daysLeft: Math.floor(daysLeft), threshold: days, renewable: cert.renewable },
      });
      for (const d of due) warned.add(d);
      state.warned = { [cert.fingerprint]: [...warned].sort((a, b) => b - a) }; // older certificates no longer matter
      await writeFileAtomic(this.options.stateFile, JSON.stringify(state, null, 2) + '\n');
    }
    if (cert.renewable && daysLeft <= this.options.renewBeforeDays) await this.options.renew('tls renewed');
  }

  private async readState(): Promise<ExpiryState> {
    if (!existsSync(this.options.stateFile)) return { warned: {} };
    try {
      const state = JSON.parse(await readFile(this.options.stateFile, 'utf8')) as ExpiryState;
      return state && typeof state.warned === 'object' ? state : { warned: {} };
    } catch {
      return { warned: {} };
    }
  }
}
