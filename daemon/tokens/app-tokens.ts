/**
 * App tokens: bearer tokens for local apps, each with a scope (`read`: status, portfolio, GET
 * pass-through, events, metrics; `trade`: that and non-GET pass-through). Shown once at
 * creation and stored only as a SHA-256 digest, in <dataDir>/app-tokens.json (mode 0600,
 * written atomically).
 *
 * Why a plain SHA-256 and not bcrypt/scrypt: a slow hash protects secrets people choose, which
 * are guessable; these tokens are 256 random bits. Nobody can search that space whatever the
 * hash costs, so a fast digest loses nothing, and each API call does not pay tens of
 * milliseconds of CPU. The file still never holds anything that works as a token.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ERR_TOKEN_INVALID, ERR_TOKEN_LIMIT, ERR_TOKEN_NAME_TAKEN, ERR_TOKEN_NOT_FOUND } from '../errors.js';
import { writeFileAtomic } from '../atomic-write.js';

export type TokenScope = 'read' | 'trade';

export interface AppToken {
  id: string;
  name: string;
  scope: TokenScope;
  createdAt: string;
  lastUsedAt: string | null;
  lastUsedFrom: string | null;
}

interface TokenRecord extends AppToken {
  /** SHA-256 of the token, hex. */
  digest: string;
}

export const APP_TOKENS_FILE = 'app-tokens.json';
export const TOKEN_PREFIX = 'ibgw_';
const MAX_TOKENS = 100;
/** Last-used times are written at most this often: not a disk write per API call. */
const LAST_USED_FLUSH_MS = 30_000;

export const tokenDigest = (token: string): Buffer => createHash('sha256').update(token).digest();

export interface AppTokensOptions {
  dataDir: string;
  now?: () => number;
  onError?: (err: Error) => void;
}

export class AppTokens {
  readonly file: string;
  readonly #now: () => number;
  readonly #onError: (err: Error) => void;
  #records: TokenRecord[] = [];
  /** Digests as buffers, parallel to #records, so a check allocates nothing per record. */
  #digests: Buffer[] = [];
  #flushTimer: NodeJS.Timeout | null = null;
  #writing: Promise<void> = Promise.resolve();

  constructor(options: AppTokensOptions) {
    this.file = join(options.dataDir, APP_TOKENS_FILE);
    this.#now = options.now ?? Date.now;
    this.#onError = options.onError ?? (() => {});
  }

  async load(): Promise<void> {
    let text: string;
    try {
      text = await readFile(this.file, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw err;
    }
    const parsed = JSON.parse(text) as { tokens?: TokenRecord[] };
    this.#set((parsed.tokens ?? []).filter((r) => /^[0-9a-f]{64}$/.test(r.digest) && (r.scope === 'read' || r.scope === 'trade')));
  }

  #set(records: TokenRecord[]): void {
    this.#records = records;
    this.#digests = records.map((r) => Buffer.from(r.digest, 'hex'));
  }

  list(): AppToken[] {
    return this.#records.map(({ digest: _digest, ...token }) => token);
  }

  /** The new token, returned once: only its digest is kept. */
  async create(name: string, scope: TokenScope): Promise<AppToken & { token: string }> {
    const clean = name.trim();
    if (!/^[A-Za-z0-9][A-Za-z0-9 ._-]{0,63}$/.test(clean)) throw ERR_TOKEN_INVALID('name', 'letters, digits, space, dot, dash, underscore; 1-64 characters');
    if (this.#records.some((r) => r.name === clean)) throw ERR_TOKEN_NAME_TAKEN(clean);
    if (this.#records.length >= MAX_TOKENS) throw ERR_TOKEN_LIMIT(MAX_TOKENS);
    const token = TOKEN_PREFIX + randomBytes(32).toString('base64url');
    const record: TokenRecord = {
      id: randomBytes(6).toString('hex'), name: clean, scope, createdAt: new Date(this.#now()).toISOString(),
      lastUsedAt: null, lastUsedFrom: null, digest: tokenDigest(token).toString('hex'),
    };
    this.#set([...this.#records, record]);
    await this.#write();
    const { digest: _digest, ...shown } = record;
    return { ...shown, token };
  }

  /** By id or by name. */
  async revoke(idOrName: string): Promise<AppToken> {
    const record = this.#records.find((r) => r.id === idOrName) ?? this.#records.find((r) => r.name === idOrName);
    if (!record) throw ERR_TOKEN_NOT_FOUND(idOrName);
    this.#set(this.#records.filter((r) => r !== record));
    await this.#write();
    const { digest: _digest, ...token } = record;
    return token;
  }

  /**
   * The token whose digest matches, or null. Every record is compared, in constant time and
   * without stopping at a match: how long this takes depends on how many tokens exist, never
   * on how close the offered one came to any of them.
   */
  verify(offered: Buffer, from: string): AppToken | null {
    let found = -1;
    for (let i = 0; i < this.#digests.length; i++) {
      if (timingSafeEqual(offered, this.#digests[i]!) && found === -1) found = i;
    }
    if (found === -1) return null;
    const record = this.#records[found]!;
    record.lastUsedAt = new Date(this.#now()).toISOString();
    record.lastUsedFrom = from;
    this.#scheduleFlush();
    const { digest: _digest, ...token } = record;
    return token;
  }

  #scheduleFlush(): void {
    if (this.#flushTimer) return;
    this.#flushTimer = setTimeout(() => { this.#flushTimer = null; this.#write().catch(this.#onError); }, LAST_USED_FLUSH_MS);
    this.#flushTimer.unref();
  }

  /** Writes now (last-used times included); resolves when on disk. */
  async flush(): Promise<void> {
    if (this.#flushTimer) clearTimeout(this.#flushTimer);
    this.#flushTimer = null;
    await this.#write();
  }

  /** Writes in order; the returned promise rejects when this write fails (create and revoke must not pretend). */
  #write(): Promise<void> {
    const body = JSON.stringify({ version: 1, tokens: this.#records }, null, 2) + '\n';
    const write = this.#writing.then(() => writeFileAtomic(this.file, body, { mode: 0o600 }));
    this.#writing = write.catch(() => undefined);
    return write;
  }
}
