import { ERR_SERVICE_GRAPH } from '../errors.js';
import type { Service } from './service.js';

/**
 * Services in an order where each comes after everything it depends on; ties keep the order
 * they were listed in, so main.ts's list reads as the start order. A missing dependency or a
 * cycle is a programming error, reported with the names involved.
 */
export function startOrder(services: readonly Service[]): Service[] {
  const byName = new Map<string, Service>();
  for (const s of services) {
    if (byName.has(s.name)) throw ERR_SERVICE_GRAPH(`two services are named ${JSON.stringify(s.name)}`);
    byName.set(s.name, s);
  }
  const ordered: Service[] = [];
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (s: Service, path: string[]): void => {
    if (state.get(s.name) === 'done') return;
    if (state.get(s.name) === 'visiting') throw ERR_SERVICE_GRAPH(`dependency cycle: ${[...path, s.name].join(' → ')}`);
    state.set(s.name, 'visiting');
    for (const dep of s.dependsOn) {
      const target = byName.get(dep);
      if (!target) throw ERR_SERVICE_GRAPH(`service ${JSON.stringify(s.name)} depends on ${JSON.stringify(dep)}, which is not in the list`);
      visit(target, [...path, s.name]);
    }
    state.set(s.name, 'done');
    ordered.push(s);
  };
  for (const s of services) visit(s, []);
  return ordered;
}
