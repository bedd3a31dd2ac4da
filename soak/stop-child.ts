/**
 * How the soak stops a daemon it started itself (not pm2's): SIGTERM, so the daemon takes its
 * gateway group down as a service manager's stop would; SIGKILL if it has not exited in time.
 */
import type { ChildProcess } from 'node:child_process';

export async function stopChild(child: ChildProcess | null, killAfterMs = 20_000): Promise<void> {
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), killAfterMs);
  await exited;
  clearTimeout(timer);
}
