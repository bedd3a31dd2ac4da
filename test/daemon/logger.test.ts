import { Writable } from 'node:stream';
import t from 'tap';
import { createDaemonLogger } from '../../daemon/logger.js';

function capture(isTTY: boolean): { stream: NodeJS.WriteStream; text: () => string } {
  let out = '';
  const stream = new Writable({ write(chunk, _enc, done) { out += String(chunk); done(); } }) as unknown as NodeJS.WriteStream;
  (stream as { isTTY?: boolean }).isTTY = isTTY;
  return { stream, text: () => out };
}

t.test('on a terminal: one readable line per event, the event type first, secrets redacted', async (t) => {
  const tty = capture(true);
  const logger = await createDaemonLogger({ level: 'info', format: 'auto' }, tty.stream);
  logger.warn({ event: 'session.state', from: 'authenticated', to: 'needs-login', password: 'hunter2' }, 'session authenticated → needs-login');
  logger.info({ component: 'api', url: 'http://127.0.0.1:5050' }, 'API listening');
  const lines = tty.text().trimEnd().split('\n');
  t.equal(lines.length, 2, 'one line each');
  t.match(lines[0], /WARN.*\[session\.state\] session authenticated → needs-login/);
  t.notMatch(tty.text(), /^\{/m, 'not JSON');
  t.notMatch(tty.text(), /hunter2/, 'redacted');
  t.match(lines[1], /api: API listening/);
});

t.test('under a service manager (no TTY): JSON lines', async (t) => {
  const pipe = capture(false);
  const logger = await createDaemonLogger({ level: 'info', format: 'auto' }, pipe.stream);
  logger.info({ event: 'gateway.transition', password: 'hunter2' }, 'gateway starting → running');
  await new Promise((resolve) => setImmediate(resolve));
  const record = JSON.parse(pipe.text().trim());
  t.match(record, { level: 30, event: 'gateway.transition', msg: 'gateway starting → running', password: '[redacted]' });
  const forced = capture(true);
  (await createDaemonLogger({ level: 'info', format: 'json' }, forced.stream)).info('x');
  await new Promise((resolve) => setImmediate(resolve));
  t.ok(JSON.parse(forced.text().trim()), 'format json wins over a terminal');
});
