import { readFileSync } from 'node:fs';
import { Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import t from 'tap';
import type { ServiceEvent } from '../../daemon/events.js';
import { createLogger } from '../../daemon/logger.js';
import { Notifier } from '../../daemon/notify/index.js';
import { Store } from '../../daemon/store/store.js';
import { freePort } from '../../testkit/ports.js';
import { notifyConfig } from '../helpers/notify-config.js';
import { startSmtpReceiver, startWebhookReceiver } from '../helpers/notify-receivers.js';
import { waitFor } from '../../testkit/wait-for.js';
import { tempDir } from '../helpers/temp-dir.js';

const SCRIPT = fileURLToPath(new URL('../fixtures/notify-command.sh', import.meta.url));

t.test('channel secrets reach the receivers and nothing else: not logs, events, status, test answers or the store', async (t) => {
  const rx = await startWebhookReceiver({ secret: 'whsec-signing-key-7f3a' });
  t.teardown(() => rx.close());
  // The worst receiver: it answers with the headers it got, signature and Authorization included.
  rx.body = (r) => JSON.stringify(r.headers);
  const plain = await startWebhookReceiver();
  t.teardown(() => plain.close());
  const smtp = await startSmtpReceiver({ user: 'alerts', pass: 'smtp-right-pa55' });
  t.teardown(() => smtp.close());
  const closed = await freePort();
  const vault: Record<string, string> = {
    sign: 'whsec-signing-key-7f3a',
    bearer: 'Bearer ntfy-bearer-91c2',
    'secret-url': `${plain.url}/T000/B000/slack-path-token-55aa`,
    'closed-url': `http://127.0.0.1:${closed}/discord-path-token-66bb`,
    'bad-url': 'not a url but url-token-77cc',
    smtp: 'smtp-wrong-pa55',
    ntfy: 'ntfy-token-88dd',
  };
  const values = Object.values(vault).flatMap((v) => [v, ...v.split(/[ /]/).filter((p) => p.includes('token') || p.includes('pa55') || p.includes('whsec'))]);

  let logs = '';
  const logger = createLogger('trace', new Writable({ write(chunk, _enc, cb) { logs += chunk; cb(); } }));
  const events: ServiceEvent[] = [];
  const dataDir = tempDir(t, 'ibgw-notify-secrets-');
  const store = new Store({ dataDir, maxEvents: 100 });
  await store.open();
  const n = new Notifier({
    config: notifyConfig([
      { name: 'signed', type: 'webhook', url: rx.url, secret: { vault: 'sign' }, headers: { Authorization: { vault: 'bearer' } } },
      { name: 'slack', type: 'webhook', url: { vault: 'secret-url' }, format: 'slack' },
      { name: 'unreachable', type: 'webhook', url: { vault: 'closed-url' }, format: 'discord' },
      { name: 'invalid', type: 'webhook', url: { vault: 'bad-url' } },
      { name: 'mail', type: 'email', host: '127.0.0.1', port: smtp.port, tls: 'none', username: 'alerts', password: { vault: 'smtp' }, from: 'a@example.test', to: ['b@example.test'] },
      { name: 'cmd', type: 'command', command: [SCRIPT, 'fail', dataDir, '1'], env: { NTFY_TOKEN: { vault: 'ntfy' } } },
    ], { rules: [{ events: ['x.*'] }], retry: { maxAttempts: 2, backoff: { initialMs: 10, maxMs: 20, factor: 2, jitter: 0 } } }),
    store, logger, secrets: async (name) => vault[name] ?? null,
    onEvent: (e) => { events.push(e); logger[e.level]({ event: e.type, ...e.data }, e.message); },
  });
  await n.start();
  t.teardown(() => n.stop());
  n.handle({ type: 'x.alert', level: 'error', message: 'something needs a person' });
  await waitFor(() => n.status().recent.filter((d) => d.state === 'delivered' || d.state === 'failed').length === 6, 20_000, 'every channel finished');
  const tests = await Promise.all(['signed', 'slack', 'unreachable', 'invalid', 'mail', 'cmd'].map((c) => n.test(c)));
  await store.flush();

  const s = n.status();
  t.match(Object.fromEntries(s.recent.filter((d) => d.kind === 'alert').map((d) => [d.channel, d.state])), {
    signed: 'delivered', slack: 'delivered', unreachable: 'failed', invalid: 'failed', mail: 'failed', cmd: 'failed',
  });
  t.equal(rx.requests.filter((r) => r.signature === 'ok').length, 2, 'the signed channel did sign');
  t.equal(rx.requests.find((r) => r.headers.authorization)?.headers.authorization, vault.bearer, 'the header reached the receiver');
  t.match(s.recent.find((d) => d.channel === 'signed')!.answer!.text, /\[redacted\]/, 'echoed secrets scrubbed from the answer');
  t.match(s.channels.find((c) => c.name === 'slack'), { url: '(vault: secret-url)' });

  const places: Record<string, string> = {
    logs, events: JSON.stringify(events), status: JSON.stringify(s), tests: JSON.stringify(tests), store: readFileSync(store.file, 'utf8'),
  };
  for (const [where, text] of Object.entries(places)) {
    const leaked = values.filter((v) => text.includes(v));
    t.same(leaked, [], `no secret in ${where}`);
  }
  if (process.env.SHOW_LOGS) console.error(logs);
  t.ok(logs.length > 1000 && events.some((e) => e.type === 'notify.failed'), 'there was plenty to leak into');
});
