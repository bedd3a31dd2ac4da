import { ERR_ACCESS_ENTRY_NOT_FOUND, ERR_ACCESS_LIST_EMPTY, ERR_ACCESS_LOCKOUT, ERR_ACCESS_PATTERN } from '../errors.js';
import type { EventSink } from '../events.js';
import { DENY_SENTINEL, DENY_SENTINEL_LABEL, listsOf } from './guarantees.js';
import { readLabels, writeLabels, type AccessLabels } from './labels.js';
import { explainAccess, type AccessExplanation } from './matcher.js';
import { isGatewayPattern, parseAccessEntry } from './patterns.js';
import { interfaceSuggestions, type AccessSuggestion } from './suggestions.js';

export type AccessListName = 'allow' | 'deny';

export interface AccessEntry {
  pattern: string;
  label: string | null;
  /** False for entries the gateway cannot parse (it silently uses the previous entry instead). */
  valid: boolean;
}

export interface AccessLists {
  allow: AccessEntry[];
  deny: AccessEntry[];
  probeAddress: string;
  /** How the gateway treats the daemon's own probes under these lists. */
  probe: AccessExplanation;
}

export interface AccessChangeOptions {
  label?: string | null;
  /** Allow a change that locks out access.probeAddress. */
  force?: boolean;
  /** Only compute the diff. */
  dryRun?: boolean;
}

export interface AccessChangeResult {
  applied: boolean;
  /** Unified diff of conf.yaml (secrets redacted). */
  diff: string;
  list: AccessListName;
  /** The entry as the gateway will match it (a CIDR or range translated). */
  pattern: string;
  translatedFrom: string | null;
  lists: AccessLists;
}

/** A conf.yaml document as far as the lists go. */
export interface ListsDocument {
  get(path: string[]): unknown;
  set(path: string[], value: unknown): void;
}

/**
 * What the access service needs of the managed conf.yaml; the gateway's ConfService provides
 * it. Declared here, so access/ does not depend on gateway/ (which depends on access/).
 */
export interface ConfEditor {
  ensurePrepared(): Promise<void>;
  readonly managed: { document(): Promise<ListsDocument | null> };
  edit(change: (current: ListsDocument) => void, reason: string, options?: { dryRun?: boolean }): Promise<{ changed: boolean; diff: string }>;
}

export interface AccessServiceOptions {
  conf: ConfEditor;
  labelsPath: string;
  probeAddress: string;
  onEvent?: EventSink;
}

const docLists = (doc: ListsDocument): Record<AccessListName, string[]> => listsOf(doc.get(['ips']));

/**
 * The gateway's IP allow/deny lists as a service: list, add, remove, explain. Every change
 * goes through the managed conf (validated, versioned, restart requested) and keeps the
 * guarantees: both lists present and non-empty, the probe address still let in.
 */
export class AccessService {
  constructor(private readonly options: AccessServiceOptions) {}

  get probeAddress(): string {
    return this.options.probeAddress;
  }

  async list(): Promise<AccessLists> {
    await this.options.conf.ensurePrepared();
    const doc = (await this.options.conf.managed.document())!;
    return this.describe(docLists(doc), await readLabels(this.options.labelsPath));
  }

  private describe(lists: Record<AccessListName, string[]>, labels: AccessLabels): AccessLists {
    const entries = (name: AccessListName) => lists[name].map((pattern) => ({ pattern, label: labels[name][pattern] ?? null, valid: isGatewayPattern(pattern) }));
    const probe = explainAccess(this.options.probeAddress, lists);
    return { allow: entries('allow'), deny: entries('deny'), probeAddress: this.options.probeAddress, probe };
  }

  /** How the gateway treats `address` under the managed lists (why a probe got 404 Access Denied). */
  async explain(address: string): Promise<AccessExplanation> {
    await this.options.conf.ensurePrepared();
    const doc = (await this.options.conf.managed.document())!;
    return explainAccess(address, doc.get(['ips']));
  }

  suggestions(): AccessSuggestion[] {
    return interfaceSuggestions();
  }

  async add(list: AccessListName, input: string, options: AccessChangeOptions = {}): Promise<AccessChangeResult> {
    const parsed = parseAccessEntry(input);
    return this.change('add', list, parsed.pattern, parsed.from === 'pattern' ? null : parsed.input, options, (current) => {
      const next = current.filter((p) => p !== parsed.pattern);
      // The placeholder only exists to keep deny non-empty; a real entry makes it pointless.
      const withoutSentinel = list === 'deny' ? next.filter((p) => p !== DENY_SENTINEL) : next;
      return [...withoutSentinel, parsed.pattern];
    });
  }

  async remove(list: AccessListName, input: string, options: AccessChangeOptions = {}): Promise<AccessChangeResult> {
    let pattern = String(input).trim();
    if (!isGatewayPattern(pattern)) {
      try {
        pattern = parseAccessEntry(input).pattern;
      } catch (err) {
        if (!ERR_ACCESS_PATTERN.is(err)) throw err;
      }
    }
    return this.change('remove', list, pattern, pattern === input ? null : input, options, (current) => {
      if (!current.includes(pattern)) throw ERR_ACCESS_ENTRY_NOT_FOUND(list, input);
      const next = current.filter((p) => p !== pattern);
      if (next.length > 0) return next;
      if (list === 'allow') throw ERR_ACCESS_LIST_EMPTY('allow', 'an empty allow list refuses every address; add the entry that replaces it first');
      if (pattern === DENY_SENTINEL) throw ERR_ACCESS_LIST_EMPTY('deny', 'a missing or empty deny list is one edit away from the gateway switching IP filtering off');
      return [DENY_SENTINEL];
    });
  }

  /** Changes run one at a time: each reads and writes the labels file beside the conf edit. */
  #queue: Promise<unknown> = Promise.resolve();

  private change(...args: Parameters<AccessService['changeNow']>): Promise<AccessChangeResult> {
    const run = this.#queue.then(() => this.changeNow(...args));
    this.#queue = run.catch(() => {});
    return run;
  }

  private async changeNow(
    action: 'add' | 'remove',
    list: AccessListName,
    pattern: string,
    translatedFrom: string | null,
    options: AccessChangeOptions,
    update: (current: string[]) => string[],
  ): Promise<AccessChangeResult> {
    if (list !== 'allow' && list !== 'deny') throw ERR_ACCESS_ENTRY_NOT_FOUND('list', String(list));
    let lists: Record<AccessListName, string[]> = { allow: [], deny: [] };
    const result = await this.options.conf.edit((doc) => {
      lists = docLists(doc);
      lists[list] = update(lists[list]);
      const probe = explainAccess(this.options.probeAddress, lists);
      if (!probe.allowed && !options.force) {
        throw ERR_ACCESS_LOCKOUT(`after this change the gateway would refuse the daemon's own probes from ${this.options.probeAddress}: ${probe.reason}`);
      }
      doc.set(['ips', 'allow'], lists.allow);
      doc.set(['ips', 'deny'], lists.deny);
    }, `access list changed: ${action} ${list} ${pattern}`, { dryRun: options.dryRun });
    const labels = await readLabels(this.options.labelsPath);
    if (!options.dryRun) {
      if (options.label !== undefined && lists[list].includes(pattern)) {
        if (options.label) labels[list][pattern] = options.label;
        else delete labels[list][pattern];
      }
      if (lists.deny.length === 1 && lists.deny[0] === DENY_SENTINEL) labels.deny[DENY_SENTINEL] ??= DENY_SENTINEL_LABEL;
      await writeLabels(this.options.labelsPath, labels, lists);
      if (result.changed) {
        this.options.onEvent?.({ type: 'access.changed', level: 'info', message: `gateway ${list} list: ${action} ${pattern}`, data: { action, list, pattern, translatedFrom, force: Boolean(options.force) } });
      }
    }
    return { applied: !options.dryRun && result.changed, diff: result.diff, list, pattern, translatedFrom, lists: this.describe(lists, labels) };
  }
}
