import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** What the helpers need of a tap test: a place to register cleanup. */
export interface Teardown {
  teardown(fn: () => unknown): void;
}

/**
 * A fresh folder under the OS temp dir, removed when the test ends. tap runs teardowns last
 * registered first, so call this before starting anything that writes into the folder: the
 * process is stopped before its folder goes.
 */
export function tempDir(t: Teardown, prefix = 'ibgw-test-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  t.teardown(() => rmSync(dir, { recursive: true, force: true, maxRetries: 3 }));
  return dir;
}
