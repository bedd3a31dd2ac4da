import { watch, type FSWatcher } from 'chokidar';

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
 */
export class ConfWatch {
  private watcher: FSWatcher | null = null;

  constructor(private readonly options: ConfWatchOptions) {}

  async start(): Promise<void> {
    if (this.watcher) return;
    const stability = this.options.stabilityMs ?? 200;
    const watcher = watch(this.options.paths, {
      ignoreInitial: true,
      persistent: true,
      usePolling: this.options.usePolling ?? false,
      interval: this.options.intervalMs ?? 100,
      awaitWriteFinish: stability > 0 ? { stabilityThreshold: stability, pollInterval: Math.max(10, Math.floor(stability / 4)) } : false,
    });
    watcher.on('add', (p) => this.options.onChange(p, 'change'));
    watcher.on('change', (p) => this.options.onChange(p, 'change'));
    watcher.on('unlink', (p) => this.options.onChange(p, 'unlink'));
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
