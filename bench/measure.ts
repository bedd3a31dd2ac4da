import { request } from 'node:http';
import { portAccepts } from '../testkit/ports.js';
import { waitFor } from '../testkit/wait-for.js';

/** The moment (performance.now()) the port first accepted a connection. */
export function waitPort(port: number, timeoutMs = 20_000, pollMs = 2): Promise<number> {
  return waitFor(async () => (await portAccepts(port)) && performance.now(), timeoutMs, `port ${port} to accept`, pollMs);
}

/** GET `path` from the stand-in gateway; resolves with the body once it has arrived. */
export function get(port: number, path: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, agent: false }, (res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c));
      res.on('end', () => resolve(body));
    });
    req.on('error', reject);
    req.end();
  });
}

/** Ask the stand-in gateway to exit; resolves when its answer has arrived (it exits right after). */
export async function requestExit(port: number): Promise<void> {
  await get(port, '/exit');
}

/** Wait until the port refuses connections: the old process is really gone. */
export function waitClosed(port: number, timeoutMs = 10_000): Promise<number> {
  return waitFor(async () => !(await portAccepts(port)) && performance.now(), timeoutMs, `port ${port} to close`, 1);
}

export function median(values: number[]): number {
  return quantile(values, 0.5);
}

/** Linear interpolation between the two nearest ranks (the median of an even count is their mean). */
export function quantile(values: number[], q: number): number {
  const s = [...values].sort((a, b) => a - b);
  const at = (s.length - 1) * q;
  const lo = Math.floor(at);
  return s[lo] + (s[Math.min(lo + 1, s.length - 1)] - s[lo]) * (at - lo);
}

export interface Spread { min: number; p25: number; median: number; p75: number; max: number }

export function spread(values: number[]): Spread {
  return { min: Math.min(...values), p25: quantile(values, 0.25), median: quantile(values, 0.5), p75: quantile(values, 0.75), max: Math.max(...values) };
}

/** `min / p25 / median / p75 / max` with a unit. */
export function formatSpread(s: Spread, unit: string, digits = 1): string {
  return [s.min, s.p25, s.median, s.p75, s.max].map((v) => v.toFixed(digits)).join(' / ') + ` ${unit}`;
}

/** Wall-clock ms with sub-ms precision, comparable with another process's performance.timeOrigin. */
export const wallNow = (): number => performance.timeOrigin + performance.now();

export interface Restart {
  /** Exit asked → the port accepts again. */
  readyMs: number;
  /** Exit asked → the new process began (its timeOrigin): the supervisor's own share. */
  spawnMs: number;
}

/** exit → ready, once: ask the gateway to exit, then time until the port accepts again. */
export async function timeRestart(port: number): Promise<Restart> {
  await waitPort(port);
  const t0 = performance.now();
  const wall0 = wallNow();
  await requestExit(port);
  await waitClosed(port);
  const t1 = await waitPort(port);
  const origin = Number(await get(port, '/origin'));
  return { readyMs: t1 - t0, spawnMs: origin - wall0 };
}

/** exit → ready, `rounds` times. */
export async function exitToReady(port: number, rounds: number): Promise<number[]> {
  const times: number[] = [];
  for (let i = 0; i < rounds; i++) times.push((await timeRestart(port)).readyMs);
  return times;
}
