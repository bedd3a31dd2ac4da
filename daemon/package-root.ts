import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The folder holding the package's package.json, found by walking up from this module.
 * The same code runs compiled from dist/daemon/ and as TypeScript from daemon/ under the
 * test loader, so fixed relative paths ('../..') would be wrong in one of the two.
 */
function findRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (existsSync(join(dir, 'package.json'))) return dir;
    const parent = dirname(dir);
    if (parent === dir) throw new Error('package.json not found above ' + fileURLToPath(import.meta.url));
    dir = parent;
  }
}

export const packageRoot = findRoot();

export const packageVersion: string = (JSON.parse(readFileSync(join(packageRoot, 'package.json'), 'utf8')) as { version: string }).version;

/** A compiled asset: dist/ first (what npm start runs), else the source tree. */
export function packagePath(...parts: string[]): string {
  const built = join(packageRoot, 'dist', ...parts);
  return existsSync(built) ? built : join(packageRoot, ...parts);
}
