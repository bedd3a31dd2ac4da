import { watch, type FSWatcher } from 'chokidar';
import { dirname, resolve } from 'node:path';

export interface ConfWatchOptions {
  paths: string[];
  onChange: (path: string, kind: 'change' | 'unlink') => void;
  /** How long a file must stay unchanged before it counts as written (editors save in steps). */
  stabilityMs?: number;
  /** Poll instead of inotify (network filesystems); tests keep the default. */
  usePolling?: boolean;
  intervalMs?: number;
}

/**
 * Watches the managed conf and its template. Tells the caller only that a path changed: the
 * caller compares the content with what it wrote itself, which is what tells an outside edit
 * from the daemon's own atomic rename.
 *
 * The folders are watched, not the files: every atomic write (ours or an editor's) replaces
 * the file's inode, and a watch on the file follows the old one until it is set up again — a
 * delete right after a restore could go unseen, leaving the gateway without its conf until the
 * next launch. A folder's watch sees every rename into it and every unlink.
 */
export class ConfWatch {
  private watcher: FSWatcher | null = null;

  constructor(private readonly options: ConfWatchOptions) {}

  async start(): Promise<void> {
    if (this.watcher) return;
    const stability = this.options.stabilityMs ?? 200;
    const files = new Set(this.options.paths.map((p) => resolve(p)));
    const folders = new Set([...files].map((p) => dirname(p)));
    const watcher = watch([...folders], {
      ignoreInitial: true,
      depth: 0,
      // Only the watched files: not the folder's other files, nor the temporary files of atomic writes.
      ignored: (path: string) => !folders.has(resolve(path)) && !files.has(resolve(path)),
      persistent: true,
      usePolling: this.options.usePolling ?? false,
      interval: this.options.intervalMs ?? 100,
      awaitWriteFinish: stability > 0 ? { stabilityThreshold: stability, pollInterval: Math.max(10, Math.floor(stability / 4)) } : false,
    });
    const tell = (p: string, kind: 'change' | 'unlink'): void => {
      const path = resolve(p);
      if (files.has(path)) this.options.onChange(this.options.paths.find((q) => resolve(q) === path) ?? path, kind);
    };
    watcher.on('add', (p) => tell(p, 'change'));
    watcher.on('change', (p) => tell(p, 'change'));
    watcher.on('unlink', (p) => tell(p, 'unlink'));
    watcher.on('error', () => {}); // a vanished folder must not crash the daemon; the next launch renders again
    this.watcher = watcher;
    await new Promise<void>((resolve) => watcher.once('ready', () => resolve()));
  }

  async close(): Promise<void> {
    const w = this.watcher;
    this.watcher = null;
    await w?.close();
  }
}
