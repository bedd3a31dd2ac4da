/**
 * No notification lost: what the outbox marks delivered reached the receiver, nothing is given
 * up, each idempotency key arrives once — or again only across a daemon kill (docs/
 * notifications.md: at-least-once when the daemon dies between the receiver's answer and the
 * outbox write). At the end, after the outbox drained: every `gateway.transition → running`
 * event became exactly one notification of the soak's rule.
 */
import type { DaemonApi } from '../daemon-api.js';
import { RUNNING_RULE } from '../soak-config.js';
import type { Violations } from '../violations.js';
import type { WebhookReceiver } from '../webhook-receiver.js';

interface DeliveryView {
  id: string;
  state: string;
  rule: string | null;
  kind: string;
  attempts: number;
  createdAt: string;
  error: { code: string; message: string } | null;
}

export class NotificationInvariant {
  readonly #api: DaemonApi;
  readonly #receiver: WebhookReceiver;
  readonly #violations: Violations;
  /** When the daemon started (its daemon.started events): a duplicate across one is documented. */
  readonly #daemonStarts: () => readonly number[];
  readonly delivered = new Set<string>();
  pending = 0;
  oldestPendingAt: number | null = null;
  checks = 0;

  constructor(api: DaemonApi, receiver: WebhookReceiver, violations: Violations, daemonStarts: () => readonly number[]) {
    this.#api = api;
    this.#receiver = receiver;
    this.#violations = violations;
    this.#daemonStarts = daemonStarts;
  }

  /** One look at the outbox (GET /api/v1/notifications) against what the receiver has. */
  async check(): Promise<boolean> {
    const r = await this.#api.get('/api/v1/notifications', { admin: true, timeoutMs: 5_000 });
    if (r.status !== 200) return false;
    this.checks += 1;
    const recent = (r.body.recent ?? []) as DeliveryView[];
    let pending = 0;
    let oldest: number | null = null;
    for (const d of recent) {
      if (d.state === 'delivered') {
        this.delivered.add(d.id);
        if (!this.#receiver.receipts.has(d.id)) {
          this.#violations.record('notification-lost', `notification ${d.id} (${d.rule ?? d.kind}) is marked delivered but the receiver never accepted it`, { key: d.id });
        }
      } else if (d.state === 'failed') {
        this.#violations.record('notification-lost', `notification ${d.id} (${d.rule ?? d.kind}) was given up after ${d.attempts} attempts: ${d.error?.code ?? ''} ${d.error?.message ?? ''}`, { key: d.id });
      } else if (d.state === 'pending') {
        pending += 1;
        const created = Date.parse(d.createdAt);
        oldest = oldest === null ? created : Math.min(oldest, created);
      }
    }
    this.pending = pending;
    this.oldestPendingAt = oldest;
    this.checkDuplicates();
    return true;
  }

  /** A key that arrived twice: fine across a daemon start (at-least-once), a violation otherwise. */
  checkDuplicates(): void {
    for (const receipt of this.#receiver.receipts.values()) {
      for (let i = 1; i < receipt.arrivals.length; i++) {
        const [first, again] = [receipt.arrivals[i - 1]!, receipt.arrivals[i]!];
        const acrossRestart = this.#daemonStarts().some((t) => t >= first - 1_000 && t <= again + 1_000);
        if (!acrossRestart) {
          this.#violations.record('notification-duplicated', `notification ${receipt.key} (${receipt.rule ?? receipt.kind}) arrived again ${Math.round((again - first) / 1000)} s later with no daemon restart between`, { key: `${receipt.key}#${i}` });
        }
      }
    }
  }

  /**
   * Every running transition the event tail saw became one notification of RUNNING_RULE: an
   * alert, or an item of a digest that replaced it (held during a quiet window).
   */
  checkAccounting(runningTransitions: number): { expected: number; received: number } {
    const receipts = [...this.#receiver.receipts.values()];
    const alerts = receipts.filter((r) => r.rule === RUNNING_RULE && r.kind === 'alert').length;
    const inDigests = receipts.filter((r) => r.kind === 'digest').reduce((n, r) => n + r.itemRules.filter((rule) => rule === RUNNING_RULE).length, 0);
    const received = alerts + inDigests;
    if (received < runningTransitions) {
      this.#violations.record('notification-lost', `${runningTransitions} gateway.transition → running events, ${received} notifications of ${RUNNING_RULE} received`, { key: 'accounting' });
    } else if (received > runningTransitions) {
      this.#violations.record('notification-duplicated', `${received} distinct notifications of ${RUNNING_RULE} for ${runningTransitions} gateway.transition → running events`, { key: 'accounting' });
    }
    return { expected: runningTransitions, received };
  }

  summary(): Record<string, unknown> {
    const receipts = [...this.#receiver.receipts.values()];
    return {
      received: receipts.length,
      duplicatesAcrossRestarts: receipts.reduce((n, r) => n + r.arrivals.length - 1, 0),
      deliveredSeen: this.delivered.size,
      refusedByReceiver: this.#receiver.refused.length,
      pendingAtEnd: this.pending,
    };
  }
}
