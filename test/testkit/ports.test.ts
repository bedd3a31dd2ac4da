import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import t from 'tap';
import { freePort } from '../../testkit/ports.js';

const [low, high] = readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/).map(Number) as [number, number];

t.test('freePort: outside the ephemeral range, never the same port twice, bindable', async (t) => {
  const ports: number[] = [];
  for (let i = 0; i < 40; i++) ports.push(await freePort());
  t.equal(new Set(ports).size, ports.length, 'all different');
  t.ok(ports.every((p) => p < low || p > high), `none in ${low}-${high}: ${ports.join(',')}`);
  const server = createServer();
  await new Promise<void>((resolve, reject) => server.once('error', reject).listen(ports[0], '127.0.0.1', resolve));
  server.close();
});
