import { request } from 'node:http';
import { portAccepts } from '../testkit/ports.js';
import { waitFor } from '../testkit/wait-for.js';

/** The moment (performance.now()) the port first accepted a connection. */
export function waitPort(port: number, timeoutMs = 20_000, pollMs = 2): Promise<number> {
  return waitFor(async () => (await portAccepts(port)) && performance.now(), timeoutMs, `port ${port} to accept`, pollMs);
}

/** Ask the stand-in gateway to exit; resolves when its answer has arrived (it exits right after). */
export function requestExit(port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path: '/exit', agent: false }, (res) => {
      res.resume();
      res.on('end', () => resolve());
    });
    req.on('error', reject);
    req.end();
  });
}

/** Wait until the port refuses connections: the old process is really gone. */
export function waitClosed(port: number, timeoutMs = 10_000): Promise<number> {
  return waitFor(async () => !(await portAccepts(port)) && performance.now(), timeoutMs, `port ${port} to close`, 1);
}

export function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

/** exit → ready, `rounds` times: ask the gateway to exit, then time until the port accepts again. */
export async function exitToReady(port: number, rounds: number): Promise<number[]> {
  const times: number[] = [];
  await waitPort(port);
  for (let i = 0; i < rounds; i++) {
    const t0 = performance.now();
    await requestExit(port);
    await waitClosed(port);
    const t1 = await waitPort(port);
    times.push(t1 - t0);
  }
  return times;
}
