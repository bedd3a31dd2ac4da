import { readFile } from 'node:fs/promises';
import { listsOf } from '../access/guarantees.js';
import { readLabels, writeLabels } from '../access/labels.js';
import { ERR_CONF_INVALID } from '../errors.js';
import type { EventSink } from '../events.js';
import { silentLogger, type Logger } from '../logger.js';
import type { ActiveKeystore, TlsService } from '../tls/tls-service.js';
import { ConfDocument } from './conf-document.js';
import { confProblems, GATEWAY_CONF_KEYS, type ConfExpectations, type ConfProblem } from './conf-rules.js';
import type { ConfVersion } from './conf-versions.js';
import { ConfWatch } from './conf-watch.js';
import { ManagedConf } from './managed-conf.js';
import { renderConf, type RenderResult } from './render.js';
import { unifiedDiff } from './unified-diff.js';

export interface ConfServiceOptions {
  confPath: string;
  templatePath: string;
  labelsPath: string;
  keepVersions: number;
  driftPolicy: 'adopt' | 'restore';
  listenPort: number;
  probeAddress: string;
  /** null: tls mode gateway (sslCert/sslPwd stay as the template has them). */
  tls: TlsService | null;
  /** Removes secrets from text the service hands out (diffs, the conf itself). */
  redact: (line: string) => string;
  onEvent?: EventSink;
  logger?: Logger;
  requestRestart?: (reason: string) => void;
  now?: () => Date;
  /** false: no file watching (one-shot CLI use). */
  watch?: { stabilityMs?: number; usePolling?: boolean; intervalMs?: number } | false;
}

export interface ConfChangePreview {
  /** Unified diff, current → what would be written (secrets redacted). */
  diff: string;
  changed: boolean;
  problems: ConfProblem[];
  /** Keys the daemon set over the proposal (port, keystore, list guarantees). */
  adjusted: string[];
}

export interface ConfChangeResult {
  changed: boolean;
  /** The version the replaced content was archived as. */
  version: number | null;
  diff: string;
}

/** Top-level keys whose values differ (names only: values may be secret). */
export function changedKeys(before: string | null, after: string | null): string[] {
  const js = (t: string | null) => {
    try {
      return t === null ? {} : ConfDocument.parse(t).toJS();
    } catch {
      return {};
    }
  };
  const a = js(before);
  const b = js(after);
  return [...new Set([...Object.keys(a), ...Object.keys(b)])].filter((k) => JSON.stringify(a[k]) !== JSON.stringify(b[k]));
}

/**
 * The managed gateway conf.yaml: rendered from the template at launch, changed through
 * preview/apply/rollback, guarded against outside edits (drift). The gateway reads its conf
 * only at start, so every effective change ends in requestRestart(reason).
 */
export class ConfService {
  readonly managed: ManagedConf;
  private keystore: ActiveKeystore | null = null;
  private readonly watcher: ConfWatch | null;
  private readonly logger: Logger;
  private prepared = false;
  /**
   * What the last prepare() rendered, and from which keystore. When the file still holds exactly
   * that and the keystore is the same, rendering again would write the same bytes: a restart skips
   * the YAML parse, render and validation.
   */
  private lastRender: { text: string; keystore: string } | null = null;
  /** sslPwd values this conf has held (for redaction; tls mode gateway keeps the template's). */
  readonly secrets = new Set<string>();

  constructor(private readonly options: ConfServiceOptions) {
    this.logger = options.logger ?? silentLogger;
    this.managed = new ManagedConf({ path: options.confPath, keepVersions: options.keepVersions, expectations: () => this.expectations(), now: options.now });
    this.watcher = options.watch === false ? null : new ConfWatch({
      paths: [options.confPath, options.templatePath],
      onChange: (path) => void (path === options.confPath ? this.onConfChanged() : this.onTemplateChanged()).catch((err) => this.logger.error({ err }, 'conf watch handler failed')),
      ...options.watch,
    });
  }

  get path(): string {
    return this.options.confPath;
  }

  expectations(): ConfExpectations {
    return { listenPort: this.options.listenPort, ...(this.keystore ? { sslCert: this.keystore.keystorePath, sslPwd: this.keystore.password } : {}) };
  }

  private emit(type: string, level: 'info' | 'warn' | 'error', message: string, data: Record<string, unknown>): void {
    this.options.onEvent?.({ type, level, message, data: { path: this.options.confPath, ...data } });
  }

  private render(base: ConfDocument): RenderResult {
    const ks = this.keystore;
    return renderConf(base, { listenPort: this.options.listenPort, keystore: ks ? { path: ks.keystorePath, password: ks.password } : null, probeAddress: this.options.probeAddress });
  }

  /** Keystore + conf ready for a launch; starts the drift watch the first time. */
  async prepare(): Promise<void> {
    await this.managed.exclusive(async () => {
      // An outside edit the watcher has not handled yet is judged by the policy, not silently taken as the base.
      await this.handleDrift();
      this.keystore = this.options.tls ? await this.options.tls.ensure() : null;
      const keystore = JSON.stringify(this.keystore);
      const last = this.lastRender;
      if (last && last.keystore === keystore && this.managed.isExpected(last.text) && (await this.managed.read()) === last.text) return;
      const result = this.render(await this.pickBase());
      const text = result.doc.toString();
      await this.managed.write(text, this.prepared ? 'rendered for launch' : 'rendered at start');
      await this.recordGuarantees(result);
      this.lastRender = { text, keystore };
    });
    this.prepared = true;
    await this.watcher?.start();
  }

  async ensurePrepared(): Promise<void> {
    if (!this.prepared) await this.prepare();
  }

  /** The managed conf as found, else the newest version the gateway would load, else the template. */
  private async pickBase(): Promise<ConfDocument> {
    const loadable = (text: string | null): ConfDocument | null => {
      if (text === null) return null;
      try {
        const doc = ConfDocument.parse(text, this.options.confPath);
        return doc.keys().every((k) => GATEWAY_CONF_KEYS.includes(k)) ? doc : null;
      } catch {
        return null;
      }
    };
    const current = await this.managed.read();
    const doc = loadable(current);
    if (doc) return doc;
    if (current !== null) this.emit('conf.drift', 'warn', 'the managed conf.yaml on disk cannot be loaded by the gateway; rendering it again', { action: 'restored', problems: this.problemsOf(current) });
    for (const v of await this.managed.listVersions()) {
      const old = loadable(await this.managed.versions.read(v.id).catch(() => null));
      if (old) return old;
    }
    return ConfDocument.parse(await this.readTemplate(), this.options.templatePath);
  }

  private async readTemplate(): Promise<string> {
    try {
      return await readFile(this.options.templatePath, 'utf8');
    } catch (err) {
      throw ERR_CONF_INVALID(this.options.templatePath, `cannot read the template: ${(err as Error).message}`);
    }
  }

  private problemsOf(text: string): ConfProblem[] {
    try {
      return confProblems(ConfDocument.parse(text, this.options.confPath), this.expectations());
    } catch (err) {
      return [{ key: '', message: (err as Error).message }];
    }
  }

  private async recordGuarantees(result: RenderResult): Promise<void> {
    const pwd = result.doc.get(['sslPwd']);
    if (typeof pwd === 'string' && pwd) this.secrets.add(pwd);
    for (const entry of result.dropped) {
      this.emit('access.guarantee', 'warn', `dropped "${entry}" from the gateway's ip list: a bare "*" makes every request answer HTTP 500`, { entry });
    }
    if (result.added.length === 0) return;
    const labels = await readLabels(this.options.labelsPath);
    for (const a of result.added) {
      labels[a.list][a.pattern] ??= a.label;
      this.emit('access.guarantee', 'info', `added ${a.pattern} to ips.${a.list}: ${a.label}`, { list: a.list, pattern: a.pattern });
    }
    const doc = await this.managed.document();
    await writeLabels(this.options.labelsPath, labels, listsOf(doc?.get(['ips'])));
  }

  /** The managed conf with secrets redacted (for the API). */
  async current(): Promise<string> {
    await this.ensurePrepared();
    return ((await this.managed.read()) ?? '').split('\n').map(this.options.redact).join('\n');
  }

  private diff(before: string, after: string): string {
    return unifiedDiff(before, after, { a: 'conf.yaml (current)', b: 'conf.yaml (proposed)' }).split('\n').map(this.options.redact).join('\n');
  }

  /** What writing `proposed` would change, after the daemon's own values are applied to it. */
  async preview(proposed: string): Promise<ConfChangePreview> {
    await this.ensurePrepared();
    const current = (await this.managed.read()) ?? '';
    let doc: ConfDocument;
    try {
      doc = ConfDocument.parse(proposed, 'proposed conf');
    } catch (err) {
      return { diff: '', changed: false, problems: [{ key: '', message: (err as Error).message }], adjusted: [] };
    }
    const rendered = this.render(doc).doc.toString();
    return { diff: this.diff(current, rendered), changed: rendered !== current, problems: confProblems(ConfDocument.parse(rendered), this.expectations()), adjusted: changedKeys(proposed, rendered) };
  }

  /** Writes `proposed` (with the daemon's values applied), then asks for a gateway restart. */
  async apply(proposed: string, reason = 'conf changed'): Promise<ConfChangeResult> {
    return this.edit(() => ConfDocument.parse(proposed, 'proposed conf'), reason);
  }

  async rollback(id: number): Promise<ConfChangeResult> {
    await this.ensurePrepared();
    const text = await this.managed.versions.read(id);
    return this.edit(() => ConfDocument.parse(text, `version ${id}`), `rollback to version ${id}`);
  }

  versions(): Promise<ConfVersion[]> {
    return this.managed.listVersions();
  }

  /**
   * The one read-modify-write path: `change` gets a copy of the current conf and returns the
   * new one (or throws to refuse). dryRun returns the diff without writing.
   */
  async edit(change: (current: ConfDocument) => ConfDocument | void, reason: string, options: { dryRun?: boolean } = {}): Promise<ConfChangeResult> {
    await this.ensurePrepared();
    return this.managed.exclusive(async () => {
      await this.handleDrift(); // an unhandled outside edit is judged first, not silently built upon
      const currentText = (await this.managed.read()) ?? '';
      const current = ConfDocument.parse(currentText, this.options.confPath);
      const draft = current.clone();
      const next = this.render(change(draft) ?? draft);
      const text = next.doc.toString();
      const diff = this.diff(currentText, text);
      if (options.dryRun) return { changed: text !== currentText, version: null, diff };
      const written = await this.managed.write(text, reason);
      await this.recordGuarantees(next);
      if (written.changed) {
        this.emit('conf.changed', 'info', `gateway conf changed: ${reason}`, { reason, version: written.version, keys: changedKeys(currentText, text) });
        this.options.requestRestart?.(reason);
      }
      return { ...written, diff };
    });
  }

  /** An outside edit of the managed conf: adopt it (valid, policy adopt) or put the managed one back. */
  private onConfChanged(): Promise<void> {
    return this.managed.exclusive(() => this.handleDrift());
  }

  /** Call inside exclusive(). */
  private async handleDrift(): Promise<void> {
    const text = await this.managed.read();
    const expected = this.managed.expectedText();
    if (expected === null || this.managed.isExpected(text)) return;
    const problems = text === null ? [{ key: '', message: 'the file was deleted' }] : this.problemsOf(text);
    const keys = changedKeys(expected, text);
    if (problems.length > 0 || this.options.driftPolicy === 'restore') {
      await this.managed.restore();
      const why = problems.length > 0 ? problems.map((p) => p.message).join('; ') : 'conf.driftPolicy is restore';
      this.emit('conf.drift', problems.length > 0 ? 'warn' : 'info', `outside edit of the gateway conf undone: ${why}`, { action: 'restored', problems, keys });
      return;
    }
    await this.managed.adopt(text!, 'outside edit adopted', expected);
    const pwd = ConfDocument.parse(text!).get(['sslPwd']);
    if (typeof pwd === 'string' && pwd) this.secrets.add(pwd);
    this.emit('conf.drift', 'info', `outside edit of the gateway conf adopted (${keys.join(', ') || 'formatting only'})`, { action: 'adopted', problems: [], keys });
    this.options.requestRestart?.('conf changed');
  }

  /** A template edit: re-render from it, keeping the allow/deny lists managed here. */
  private async onTemplateChanged(): Promise<void> {
    let template: ConfDocument;
    try {
      template = ConfDocument.parse(await this.readTemplate(), this.options.templatePath);
      const unknown = template.keys().filter((k) => !GATEWAY_CONF_KEYS.includes(k));
      if (unknown.length > 0) throw ERR_CONF_INVALID(this.options.templatePath, `unknown key(s) ${unknown.join(', ')}: the gateway would exit 1`);
    } catch (err) {
      this.emit('conf.template', 'error', `gateway conf template not used: ${(err as Error).message}`, { template: this.options.templatePath });
      return;
    }
    await this.edit((current) => {
      const next = template.clone();
      const ips = current.get(['ips']) as { allow?: string[]; deny?: string[] } | undefined;
      if (ips?.allow) next.set(['ips', 'allow'], ips.allow.map(String));
      if (ips?.deny) next.set(['ips', 'deny'], ips.deny.map(String));
      return next;
    }, 'conf template changed');
  }

  async close(): Promise<void> {
    await this.watcher?.close();
  }
}
