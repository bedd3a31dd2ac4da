/**
 * Screenshots of failed attempts in <dataDir>/login/, the newest `keep` of them. Names sort by
 * time (`login-failed-2025-01-15T06-00-00-000Z-<code>.png`), so pruning needs no stat calls.
 * The worker writes each one 0600 after emptying the page's password field.
 */
import { readdirSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';

const PREFIX = 'login-failed-';

export function screenshotName(at: number, code: string): string {
  const stamp = new Date(at).toISOString().replace(/[:.]/g, '-');
  return `${PREFIX}${stamp}-${code.replace(/^IBGW_LOGIN_/, '').toLowerCase().replace(/[^a-z0-9_-]/g, '')}.png`;
}

/** Moves a fresh screenshot into place and drops the oldest beyond `keep`; returns its name, or null when none are kept. */
export function keepScreenshot(dir: string, tempPath: string, name: string, keep: number): string | null {
  if (keep <= 0) {
    rmSync(tempPath, { force: true });
    return null;
  }
  renameSync(tempPath, join(dir, name));
  const all = readdirSync(dir).filter((f) => f.startsWith(PREFIX) && f.endsWith('.png')).sort();
  for (const old of all.slice(0, Math.max(0, all.length - keep))) rmSync(join(dir, old), { force: true });
  return name;
}

export function listScreenshots(dir: string): string[] {
  try {
    return readdirSync(dir).filter((f) => f.startsWith(PREFIX) && f.endsWith('.png')).sort();
  } catch {
    return [];
  }
}
