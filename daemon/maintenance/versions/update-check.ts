/**
 * The setup guide's "check for gateway updates", off by default: a download URL polled with
 * conditional requests (ETag / Last-Modified, so an unchanged file costs one 304), a changed
 * file downloaded, checked and staged like `ibgw gateway install`, and announced with
 * `gateway.update-available`. It never switches versions itself: an update window does.
 */
import { randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import { ERR_UPDATE_CHECK } from '../../errors.js';
import type { EventSink } from '../../events.js';
import { silentLogger, type Logger } from '../../logger.js';
import { writeFileAtomic } from '../../atomic-write.js';
import type { GatewayVersions } from './version-store.js';

export interface UpdateCheckSettings {
  url: string | null;
  intervalMinutes: number;
  timeoutMs: number;
}

export interface UpdateCheckOptions {
  config: () => UpdateCheckSettings;
  versions: Pick<GatewayVersions, 'install'>;
  /** <dataDir>/versions: the state file and downloads go here. */
  dir: string;
  onEvent?: EventSink;
  logger?: Logger;
  /** Downloads larger than this are refused (the real zip is ~20 MB). */
  maxBytes?: number;
  /** First check this long after start (default 60 s: not during the daemon's own start). */
  firstDelayMs?: number;
}

interface CheckState { etag: string | null; lastModified: string | null; checkedAt: string | null; result: string | null }

export type CheckResult = { status: 'off' | 'not-modified' } | { status: 'unchanged' | 'installed'; id: string; build: string | null };

/** The URL as events may show it: no credentials, no query (tokens live there). */
export function publicUrl(url: string): string {
  try {
    const u = new URL(url);
    return `${u.origin}${u.pathname}`;
  } catch {
    return '(invalid url)';
  }
}

export class UpdateCheck {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<CheckResult> | null = null;
  private stopped = true;
  private readonly statePath: string;
  private readonly logger: Logger;

  constructor(private readonly options: UpdateCheckOptions) {
    this.statePath = join(options.dir, 'update-check.json');
    this.logger = options.logger ?? silentLogger;
  }

  async start(): Promise<void> {
    this.stopped = false;
    this.arm(this.options.firstDelayMs ?? 60_000);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.running?.catch(() => {});
  }

  /** Config changed: the next check follows the new interval (a new URL starts without validators). */
  reconfigure(): void {
    if (!this.stopped) this.arm(this.options.config().intervalMinutes * 60_000);
  }

  private arm(delayMs: number): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      void this.checkNow()
        .catch((err: Error) => this.logger.warn({ err: err.message }, 'gateway update check failed'))
        .finally(() => { if (!this.stopped) this.arm(this.options.config().intervalMinutes * 60_000); });
    }, delayMs);
    this.timer.unref();
  }

  private async readState(url: string): Promise<CheckState> {
    try {
      const s = JSON.parse(await readFile(this.statePath, 'utf8')) as CheckState & { url?: string };
      if (s.url === url) return s;
    } catch {
      /* first check */
    }
    return { etag: null, lastModified: null, checkedAt: null, result: null };
  }

  private async writeState(url: string, state: CheckState): Promise<void> {
    // 0600: the URL may carry a token.
    await writeFileAtomic(this.statePath, JSON.stringify({ url, ...state }, null, 2) + '\n', { mode: 0o600 });
  }

  checkNow(): Promise<CheckResult> {
    this.running ??= this.check().finally(() => { this.running = null; });
    return this.running;
  }

  private async check(): Promise<CheckResult> {
    const { url, timeoutMs } = this.options.config();
    if (!url) return { status: 'off' };
    const shown = publicUrl(url);
    const state = await this.readState(url);
    const headers: Record<string, string> = {};
    if (state.etag) headers['if-none-match'] = state.etag;
    if (state.lastModified) headers['if-modified-since'] = state.lastModified;
    try {
      const res = await fetch(url, { headers, signal: AbortSignal.timeout(timeoutMs) });
      const checkedAt = new Date().toISOString();
      if (res.status === 304) {
        await res.body?.cancel();
        await this.writeState(url, { ...state, checkedAt, result: 'not-modified' });
        return { status: 'not-modified' };
      }
      if (!res.ok || !res.body) {
        await res.body?.cancel();
        throw new Error(`HTTP ${res.status}`);
      }
      const file = join(this.options.dir, `.download-${randomBytes(4).toString('hex')}.zip`);
      try {
        await this.download(res.body as unknown as WebReadableStream<Uint8Array>, file);
        const { version, installed } = await this.options.versions.install(file);
        await this.writeState(url, { etag: res.headers.get('etag'), lastModified: res.headers.get('last-modified'), checkedAt, result: installed ? `installed ${version.id}` : `unchanged ${version.id}` });
        if (installed) {
          this.options.onEvent?.({ type: 'gateway.update-available', level: 'info', message: `a new gateway build ${version.build ?? version.id} was downloaded and staged; the next update window installs it`, data: { id: version.id, build: version.build, url: shown } });
        }
        return { status: installed ? 'installed' : 'unchanged', id: version.id, build: version.build };
      } finally {
        await rm(file, { force: true });
      }
    } catch (err) {
      const why = (err as Error).message;
      this.options.onEvent?.({ type: 'gateway.update-check-failed', level: 'warn', message: `gateway update check of ${shown} failed: ${why}`, data: { url: shown, error: why } });
      throw ERR_UPDATE_CHECK(shown, why);
    }
  }

  private async download(body: WebReadableStream<Uint8Array>, file: string): Promise<void> {
    const max = this.options.maxBytes ?? 512 * 1024 * 1024;
    await mkdir(this.options.dir, { recursive: true });
    let total = 0;
    const limit = new Transform({
      transform(chunk: Buffer, _enc, done) {
        total += chunk.length;
        done(total > max ? new Error(`download larger than ${max} bytes`) : null, chunk);
      },
    });
    await pipeline(Readable.fromWeb(body), limit, createWriteStream(file, { mode: 0o600 }));
  }
}
