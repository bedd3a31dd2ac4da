/**
 * The three things a rollback puts back, each behind the narrowest view of its owner:
 * - the managed conf.yaml (its text, written back through the conf service so the daemon's
 *   own values — port, keystore — are applied again and the drift watch knows the write);
 * - the certificate files in <dataDir>/tls (the next launch's tls.ensure() reuses them);
 * - the active gateway version (the one that failed is marked, so no update picks it again).
 */
import { createHash } from 'node:crypto';
import { existsSync, statSync } from 'node:fs';
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic } from '../atomic-write.js';
import type { CapturedPart, RestorePart } from './rollback-point.js';

export interface ConfSnapshotView {
  /** The managed conf as on disk (null before the first render). */
  read(): Promise<string | null>;
  /** Writes `text` back as the managed conf. */
  restore(text: string, reason: string): Promise<unknown>;
}

export function confPart(conf: () => ConfSnapshotView | null): RestorePart {
  const summary = (text: string) => `conf.yaml ${createHash('sha256').update(text).digest('hex').slice(0, 12)} (${text.split('\n').length} lines)`;
  return {
    name: 'conf',
    async capture(dir) {
      const text = await conf()?.read();
      if (text === null || text === undefined) return null;
      await mkdir(dir, { recursive: true, mode: 0o700 });
      await writeFileAtomic(join(dir, 'conf.yaml'), text, { mode: 0o600 });
      return { name: 'conf', summary: summary(text), data: null };
    },
    async restore(dir, _captured, reason) {
      const target = conf();
      if (target) await target.restore(await readFile(join(dir, 'conf.yaml'), 'utf8'), `rollback: ${reason}`);
    },
    async describe() {
      const text = await conf()?.read();
      return text ? summary(text) : null;
    },
  };
}

/** The files tls/ keeps for the generated or imported keystore; the CA key is restored too, in case a renewal replaced the CA. */
const TLS_FILES = ['keystore.p12', 'keystore.json', 'server.pem', 'ca.pem', 'ca-key.pem'];

async function fingerprintOf(tlsDir: string): Promise<string> {
  try {
    const state = JSON.parse(await readFile(join(tlsDir, 'keystore.json'), 'utf8')) as { fingerprint?: string; notAfter?: string };
    return `certificate ${state.fingerprint ?? '?'} (valid until ${state.notAfter ?? '?'})`;
  } catch {
    return 'certificate (no keystore state)';
  }
}

export function certificatePart(tlsDir: () => string | null): RestorePart {
  return {
    name: 'certificate',
    async capture(dir) {
      const src = tlsDir();
      if (!src || !existsSync(join(src, 'keystore.json'))) return null;
      await mkdir(dir, { recursive: true, mode: 0o700 });
      const files: Array<{ name: string; mode: number }> = [];
      for (const name of TLS_FILES) {
        const from = join(src, name);
        if (!existsSync(from)) continue;
        const mode = statSync(from).mode & 0o777;
        await writeFileAtomic(join(dir, name), await readFile(from), { mode: 0o600 });
        files.push({ name, mode });
      }
      return { name: 'certificate', summary: await fingerprintOf(src), data: { files } };
    },
    async restore(dir, captured) {
      const target = tlsDir();
      if (!target) return;
      for (const f of (captured.data as { files: Array<{ name: string; mode: number }> }).files) {
        await writeFileAtomic(join(target, f.name), await readFile(join(dir, f.name)), { mode: f.mode });
      }
    },
    async describe() {
      const src = tlsDir();
      return src && existsSync(join(src, 'keystore.json')) ? fingerprintOf(src) : null;
    },
  };
}

export interface VersionSwitchView {
  activeId(): string | null;
  use(id: string | null, reason: string): Promise<void>;
  markFailed(id: string, reason: string): Promise<void>;
}

export function versionPart(versions: () => VersionSwitchView | null): RestorePart {
  const label = (id: string | null) => `gateway version ${id ?? '(gateway.home)'}`;
  return {
    name: 'gateway-version',
    async capture() {
      const v = versions();
      if (!v) return null;
      const active = v.activeId();
      return { name: 'gateway-version', summary: label(active), data: { active } };
    },
    async restore(_dir, captured: CapturedPart, reason) {
      const v = versions();
      if (!v) return;
      const { active } = captured.data as { active: string | null };
      const current = v.activeId();
      if (current === active) return;
      if (current) await v.markFailed(current, reason);
      await v.use(active, `rollback: ${reason}`);
    },
    async describe() {
      const v = versions();
      return v ? label(v.activeId()) : null;
    },
  };
}
