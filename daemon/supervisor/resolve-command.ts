/**
 * Is the launch command there and executable, before anything is spawned?
 *
 * The gateway is started through /bin/sh (the lifeline), so a missing program would not fail
 * the spawn: the shell would print "not found" and exit 127, which looks like a crash and
 * would be retried with backoff. A missing or non-executable program never fixes itself, so
 * the supervisor checks first and goes straight to fatal instead of into a restart storm.
 */
import { accessSync, constants, statSync } from 'node:fs';
import { delimiter, isAbsolute, join, resolve } from 'node:path';

export type ResolveResult = { ok: true; path: string } | { ok: false; why: string };

function executableFile(path: string): string | null {
  try {
    if (!statSync(path).isFile()) return `${path} is not a file`;
    accessSync(path, constants.X_OK);
    return null;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    return code === 'EACCES' ? `${path} is not executable` : `${path} does not exist`;
  }
}

/**
 * Resolve argv[0] the way execvp would: a name containing '/' is a path (relative to the
 * launch's cwd, not the daemon's); a bare name is searched on PATH.
 */
export function resolveCommand(argv0: string | undefined, cwd: string, pathEnv: string | undefined): ResolveResult {
  if (!argv0) return { ok: false, why: 'empty command' };
  try {
    if (!statSync(cwd).isDirectory()) return { ok: false, why: `working directory ${cwd} is not a directory` };
  } catch {
    return { ok: false, why: `working directory ${cwd} does not exist` };
  }
  if (argv0.includes('/')) {
    const path = isAbsolute(argv0) ? argv0 : resolve(cwd, argv0);
    const problem = executableFile(path);
    return problem ? { ok: false, why: problem } : { ok: true, path };
  }
  // An empty PATH entry means the current directory (POSIX), here the launch's cwd.
  for (const dir of (pathEnv ?? '/usr/local/bin:/usr/bin:/bin').split(delimiter)) {
    const candidate = dir === '' ? join(cwd, argv0) : resolve(cwd, dir, argv0);
    if (executableFile(candidate) === null) return { ok: true, path: candidate };
  }
  return { ok: false, why: `${argv0} not found on PATH` };
}
