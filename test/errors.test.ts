/**
 * The error catalog (daemon/errors.ts): every factory has a unique, stable-looking code and a
 * 4xx/5xx status, and every one is raised somewhere — a code nobody raises is a promise the
 * API does not keep.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import t from 'tap';
import * as catalog from '../daemon/errors.js';
import { packageRoot } from '../daemon/package-root.js';

const factories = Object.entries(catalog).filter(([name]) => name.startsWith('ERR_')) as Array<[string, catalog.IbgwErrorFactory]>;

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name);
    if (e.isDirectory()) return sources(path);
    return e.name.endsWith('.ts') ? [path] : [];
  });
}

t.test('each factory: a unique IBGW_ code, a 4xx/5xx status, errors it recognises', async (t) => {
  t.ok(factories.length > 20, 'the catalog was read');
  const seen = new Map<string, string>();
  for (const [name, factory] of factories) {
    t.type(factory, 'function', name);
    t.match(factory.code, /^IBGW_[A-Z0-9_]+$/, `${name}: code shape`);
    t.notOk(seen.has(factory.code), `${name}: code ${factory.code} not also used by ${seen.get(factory.code)}`);
    seen.set(factory.code, name);
    t.ok(factory.statusCode >= 400 && factory.statusCode <= 599, `${name}: status ${factory.statusCode} is 4xx/5xx`);
    const err = factory('a', 'b', 'c', 'd');
    t.ok(catalog.isIbgwError(err), `${name}: makes an IbgwError`);
    t.match(err, { code: factory.code, statusCode: factory.statusCode }, `${name}: carries code and status`);
    t.ok(factory.is(err), `${name}: is() knows its own errors`);
    t.notOk(err.message.includes('%s'), `${name}: every placeholder filled`);
  }
});

t.test('every factory is raised outside the catalog, and no code is spelled out as a literal', async (t) => {
  const files = [...sources(join(packageRoot, 'daemon')), ...sources(join(packageRoot, 'scripts'))].filter((f) => !f.endsWith(join('daemon', 'errors.ts')));
  const text = new Map(files.map((f) => [relative(packageRoot, f), readFileSync(f, 'utf8')]));
  for (const [name, factory] of factories) {
    const users = [...text].filter(([, src]) => new RegExp(`\\b${name}\\b`).test(src)).map(([f]) => f);
    t.ok(users.length > 0, `${name} is referenced outside daemon/errors.ts`);
    // Raising by code keeps one source of truth: ERR_X.code, not 'IBGW_X' typed again.
    const literal = [...text].filter(([, src]) => src.includes(`'${factory.code}'`) || src.includes(`"${factory.code}"`)).map(([f]) => f);
    t.same(literal, [], `${factory.code} is not written as a string literal outside the catalog`);
  }
});
