import { existsSync } from 'node:fs';
import { readFile, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { ERR_CONF_VERSION_NOT_FOUND } from '../errors.js';
import { writeFileAtomic } from '../atomic-write.js';

/** One earlier content of the managed conf, kept for rollback. */
export interface ConfVersion {
  id: number;
  /** When this content became the managed conf, and why. */
  writtenAt: string;
  reason: string;
  /** When it was replaced. */
  replacedAt: string;
}

interface VersionIndex {
  nextId: number;
  current: { writtenAt: string; reason: string } | null;
  versions: ConfVersion[];
}

/**
 * <dir>/versions/<id>.yaml plus index.json. Version files are 0600 like the conf itself: they
 * hold sslPwd. Ids only grow, so "roll back to 7" never silently means a different file.
 * Other managed files (IBC's config.ini, jts.ini) pass their own folder and extension.
 */
export class ConfVersions {
  readonly dir: string;
  private readonly indexPath: string;
  private readonly ext: string;

  constructor(confDir: string, private readonly keep: number, options: { dir?: string; ext?: string } = {}) {
    this.dir = options.dir ?? join(confDir, 'versions');
    this.ext = options.ext ?? 'yaml';
    this.indexPath = join(this.dir, 'index.json');
  }

  private async index(): Promise<VersionIndex> {
    if (!existsSync(this.indexPath)) return { nextId: 1, current: null, versions: [] };
    try {
      return JSON.parse(await readFile(this.indexPath, 'utf8')) as VersionIndex;
    } catch {
      return { nextId: 1, current: null, versions: [] }; // a torn index only loses history, never the conf
    }
  }

  async list(): Promise<ConfVersion[]> {
    return [...(await this.index()).versions].reverse();
  }

  async read(id: number): Promise<string> {
    const idx = await this.index();
    if (!idx.versions.some((v) => v.id === id)) throw ERR_CONF_VERSION_NOT_FOUND(id);
    return readFile(join(this.dir, `${id}.${this.ext}`), 'utf8');
  }

  /** Archives `previous` (the content being replaced) and records why the new content was written. */
  async record(previous: string | null, reason: string, now: Date): Promise<number | null> {
    const idx = await this.index();
    let archived: number | null = null;
    if (previous !== null && this.keep > 0) {
      archived = idx.nextId++;
      await writeFileAtomic(join(this.dir, `${archived}.${this.ext}`), previous, { mode: 0o600 });
      const was = idx.current ?? { writtenAt: now.toISOString(), reason: 'found on disk' };
      idx.versions.push({ id: archived, writtenAt: was.writtenAt, reason: was.reason, replacedAt: now.toISOString() });
    }
    idx.current = { writtenAt: now.toISOString(), reason };
    while (idx.versions.length > this.keep) {
      const old = idx.versions.shift()!;
      await unlink(join(this.dir, `${old.id}.${this.ext}`)).catch(() => {});
    }
    await writeFileAtomic(this.indexPath, JSON.stringify(idx, null, 2) + '\n', { mode: 0o600 });
    return archived;
  }
}
