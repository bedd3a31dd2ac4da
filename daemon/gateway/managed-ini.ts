/**
 * An INI file the daemon co-owns with others: IBC's config.ini (the daemon renders it; a user
 * may add IBC settings of their own) and jts.ini (IB Gateway itself rewrites it, window sizes
 * and all). The daemon owns a few keys and nothing else, so:
 *
 * - a render sets the owned keys over the file as found (or the template), line by line;
 * - every write is atomic, with the file's mode (0600 for config.ini: it holds the password),
 *   and the replaced content is kept as a version (ConfVersions, as for conf.yaml);
 * - an outside edit (drift) of an owned key is put back at once; an edit of other keys is
 *   adopted (driftPolicy adopt) — and, where the gateway reads the file only at start and the
 *   editor is a person, followed by a restart request — or undone (driftPolicy restore).
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import type { EventSink } from '../events.js';
import { silentLogger, type Logger } from '../logger.js';
import { writeFileAtomic } from '../atomic-write.js';
import { ConfVersions, type ConfVersion } from './conf-versions.js';
import { ConfWatch } from './conf-watch.js';
import { IniDocument } from './ini-document.js';

export interface OwnedKey {
  section: string;
  key: string;
  value: string;
}

export interface ManagedIniOptions {
  path: string;
  /** Versions live outside the gateway's folders (IBC and the gateway scan theirs). */
  versionsDir: string;
  keepVersions: number;
  mode: number;
  /** What events call the file: 'config.ini', 'jts.ini'. */
  label: string;
  /** The base text when the file does not exist yet. */
  template: () => Promise<string>;
  /** The daemon's keys and values now (credentials, ports, allow list …). */
  owned: () => OwnedKey[];
  driftPolicy: 'adopt' | 'restore';
  /** True when outside edits of other keys come from a person (restart to apply them); false for the gateway's own rewrites. */
  restartOnAdopt: boolean;
  onEvent?: EventSink;
  logger?: Logger;
  requestRestart?: (reason: string) => void;
  now?: () => Date;
  watch?: { stabilityMs?: number; usePolling?: boolean; intervalMs?: number } | false;
}

/** The owned keys whose value in `doc` differs (names only: values may be secret). */
export function ownedDifferences(doc: IniDocument, owned: OwnedKey[]): string[] {
  return owned.filter((o) => doc.get(o.section, o.key) !== o.value).map((o) => (o.section ? `${o.section}.${o.key}` : o.key));
}

export function applyOwned(base: IniDocument, owned: OwnedKey[]): IniDocument {
  const doc = base.clone();
  for (const o of owned) doc.set(o.section, o.key, o.value);
  return doc;
}

export class ManagedIniFile {
  readonly path: string;
  readonly #o: ManagedIniOptions;
  readonly #versions: ConfVersions;
  readonly #watch: ConfWatch | null;
  readonly #log: Logger;
  #expected: string | null = null;
  #queue: Promise<unknown> = Promise.resolve();

  constructor(options: ManagedIniOptions) {
    this.#o = options;
    this.path = options.path;
    this.#log = options.logger ?? silentLogger;
    this.#versions = new ConfVersions(options.versionsDir, options.keepVersions, { dir: options.versionsDir, ext: 'ini' });
    this.#watch = options.watch === false ? null : new ConfWatch({
      paths: [options.path],
      onChange: () => void this.#exclusive(() => this.#checkDrift()).catch((err) => this.#log.error({ err }, `${options.label} drift check failed`)),
      ...options.watch,
    });
  }

  #exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.#queue.then(fn, fn);
    this.#queue = run.catch(() => {});
    return run;
  }

  #emit(type: string, level: 'info' | 'warn', message: string, data: Record<string, unknown>): void {
    this.#o.onEvent?.({ type, level, message, data: { path: this.path, file: this.#o.label, ...data } });
  }

  async #read(): Promise<string | null> {
    return existsSync(this.path) ? readFile(this.path, 'utf8') : null;
  }

  async #write(text: string, previous: string | null, reason: string): Promise<number | null> {
    const before = this.#expected;
    this.#expected = text; // before the rename: the watcher may fire at once and must see it as ours
    try {
      const version = await this.#versions.record(previous, reason, this.#o.now?.() ?? new Date());
      await writeFileAtomic(this.path, text, { mode: this.#o.mode });
      return version;
    } catch (err) {
      this.#expected = before;
      throw err;
    }
  }

  /** Owned keys over the file as found (else the template); written only when a byte changes. Starts the drift watch. */
  async render(reason: string): Promise<{ changed: boolean; version: number | null }> {
    const result = await this.#exclusive(async () => {
      await this.#checkDrift(); // an outside edit not handled yet is judged, not silently built upon
      const current = await this.#read();
      const next = applyOwned(IniDocument.parse(current ?? (await this.#o.template())), this.#o.owned()).toString();
      if (next === current) {
        this.#expected = current;
        return { changed: false, version: null };
      }
      const version = await this.#write(next, current, reason);
      this.#emit('conf.changed', 'info', `${this.#o.label} rendered: ${reason}`, { reason, version, keys: current === null ? [] : ownedDifferences(IniDocument.parse(current), this.#o.owned()) });
      return { changed: true, version };
    });
    await this.#watch?.start();
    return result;
  }

  /** Call inside #exclusive. */
  async #checkDrift(): Promise<void> {
    const expected = this.#expected;
    if (expected === null) return;
    const text = await this.#read();
    if (text === expected) return;
    if (text === null) {
      await this.#write(expected, null, 'restored after deletion');
      this.#emit('conf.drift', 'warn', `${this.#o.label} was deleted: the managed one is back`, { action: 'restored', keys: [] });
      return;
    }
    const doc = IniDocument.parse(text);
    const touched = ownedDifferences(doc, this.#o.owned());
    if (this.#o.driftPolicy === 'restore') {
      await this.#write(expected, text, 'outside edit undone');
      this.#emit('conf.drift', 'info', `outside edit of ${this.#o.label} undone (conf.driftPolicy is restore)`, { action: 'restored', keys: touched });
      return;
    }
    // Adopt what others changed, but never the daemon's own keys.
    const next = applyOwned(doc, this.#o.owned()).toString();
    const othersChanged = next !== expected;
    if (next !== text) await this.#write(next, text, `outside edit of ${touched.join(', ')} undone`);
    else {
      this.#expected = text;
      await this.#versions.record(expected, 'outside edit adopted', this.#o.now?.() ?? new Date());
    }
    if (touched.length > 0) {
      this.#emit('conf.drift', 'warn', `outside edit of daemon-managed ${this.#o.label} keys undone: ${touched.join(', ')}`, { action: 'restored', keys: touched });
    }
    if (othersChanged) {
      this.#emit('conf.drift', 'info', `outside edit of ${this.#o.label} adopted`, { action: 'adopted', keys: [] });
      if (this.#o.restartOnAdopt) this.#o.requestRestart?.(`${this.#o.label} changed`);
    }
  }

  /** The file as the daemon last wrote or adopted it, `redact` applied line by line. */
  async current(redact: (line: string) => string): Promise<string> {
    return ((await this.#read()) ?? '').split('\n').map(redact).join('\n');
  }

  versions(): Promise<ConfVersion[]> {
    return this.#versions.list();
  }

  async close(): Promise<void> {
    await this.#watch?.close();
  }
}
