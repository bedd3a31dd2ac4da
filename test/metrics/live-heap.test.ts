/**
 * The heap kept after full collections, with real collections: forced ones (V8's gc() made
 * reachable for this process: helpers/full-gc.ts) while 16 MB of objects are held, then after they are let go.
 */
import t from 'tap';
import { LiveHeapWatch } from '../../daemon/metrics/live-heap.js';
import { waitFor } from '../../testkit/wait-for.js';
import { fullGc as gc } from '../helpers/full-gc.js';

/** A full collection, then the observer's turn (its entries come after the collection). */
async function collectAndSee(watch: LiveHeapWatch): Promise<number> {
  const before = watch.last?.at ?? 0;
  const asked = Date.now();
  gc();
  await waitFor(() => (watch.last?.at ?? 0) >= asked && watch.last!.at !== before, 5000, 'the observer saw the collection', 5);
  return watch.last!.bytes;
}

t.test('follows what full collections keep, from start() on, and stops', async (t) => {
  const watch = new LiveHeapWatch();
  gc();
  await new Promise((r) => setTimeout(r, 50));
  t.equal(watch.last, null, 'nothing before start(): no observer was running');

  watch.start();
  watch.start(); // idempotent: one observer
  const base = await collectAndSee(watch);
  t.ok(base > 1_000_000, `a heap figure (${base} bytes)`);

  const held: number[][] = Array.from({ length: 16 }, () => new Array<number>(131_072).fill(1.5));
  const holding = await collectAndSee(watch);
  t.ok(holding - base > 12_000_000, `16 MB of arrays kept: +${((holding - base) / 1e6).toFixed(1)} MB`);

  held.length = 0;
  const released = await collectAndSee(watch);
  t.ok(holding - released > 12_000_000, `and gone once let go: ${((holding - released) / 1e6).toFixed(1)} MB less`);

  watch.stop();
  const last = watch.last;
  gc();
  await new Promise((r) => setTimeout(r, 100));
  t.same(watch.last, last, 'no figure after stop()');
});
