import { createRequire } from 'node:module';
import t from 'tap';
import { cruise } from 'dependency-cruiser';
import { fileURLToPath } from 'node:url';

const repoRoot = fileURLToPath(new URL('../../', import.meta.url)).replace(/\/$/, '');

/** daemon/session/keeper.ts → daemon/session; files directly under daemon/ stand alone. */
function folderOf(path: string): string {
  const parts = path.split('/');
  return parts.length > 2 ? parts.slice(0, 2).join('/') : path;
}

/** One cycle in a directed graph, or null. */
function findCycle(edges: Map<string, Set<string>>): string[] | null {
  const state = new Map<string, 'open' | 'done'>();
  const stack: string[] = [];
  const visit = (node: string): string[] | null => {
    if (state.get(node) === 'done') return null;
    if (state.get(node) === 'open') return [...stack.slice(stack.indexOf(node)), node];
    state.set(node, 'open');
    stack.push(node);
    for (const next of edges.get(node) ?? []) {
      const cycle = visit(next);
      if (cycle) return cycle;
    }
    stack.pop();
    state.set(node, 'done');
    return null;
  };
  for (const node of edges.keys()) {
    const cycle = visit(node);
    if (cycle) return cycle;
  }
  return null;
}

t.test('the cycle finder finds a cycle and accepts a tree', async (t) => {
  t.same(findCycle(new Map([['a', new Set(['b'])], ['b', new Set(['c'])], ['c', new Set(['a'])]])), ['a', 'b', 'c', 'a']);
  t.equal(findCycle(new Map([['a', new Set(['b', 'c'])], ['b', new Set(['c'])]])), null);
});

t.test('no import cycle between the folders of daemon/ and scripts/', async (t) => {
  process.chdir(repoRoot);
  const config = createRequire(import.meta.url)(`${repoRoot}/.dependency-cruiser.cjs`);
  const result = await cruise(['daemon', 'scripts'], { ...config.options, validate: false }, undefined, { tsConfig: { fileName: 'tsconfig.json' } } as never);
  const output = result.output as { modules: Array<{ source: string; dependencies: Array<{ resolved: string; coreModule: boolean; couldNotResolve: boolean }> }> };
  const edges = new Map<string, Set<string>>();
  for (const m of output.modules) {
    if (!/^(daemon|scripts)\//.test(m.source)) continue;
    for (const d of m.dependencies) {
      if (d.coreModule || d.couldNotResolve || !/^(daemon|scripts)\//.test(d.resolved)) continue;
      const [from, to] = [folderOf(m.source), folderOf(d.resolved)];
      if (from !== to) edges.set(from, (edges.get(from) ?? new Set()).add(to));
    }
  }
  t.ok(edges.size > 10, `${edges.size} folders import others`);
  t.equal(findCycle(edges), null, 'folders form a DAG');
});
