import { connect } from 'node:net';
import { request } from 'node:http';
import { createServer } from 'node:net';

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

export function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ port, host: '127.0.0.1' });
    socket.once('connect', () => { socket.destroy(); resolve(true); });
    socket.once('error', () => resolve(false));
  });
}

export async function waitPort(port: number, timeoutMs = 20_000, pollMs = 2): Promise<number> {
  const deadline = performance.now() + timeoutMs;
  while (performance.now() < deadline) {
    if (await canConnect(port)) return performance.now();
    await new Promise((r) => setTimeout(r, pollMs));
  }
  throw new Error(`port ${port} not ready within ${timeoutMs} ms`);
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
export async function waitClosed(port: number, timeoutMs = 10_000): Promise<number> {
  const deadline = performance.now() + timeoutMs;
  while (performance.now() < deadline) {
    if (!(await canConnect(port))) return performance.now();
    await new Promise((r) => setTimeout(r, 1));
  }
  throw new Error(`port ${port} still open after ${timeoutMs} ms`);
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
