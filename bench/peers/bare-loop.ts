import { spawn, type ChildProcess } from 'node:child_process';

/**
 * The floor: the least a supervisor can do — spawn, and spawn again the moment the child
 * exits. No process group, no readiness probe, no backoff, no logs.
 */
export function startBareLoop(argv: string[], env: NodeJS.ProcessEnv): { stop(): Promise<void> } {
  let child: ChildProcess | null = null;
  let stopping = false;
  const run = () => {
    child = spawn(argv[0], argv.slice(1), { env, stdio: 'ignore' });
    child.once('exit', () => {
      if (!stopping) run();
    });
  };
  run();
  return {
    stop: () => new Promise<void>((resolve) => {
      stopping = true;
      if (!child || child.exitCode !== null || child.signalCode !== null) return resolve();
      child.once('exit', () => resolve());
      child.kill('SIGTERM');
    }),
  };
}
