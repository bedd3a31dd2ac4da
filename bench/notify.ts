/**
 * Event → webhook received: from the moment the daemon's event sink gets an event to the
 * moment a local receiver has the signed POST. The path includes the outbox write (the whole
 * state.json, fsynced, with the store at its default 5000 events) that at-least-once delivery
 * needs before the first attempt. Beside it: the same path on a memory outbox (no disk), and
 * a bare fetch of the same body (the floor). Goal (issue 13): within 1 s.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { NotificationsConfig } from '../daemon/config/notify-schema.js';
import { Notifier } from '../daemon/notify/index.js';
import type { OutboxStore } from '../daemon/notify/outbox-types.js';
import { Store } from '../daemon/store/store.js';
import { median } from './measure.js';

export interface NotifyBench {
  rounds: number;
  storeEvents: number;
  stateFileKb: number;
  medianMs: number;
  p95Ms: number;
  maxMs: number;
  memoryOutboxMedianMs: number;
  bareFetchMedianMs: number;
}

const SECRET = 'bench-webhook-secret';
const p95 = (v: number[]) => [...v].sort((a, b) => a - b)[Math.min(v.length - 1, Math.ceil(v.length * 0.95) - 1)];

function config(url: string): NotificationsConfig {
  return {
    channels: [{ name: 'bench', type: 'webhook', url, secret: { vault: 'bench' } }],
    rules: [{ events: ['bench.*'], dedupeMinutes: 0 }],
    quietHours: null, dedupeMinutes: 15, needsLoginMinutes: 10, timeoutMs: 10_000,
    retry: { maxAttempts: 3, backoff: { initialMs: 100, maxMs: 1000, factor: 2, jitter: 0 } },
    keepDeliveries: 200,
  };
}

async function receiver() {
  let waiting: ((at: number) => void) | null = null;
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      const at = performance.now();
      res.writeHead(200).end('ok');
      waiting?.(at);
      waiting = null;
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
  return { url, next: () => new Promise<number>((r) => { waiting = r; }), close: () => new Promise<void>((r) => server.close(() => r())) };
}

async function measure(rounds: number, url: string, next: () => Promise<number>, store: OutboxStore | undefined, record: () => void): Promise<number[]> {
  const notifier = new Notifier({ config: config(url), store, secrets: async () => SECRET });
  await notifier.start();
  const out: number[] = [];
  try {
    for (let i = 0; i < rounds + 2; i++) {
      const received = next();
      const t0 = performance.now();
      const event = { type: 'bench.ping', level: 'error' as const, message: `round ${i}`, data: { round: i } };
      record(); // the daemon's sink stores the event first, then hands it on
      notifier.handle(event);
      const ms = (await received) - t0;
      if (i >= 2) out.push(ms); // the first rounds warm up the connection pool and the JIT
    }
  } finally {
    await notifier.stop();
  }
  return out;
}

export async function benchNotify(rounds = 30): Promise<NotifyBench> {
  const rx = await receiver();
  const dataDir = mkdtempSync(join(tmpdir(), 'ibgw-bench-notify-'));
  try {
    const storeEvents = 5000;
    const store = new Store({ dataDir, maxEvents: storeEvents });
    await store.open();
    for (let i = 0; i < storeEvents; i++) {
      store.record({ type: 'gateway.transition', level: 'info', message: `gateway starting -> running: round ${i}`, data: { from: 'starting', to: 'running', pid: 1000 + i, reason: 'bench fill' } });
    }
    await store.flush();
    const record = () => store.record({ type: 'bench.ping', level: 'error', message: 'ping' });
    const disk = await measure(rounds, rx.url, rx.next, store, record);
    const stateFileKb = Buffer.byteLength(JSON.stringify(store.data)) / 1024;
    await store.close();
    const memory = await measure(rounds, rx.url, rx.next, undefined, () => {});
    const bare: number[] = [];
    for (let i = 0; i < rounds + 2; i++) {
      const received = rx.next();
      const t0 = performance.now();
      await fetch(rx.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ round: i }) }).then((r) => r.text());
      if (i >= 2) bare.push((await received) - t0);
    }
    return {
      rounds, storeEvents, stateFileKb: Math.round(stateFileKb),
      medianMs: median(disk), p95Ms: p95(disk), maxMs: Math.max(...disk),
      memoryOutboxMedianMs: median(memory), bareFetchMedianMs: median(bare),
    };
  } finally {
    await rx.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

export function printNotifyBench(r: NotifyBench): void {
  const ms = (v: number) => `${v.toFixed(1)} ms`;
  console.log(`\n== event → webhook received (${r.rounds} rounds, signed POST to a local receiver)`);
  console.log(`ibgw notifier, outbox in the store   median ${ms(r.medianMs)}   p95 ${ms(r.p95Ms)}   max ${ms(r.maxMs)}   (goal ≤ 1000 ms; state.json ${r.stateFileKb} KB, ${r.storeEvents} events, fsynced)`);
  console.log(`ibgw notifier, memory outbox         median ${ms(r.memoryOutboxMedianMs)}`);
  console.log(`bare fetch POST to the same receiver  median ${ms(r.bareFetchMedianMs)}   ratio ours/bare ${(r.medianMs / r.bareFetchMedianMs).toFixed(1)}`);
}

// `node dist/bench/notify.js` runs it alone.
if (process.argv[1] && /bench[\\/]notify\.js$/.test(process.argv[1])) {
  benchNotify().then(printNotifyBench, (err) => { console.error(err); process.exitCode = 1; });
}
