/**
 * Source maps only when the user asked for them.
 *
 * pm2 turns them on in every process it starts (its fork container calls
 * process.setSourceMapsEnabled(true) before loading the script). Node then keeps each module's
 * .map beside it, and the first error stack through a module parses that map into a lookup
 * table that stays: in a daemon under the soak's faults ~0.35 MB more between minutes 5 and 22
 * (heap snapshots), growing as errors reach more modules, and a slower stack each time. `--enable-source-maps` on node's command line or in NODE_OPTIONS still turns them on.
 */
export function sourceMapsAskedFor(execArgv: readonly string[], nodeOptions: string | undefined): boolean {
  return execArgv.includes('--enable-source-maps') || /(^|\s)--enable-source-maps(\s|$)/.test(nodeOptions ?? '');
}

/** Turns source maps off unless asked for; true when it did. Before the daemon's modules load. */
export function dropUnaskedSourceMaps(): boolean {
  if (!process.sourceMapsEnabled || sourceMapsAskedFor(process.execArgv, process.env.NODE_OPTIONS)) return false;
  process.setSourceMapsEnabled(false);
  return true;
}
