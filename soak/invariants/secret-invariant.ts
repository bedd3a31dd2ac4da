/**
 * No secret in any log: the daemon's pm2 logs, the gateway output the daemon captured, the
 * simulated gateway's own logs and the store. Log files are read incrementally (they only
 * grow, or start over when rotated); the store is rewritten whole, so it is read whole.
 *
 * The gateway's own start log prints its conf.yaml, keystore password included — the real
 * gateway does that too (shared notes: "treat gateway logs as secret-bearing") — so the
 * keystore password is looked for everywhere except there.
 */
import { closeSync, lstatSync, openSync, readdirSync, readFileSync, readSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Violations } from '../violations.js';

export interface Secret {
  name: string;
  value: string;
  /** Files where this secret may appear by design (a path test). */
  allowedIn?: (path: string) => boolean;
}

interface Cursor {
  offset: number;
  /** The tail of the last read, so a secret split across two reads is still found. */
  carry: string;
}

export class SecretInvariant {
  readonly #violations: Violations;
  readonly #dirs: string[];
  readonly #wholeFiles: string[];
  readonly #secrets: Secret[] = [];
  readonly #cursors = new Map<string, Cursor>();
  bytesScanned = 0;
  filesScanned = new Set<string>();

  /** `dirs`: folders of append-only logs (not recursive); `wholeFiles`: files rewritten in place. */
  constructor(violations: Violations, dirs: string[], wholeFiles: string[]) {
    this.#violations = violations;
    this.#dirs = dirs;
    this.#wholeFiles = wholeFiles;
  }

  /** A secret to look for (values shorter than 8 characters would match by chance; refused). */
  add(secret: Secret): void {
    if (secret.value.length < 8 || this.#secrets.some((s) => s.value === secret.value)) return;
    this.#secrets.push(secret);
  }

  check(): void {
    for (const dir of this.#dirs) {
      let names: string[];
      try { names = readdirSync(dir); } catch { continue; }
      for (const name of names) this.#scanAppended(join(dir, name));
    }
    for (const file of this.#wholeFiles) {
      try {
        this.#search(file, readFileSync(file, 'utf8'));
      } catch {
        // not there yet
      }
    }
  }

  #scanAppended(path: string): void {
    let size: number;
    try {
      const st = statSync(path);
      if (!st.isFile()) return;
      size = st.size;
    } catch {
      return;
    }
    const cursor = this.#cursors.get(path) ?? { offset: 0, carry: '' };
    if (size < cursor.offset) Object.assign(cursor, { offset: 0, carry: '' }); // rotated or truncated
    if (size === cursor.offset) return;
    const length = Math.min(size - cursor.offset, 8 * 1024 * 1024);
    const buffer = Buffer.alloc(length);
    const fd = openSync(path, 'r');
    try {
      readSync(fd, buffer, 0, length, cursor.offset);
    } finally {
      closeSync(fd);
    }
    const text = cursor.carry + buffer.toString('utf8');
    this.#search(path, text);
    const keep = Math.max(0, ...this.#secrets.map((s) => s.value.length)) - 1;
    cursor.offset += length;
    cursor.carry = keep > 0 ? text.slice(-keep) : '';
    this.#cursors.set(path, cursor);
  }

  /**
   * Files that hold a secret are the owner's alone (mode 0600 or narrower): the vault, the admin
   * token, the gateway's conf.yaml and keystore, IBC's config.ini and its kept versions, the
   * logs that print the keystore password. Walks `root` (not following links) at the end of a run.
   */
  checkFileModes(root: string, maxDepth = 6): number {
    let checked = 0;
    const walk = (dir: string, depth: number) => {
      let names: string[];
      try { names = readdirSync(dir); } catch { return; }
      for (const name of names) {
        const path = join(dir, name);
        let st;
        try { st = lstatSync(path); } catch { continue; }
        if (st.isDirectory()) {
          if (depth < maxDepth) walk(path, depth + 1);
          continue;
        }
        if (!st.isFile() || st.size > 16 * 1024 * 1024) continue;
        let text: string;
        try { text = readFileSync(path, 'utf8'); } catch { continue; }
        const held = this.#secrets.filter((secret) => text.includes(secret.value));
        if (held.length === 0) continue;
        checked += 1;
        if ((st.mode & 0o077) !== 0) {
          this.#violations.record('secret-file-mode', `${path} holds ${held.map((h) => h.name).join(', ')} with mode ${(st.mode & 0o777).toString(8)} (others than its owner may read it)`, { key: path });
        }
      }
    };
    walk(root, 0);
    this.secretFiles += checked;
    return checked;
  }

  /** Files found holding a secret by checkFileModes (each must be 0600 or narrower). */
  secretFiles = 0;

  #search(path: string, text: string): void {
    this.bytesScanned += text.length;
    this.filesScanned.add(path);
    for (const secret of this.#secrets) {
      if (secret.allowedIn?.(path)) continue;
      if (text.includes(secret.value)) {
        this.#violations.record('secret-in-log', `${secret.name} appears in ${path}`, { key: `${secret.name} ${path}` });
      }
    }
  }
}
