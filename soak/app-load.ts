/**
 * A few local "apps" calling at a steady rate, each a list of calls taken in turn. An app never
 * runs two calls at once (a slow answer slows the app, as it would a real one). Adding an app
 * or a call is one entry in apps.ts; the counting and the report are here.
 */
import type { CallResult } from './http-call.js';

export interface Outcome {
  ok: boolean;
  /** Why it failed (HTTP status and code, network error …); grouped in the report. */
  reason?: string;
}

export interface AppCall {
  name: string;
  run(): Promise<Outcome>;
}

export interface AppDefinition {
  name: string;
  /** Calls per second, steady. */
  perSecond: number;
  calls: AppCall[];
}

/** A 2xx (or an answer `accept` allows) is served; anything else is a failure with its reason. */
export function outcomeOf(r: CallResult, accept: (r: CallResult) => boolean = () => false): Outcome {
  if ((r.status >= 200 && r.status < 300) || accept(r)) return { ok: true };
  return { ok: false, reason: r.status === 0 ? `${r.error}` : `HTTP ${r.status}${r.code ? ` ${r.code}` : ''}` };
}

interface Counts {
  served: number;
  failed: number;
}

export interface AppLoadSummary {
  total: number;
  served: number;
  failed: number;
  byApp: Record<string, Counts & { calls: Record<string, Counts> }>;
  /** "app/call: reason" → count. */
  failures: Record<string, number>;
}

export class AppLoad {
  readonly #apps: AppDefinition[];
  readonly #counts = new Map<string, Map<string, Counts>>();
  readonly #failures = new Map<string, number>();
  #running = false;
  #loops: Promise<void>[] = [];

  constructor(apps: AppDefinition[]) {
    this.#apps = apps.filter((a) => a.calls.length > 0 && a.perSecond > 0);
  }

  get names(): string[] {
    return this.#apps.map((a) => a.name);
  }

  start(): void {
    this.#running = true;
    this.#loops = this.#apps.map((app) => this.#loop(app));
  }

  async stop(): Promise<void> {
    this.#running = false;
    await Promise.all(this.#loops);
  }

  async #loop(app: AppDefinition): Promise<void> {
    const periodMs = 1000 / app.perSecond;
    let next = performance.now();
    for (let i = 0; this.#running; i++) {
      const call = app.calls[i % app.calls.length]!;
      let outcome: Outcome;
      try {
        outcome = await call.run();
      } catch (err) {
        outcome = { ok: false, reason: `threw: ${(err as Error).message}` };
      }
      this.#count(app.name, call.name, outcome);
      next += periodMs;
      const wait = next - performance.now();
      // Behind (slow answers): go on at once, but never make up a backlog in a burst.
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      else next = performance.now();
    }
  }

  #count(app: string, call: string, outcome: Outcome): void {
    const calls = this.#counts.get(app) ?? new Map<string, Counts>();
    const c = calls.get(call) ?? { served: 0, failed: 0 };
    if (outcome.ok) c.served += 1;
    else {
      c.failed += 1;
      const key = `${app}/${call}: ${outcome.reason ?? 'failed'}`;
      this.#failures.set(key, (this.#failures.get(key) ?? 0) + 1);
    }
    calls.set(call, c);
    this.#counts.set(app, calls);
  }

  summary(): AppLoadSummary {
    const byApp: AppLoadSummary['byApp'] = {};
    let served = 0;
    let failed = 0;
    for (const [app, calls] of this.#counts) {
      const entry = { served: 0, failed: 0, calls: {} as Record<string, Counts> };
      for (const [name, c] of calls) {
        entry.calls[name] = { ...c };
        entry.served += c.served;
        entry.failed += c.failed;
      }
      byApp[app] = entry;
      served += entry.served;
      failed += entry.failed;
    }
    const failures = Object.fromEntries([...this.#failures].sort((a, b) => b[1] - a[1]));
    return { total: served + failed, served, failed, byApp, failures };
  }
}
