/**
 * Everything checked before a spawn: the launch spec can be built, its program exists and is
 * executable, and the port is free. Each failure is classified, because they are treated
 * differently: a missing program is fatal at once, the others are failed starts (backoff).
 */
import { ERR_LAUNCH_FAILED, ERR_LAUNCH_NOT_FOUND, isIbgwError, type IbgwError } from '../errors.js';
import { assertPortFree } from './port-check.js';
import { resolveCommand } from './resolve-command.js';
import type { LaunchSpec } from './types.js';

/** Wrap a foreign error in a catalog error, keeping the original as cause. */
export function asIbgwError(err: unknown, wrap: (message: string) => IbgwError): IbgwError {
  if (isIbgwError(err)) return err;
  const wrapped = wrap(err instanceof Error ? err.message : String(err));
  (wrapped as { cause?: unknown }).cause = err;
  return wrapped;
}

/** Resolves with the spec to spawn; rejects with ERR_LAUNCH_FAILED, ERR_LAUNCH_NOT_FOUND or ERR_PORT_BUSY. */
export async function preflight(launch: () => Promise<LaunchSpec>): Promise<LaunchSpec> {
  let spec: LaunchSpec;
  try {
    spec = await launch();
  } catch (err) {
    throw asIbgwError(err, (m) => ERR_LAUNCH_FAILED(m));
  }
  // PATH as the gateway will see it: the spec's env is layered over the daemon's.
  const resolved = resolveCommand(spec.command[0], spec.cwd, spec.env.PATH ?? process.env.PATH);
  // A missing program never fixes itself: no retries, straight to fatal (see resolve-command.ts).
  if (!resolved.ok) throw ERR_LAUNCH_NOT_FOUND(resolved.why);
  await assertPortFree(spec.host, spec.port);
  return spec;
}
