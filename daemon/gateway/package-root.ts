import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from '../package-root.js';

/** A simulator asset (e.g. conf.yaml): the built copy first, then the source tree. */
export function bundledSimAsset(name: string, root: string = packageRoot): string | null {
  for (const dir of ['dist/scripts/sim/assets', 'scripts/sim/assets']) {
    const path = join(root, dir, name);
    if (existsSync(path)) return path;
  }
  return null;
}

/** The compiled simulator entry point (child processes always run compiled JS). */
export function simulatorMain(root: string = packageRoot): string {
  return join(root, 'dist', 'scripts', 'sim', 'main.js');
}
