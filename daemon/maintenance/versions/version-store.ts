/**
 * Installed Client Portal Gateway distributions under <dataDir>/versions/<id>, and which one
 * the gateway runs. Installing only stages a version (checked layout, known build); an
 * `update` window or `use` switches to it, and a failed health gate switches back. The active
 * version's folder becomes the clientportal kind's gateway.home at the next launch; with none
 * active, gateway.home from the config is used.
 */
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { cp, mkdir, readFile, rename, rm } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { ERR_GATEWAY_UNMANAGED, ERR_VERSION_ARCHIVE, ERR_VERSION_NOT_FOUND } from '../../errors.js';
import type { EventSink } from '../../events.js';
import { writeFileAtomic } from '../../atomic-write.js';
import { inspectDistribution } from './distribution.js';
import { ZipArchive } from './zip-reader.js';

export interface InstalledVersion {
  id: string;
  build: string | null;
  builtAt: string | null;
  implementationVersion: string | null;
  installedAt: string;
  /** The zip, folder or URL it came from. */
  source: string;
  jar: string;
  /** Set when a health gate failed on it: never picked as "the staged version" again. */
  failed?: { at: string; reason: string };
}

interface VersionIndex {
  active: string | null;
  /** What `active` replaced: a rollback's target, never pruned. */
  previous: string | null;
  versions: InstalledVersion[];
}

export interface GatewayVersionsOptions {
  /** <dataDir>/versions */
  dir: string;
  keep: () => number;
  /** False unless gateway.kind is clientportal: versions only mean something there. */
  enabled: () => boolean;
  onEvent?: EventSink;
  now?: () => number;
}

export interface VersionList {
  active: string | null;
  previous: string | null;
  staged: string | null;
  versions: Array<InstalledVersion & { active: boolean; home: string }>;
}

export class GatewayVersions {
  private index: VersionIndex;
  private readonly indexPath: string;
  private queue: Promise<unknown> = Promise.resolve();

  constructor(private readonly options: GatewayVersionsOptions) {
    this.indexPath = join(options.dir, 'index.json');
    this.index = this.load();
  }

  private load(): VersionIndex {
    try {
      const idx = JSON.parse(readFileSync(this.indexPath, 'utf8')) as VersionIndex;
      if (Array.isArray(idx.versions)) return idx;
    } catch {
      /* none yet, or torn: the folders are still there, only the list is lost */
    }
    return { active: null, previous: null, versions: [] };
  }

  private async save(): Promise<void> {
    await writeFileAtomic(this.indexPath, JSON.stringify(this.index, null, 2) + '\n');
  }

  private serial<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.queue.then(fn);
    this.queue = run.catch(() => {});
    return run;
  }

  private assertEnabled(what: string): void {
    if (!this.options.enabled()) throw ERR_GATEWAY_UNMANAGED(what, 'gateway versions exist for gateway.kind clientportal only');
  }

  private iso(): string {
    return new Date((this.options.now ?? Date.now)()).toISOString();
  }

  homeOf(id: string): string {
    return join(this.options.dir, id);
  }

  /** The folder the next launch uses, or null (then gateway.home). Called at every launch. */
  activeHome(): string | null {
    return this.options.enabled() && this.index.active ? this.homeOf(this.index.active) : null;
  }

  activeId(): string | null {
    return this.index.active;
  }

  get(id: string): InstalledVersion {
    const v = this.index.versions.find((x) => x.id === id);
    if (!v) throw ERR_VERSION_NOT_FOUND(id);
    return v;
  }

  /**
   * What an update window installs: the newest version installed after the active one that
   * never failed a health gate. An older one is not an update (switch back with `use`).
   */
  staged(): InstalledVersion | null {
    const active = this.index.versions.find((v) => v.id === this.index.active);
    const candidates = this.index.versions.filter((v) => v !== active && !v.failed && (!active || v.installedAt > active.installedAt));
    return candidates.sort((a, b) => b.installedAt.localeCompare(a.installedAt))[0] ?? null;
  }

  list(): VersionList {
    const { active, previous } = this.index;
    const versions = [...this.index.versions]
      .sort((a, b) => b.installedAt.localeCompare(a.installedAt))
      .map((v) => ({ ...v, active: v.id === active, home: this.homeOf(v.id) }));
    return { active, previous, staged: this.staged()?.id ?? null, versions };
  }

  /** Stages a distribution (zip or folder). Installing a build that is already there changes nothing. */
  install(source: string): Promise<{ version: InstalledVersion; installed: boolean }> {
    this.assertEnabled('gateway versions');
    return this.serial(async () => {
      const path = resolve(source);
      if (!existsSync(path)) throw ERR_VERSION_ARCHIVE(path, 'no such file or folder');
      const incoming = join(this.options.dir, `.incoming-${randomBytes(4).toString('hex')}`);
      await mkdir(incoming, { recursive: true });
      try {
        if (statSync(path).isDirectory()) await cp(path, incoming, { recursive: true, verbatimSymlinks: true });
        else await (await ZipArchive.open(path)).extractTo(incoming);
        const info = await inspectDistribution(incoming, path);
        const id = info.build ?? `sha-${createHash('sha256').update(await readFile(join(info.root, info.jar))).digest('hex').slice(0, 12)}`;
        const existing = this.index.versions.find((v) => v.id === id);
        if (existing) return { version: existing, installed: false };
        await rm(this.homeOf(id), { recursive: true, force: true }); // a folder left by a torn install
        await rename(info.root, this.homeOf(id));
        const version: InstalledVersion = {
          id, build: info.build, builtAt: info.builtAt, implementationVersion: info.implementationVersion,
          installedAt: this.iso(), source: path, jar: info.jar,
        };
        this.index.versions.push(version);
        await this.save();
        this.options.onEvent?.({ type: 'gateway.version-installed', level: 'info', message: `gateway version ${id} installed${info.build ? ` (build ${info.build})` : ''}; an update window or \`ibgw gateway use ${id}\` switches to it`, data: { id, build: info.build, builtAt: info.builtAt, source: path } });
        await this.pruneLocked();
        return { version, installed: true };
      } finally {
        await rm(incoming, { recursive: true, force: true });
      }
    });
  }

  /** Makes `id` (null: gateway.home from the config) the version the next launch runs. */
  use(id: string | null, reason: string): Promise<void> {
    this.assertEnabled('gateway versions');
    return this.serial(async () => {
      if (id !== null) this.get(id);
      const from = this.index.active;
      if (from === id) return;
      this.index.previous = from;
      this.index.active = id;
      await this.save();
      this.options.onEvent?.({ type: 'gateway.version-switched', level: 'info', message: `gateway version ${from ?? 'gateway.home'} → ${id ?? 'gateway.home'}: ${reason}`, data: { from, to: id, reason } });
    });
  }

  markFailed(id: string, reason: string): Promise<void> {
    return this.serial(async () => {
      const v = this.index.versions.find((x) => x.id === id);
      if (!v) return;
      v.failed = { at: this.iso(), reason };
      await this.save();
    });
  }

  private async pruneLocked(): Promise<void> {
    const { active, previous } = this.index;
    const newest = [...this.index.versions].sort((a, b) => b.installedAt.localeCompare(a.installedAt));
    const keep = new Set(newest.slice(0, this.options.keep()).map((v) => v.id));
    const gone = newest.filter((v) => !keep.has(v.id) && v.id !== active && v.id !== previous);
    if (gone.length === 0) return;
    this.index.versions = this.index.versions.filter((v) => !gone.includes(v));
    await this.save();
    for (const v of gone) await rm(this.homeOf(v.id), { recursive: true, force: true });
    this.options.onEvent?.({ type: 'gateway.version-pruned', level: 'info', message: `removed gateway version(s) ${gone.map((v) => v.id).join(', ')} (maintenance.versions.keep ${this.options.keep()})`, data: { ids: gone.map((v) => v.id) } });
  }
}
