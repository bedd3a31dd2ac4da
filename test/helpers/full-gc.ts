/**
 * A full garbage collection on demand, for tests that measure what the heap keeps: V8's gc()
 * made reachable in this process (the flag alone does not define it in an already running
 * context; a new context gets it).
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

let gc: (() => void) | null = null;

export function fullGc(): void {
  if (!gc) {
    setFlagsFromString('--expose-gc');
    gc = runInNewContext('gc') as () => void;
  }
  gc();
}
