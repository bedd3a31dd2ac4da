/**
 * Changes staged for "the next window" instead of applied at once: conf versions, allow-list
 * edits, certificate renewals and gateway versions. Each is checked when it is staged (a dry
 * run through its own service), so a bad one is refused now rather than failing at 02:00.
 * Kept in <dataDir>/maintenance/pending.json, 0600: a staged conf may hold secrets. The next
 * apply, update or restart window applies them (a restart is a restart: what waits goes in).
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { ERR_CONF_INVALID, ERR_GATEWAY_UNMANAGED, ERR_PENDING_NOT_FOUND } from '../errors.js';
import type { EventSink } from '../events.js';
import { writeFileAtomic } from '../atomic-write.js';
import type { Change } from './change-runner.js';

export type PendingInput =
  | { kind: 'conf'; text: string; reason?: string }
  | { kind: 'conf-rollback'; version: number }
  | { kind: 'access'; op: 'add' | 'remove'; list: 'allow' | 'deny'; entry: string; label?: string | null; force?: boolean }
  | { kind: 'tls-renew'; reason?: string }
  | { kind: 'gateway-version'; id: string };

export type PendingChange = PendingInput & { id: string; createdAt: string; createdBy: string; summary: string; diff: string | null };

/** The services a staged change is checked and applied through (null: not managed here). */
export interface ChangeTargets {
  conf: {
    preview(text: string): Promise<{ diff: string; changed: boolean; problems: Array<{ key: string; message: string }> }>;
    apply(text: string, reason: string): Promise<unknown>;
    rollback(id: number): Promise<unknown>;
    versions(): Promise<Array<{ id: number }>>;
  } | null;
  access: {
    add(list: 'allow' | 'deny', entry: string, options: { label?: string | null; force?: boolean; dryRun?: boolean }): Promise<{ diff: string }>;
    remove(list: 'allow' | 'deny', entry: string, options: { force?: boolean; dryRun?: boolean }): Promise<{ diff: string }>;
  } | null;
  tls: { readonly mode: string; renew(reason: string): Promise<unknown> } | null;
  versions: { get(id: string): unknown; use(id: string | null, reason: string): Promise<void> } | null;
}

export interface PendingChangesOptions {
  file: string;
  targets: () => ChangeTargets;
  now?: () => number;
  onEvent?: EventSink;
}

function need<T>(target: T | null, what: string): T {
  if (!target) throw ERR_GATEWAY_UNMANAGED(what, 'this gateway kind or tls mode');
  return target;
}

export class PendingChanges {
  private items: PendingChange[];

  constructor(private readonly o: PendingChangesOptions) {
    try {
      const parsed = JSON.parse(readFileSync(o.file, 'utf8')) as { pending?: PendingChange[] };
      this.items = Array.isArray(parsed.pending) ? parsed.pending : [];
    } catch {
      this.items = [];
    }
  }

  private async save(): Promise<void> {
    await writeFileAtomic(this.o.file, JSON.stringify({ pending: this.items }, null, 2) + '\n', { mode: 0o600 });
  }

  /** Without conf text: the list is shown by the API and the CLI. */
  list(): Array<Omit<PendingChange, 'text'>> {
    return this.items.map((item) => {
      const { text: _text, ...rest } = item as PendingChange & { text?: string };
      return rest;
    });
  }

  count(): number {
    return this.items.length;
  }

  async stage(input: PendingInput, createdBy: string): Promise<Omit<PendingChange, 'text'>> {
    const { summary, diff } = await this.check(input);
    const item = { ...input, id: `p-${randomBytes(4).toString('hex')}`, createdAt: new Date((this.o.now ?? Date.now)()).toISOString(), createdBy, summary, diff } as PendingChange;
    this.items.push(item);
    await this.save();
    this.o.onEvent?.({ type: 'maintenance.staged', level: 'info', message: `staged for the next maintenance window: ${summary}`, data: { id: item.id, kind: item.kind, summary, createdBy } });
    return this.list().find((x) => x.id === item.id)!;
  }

  async remove(id: string): Promise<Omit<PendingChange, 'text'>> {
    const found = this.list().find((x) => x.id === id);
    if (!found) throw ERR_PENDING_NOT_FOUND(id);
    this.items = this.items.filter((x) => x.id !== id);
    await this.save();
    return found;
  }

  /** Refuses what would fail later; returns what it would do. */
  private async check(input: PendingInput): Promise<{ summary: string; diff: string | null }> {
    const t = this.o.targets();
    switch (input.kind) {
      case 'conf': {
        const preview = await need(t.conf, 'conf.yaml').preview(input.text);
        if (preview.problems.length > 0) throw ERR_CONF_INVALID('proposed conf', preview.problems.map((p) => `${p.key}: ${p.message}`).join('; '));
        // Changes apply in staging order, and a whole conf replaces the lists earlier edits changed.
        const overwrites = this.items.some((x) => x.kind === 'access' || x.kind === 'conf' || x.kind === 'conf-rollback');
        const notes = [input.reason, preview.changed ? null : 'no difference now', overwrites ? 'replaces the whole conf: earlier staged conf and allow-list changes are overwritten' : null].filter(Boolean);
        return { summary: `conf.yaml change${notes.length ? ` (${notes.join('; ')})` : ''}`, diff: preview.diff };
      }
      case 'conf-rollback': {
        const versions = await need(t.conf, 'conf.yaml').versions();
        if (!versions.some((v) => v.id === input.version)) throw ERR_CONF_INVALID(`version ${input.version}`, 'no such version (see the version list)');
        return { summary: `conf.yaml rollback to version ${input.version}`, diff: null };
      }
      case 'access': {
        const access = need(t.access, 'the allow/deny list');
        const r = input.op === 'add'
          ? await access.add(input.list, input.entry, { label: input.label, force: input.force, dryRun: true })
          : await access.remove(input.list, input.entry, { force: input.force, dryRun: true });
        return { summary: `${input.op} ${input.list} ${input.entry}${input.force ? ' (force)' : ''}`, diff: r.diff };
      }
      case 'tls-renew': {
        const tls = need(t.tls, 'the TLS certificate');
        if (tls.mode !== 'generate') throw ERR_GATEWAY_UNMANAGED('certificate renewal', `tls.mode ${tls.mode}: only generated certificates are renewed`);
        return { summary: 'renew the gateway certificate', diff: null };
      }
      case 'gateway-version': {
        need(t.versions, 'gateway versions').get(input.id);
        return { summary: `switch to gateway version ${input.id}`, diff: null };
      }
    }
  }

  private apply(item: PendingChange): Promise<unknown> {
    const t = this.o.targets();
    const why = `staged change ${item.id}, applied in a maintenance window`;
    switch (item.kind) {
      case 'conf': return need(t.conf, 'conf.yaml').apply(item.text, item.reason ?? why);
      case 'conf-rollback': return need(t.conf, 'conf.yaml').rollback(item.version);
      case 'access': {
        const access = need(t.access, 'the allow/deny list');
        return item.op === 'add' ? access.add(item.list, item.entry, { label: item.label, force: item.force }) : access.remove(item.list, item.entry, { force: item.force });
      }
      case 'tls-renew': return need(t.tls, 'the TLS certificate').renew(item.reason ?? why);
      case 'gateway-version': return need(t.versions, 'gateway versions').use(item.id, why);
    }
  }

  /** The staged changes as the runner applies them, in staging order, with their ids. */
  changes(): Array<Change & { id: string }> {
    return this.items.map((item) => ({ id: item.id, summary: item.summary, apply: async () => { await this.apply(item); } }));
  }

  /** After a run: these ids are done (applied, or rolled back and reported). */
  async settle(ids: string[]): Promise<void> {
    this.items = this.items.filter((x) => !ids.includes(x.id));
    await this.save();
  }
}
