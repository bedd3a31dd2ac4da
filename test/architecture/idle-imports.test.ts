/**
 * What the idle daemon loads: the static import graph of the compiled daemon (dist/, as node
 * loads it; type-only imports are gone there, `import()` and createRequire calls are the lazy
 * ones). Packages the daemon needs only for one act — making a certificate, sending a mail, a
 * login, a metrics scrape, pretty logs, a cron window, building schemas — must not be reached
 * from its entry point, or every idle daemon pays their megabytes (npm run bench, idle).
 */
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import t from 'tap';
import { packageRoot } from '../../daemon/package-root.js';

const LAZY_PACKAGES = ['@sinclair/typebox', 'node-forge', 'nodemailer', 'prom-client', 'pino-pretty', 'playwright-core', 'otpauth', 'croner'];

// Static forms only: `import … from 'x'`, `export … from 'x'`, `import 'x'`.
const STATIC_IMPORT = /^\s*(?:import|export)\s(?:[^'";]*?\sfrom\s*)?['"]([^'"]+)['"]/gm;

function packageName(specifier: string): string {
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0]!;
}

/** Our files reached from the entry, with the packages each imports; packages are not entered. */
export function staticGraph(entry: string): { files: Set<string>; packages: Map<string, string> } {
  const files = new Set<string>();
  const packages = new Map<string, string>();
  const visit = (file: string) => {
    if (files.has(file)) return;
    files.add(file);
    for (const match of readFileSync(file, 'utf8').matchAll(STATIC_IMPORT)) {
      const specifier = match[1]!;
      if (specifier.startsWith('node:')) continue;
      if (specifier.startsWith('.')) {
        const target = resolve(dirname(file), specifier);
        if (existsSync(target)) visit(target);
        continue;
      }
      const name = packageName(specifier);
      // A Node built-in without the node: prefix resolves to itself.
      if (createRequire(file).resolve.paths(name) === null) continue;
      if (!packages.has(name)) packages.set(name, file.slice(packageRoot.length + 1));
    }
  };
  visit(entry);
  return { files, packages };
}

t.test('the daemon command statically reaches none of the packages loaded on use', async (t) => {
  const { files, packages } = staticGraph(join(packageRoot, 'dist', 'daemon', 'main.js'));
  t.ok(files.size > 100, `${files.size} of our modules walked`);
  t.ok(packages.has('fastify') && packages.has('pino') && packages.has('yaml'), 'the walk sees the packages the daemon does need');
  for (const name of LAZY_PACKAGES) t.notOk(packages.has(name), `${name} is loaded on use${packages.has(name) ? ` (imported by ${packages.get(name)})` : ''}`);
});

t.test('the walk finds a static import where there is one', async (t) => {
  // The simulator's sim-config uses TypeBox's value checker for real: the walk must see it.
  const { packages } = staticGraph(join(packageRoot, 'dist', 'scripts', 'sim', 'sim-config.js'));
  t.ok(packages.has('@sinclair/typebox'));
});
