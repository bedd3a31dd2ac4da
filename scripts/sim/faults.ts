/**
 * Failures a supervisor must survive, switched on and off through the control channel. Each
 * reproduces what the real gateway does in that situation rather than a generic error:
 * - hang: the JVM accepts TLS connections but no request is ever answered;
 * - unreachable: IBKR's side is gone, so proxied API calls are never answered (not even after
 *   150 s) while the socket stays open — only a client-side timeout gets out;
 * - maintenance: IBKR answers API calls with a 5xx;
 * - memory: the JVM's heap grows (to test RSS limits in the supervisor).
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

/**
 * Freed buffers only leave RSS after a full GC, which an idle process may not run for a long
 * time; a supervisor test that lowers the memory wants to see RSS fall now.
 */
function collectGarbage(): void {
  setFlagsFromString('--expose-gc');
  (runInNewContext('gc') as () => void)();
}

export interface FaultState {
  hang: boolean;
  slowMs: number;
  unreachable: boolean;
  maintenance: { on: boolean; status: number };
  memoryMb: number;
}

export class Faults {
  state: FaultState = Faults.none();
  /** Held so the pages stay resident; dropping the array frees them. */
  private ballast: Buffer[] = [];

  static none(): FaultState {
    return { hang: false, slowMs: 0, unreachable: false, maintenance: { on: false, status: 503 }, memoryMb: 0 };
  }

  /**
   * Sets the extra memory to `mb` (not cumulative: mb 0 gives it all back). Buffers live outside
   * the V8 heap but count in RSS, which is what a supervisor measures; filling them makes the
   * kernel actually back the pages instead of handing out zero pages lazily.
   */
  setMemory(mb: number): void {
    this.ballast = [];
    for (let i = 0; i < mb; i++) this.ballast.push(Buffer.alloc(1024 * 1024, i % 251 + 1));
    this.state.memoryMb = mb;
    collectGarbage();
  }

  reset(): void {
    this.setMemory(0);
    this.state = Faults.none();
  }
}
