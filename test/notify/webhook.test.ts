import t from 'tap';
import type { ServiceEvent } from '../../daemon/events.js';
import { Notifier } from '../../daemon/notify/index.js';
import type { WebhookChannel } from '../../daemon/config/notify-schema.js';
import { discordProblems, slackProblems, startWebhookReceiver } from '../helpers/notify-receivers.js';
import { notifyConfig } from '../helpers/notify-config.js';
import { waitFor } from '../../testkit/wait-for.js';

const SECRET = 'whsec-0123456789abcdef';
const vault = (values: Record<string, string>) => async (name: string) => values[name] ?? null;
const fatal: ServiceEvent = { type: 'gateway.transition', level: 'error', message: 'gateway backoff -> fatal: too many restarts', data: { from: 'backoff', to: 'fatal', reason: 'too many restarts' } };

function hook(name: string, url: string, extra: Partial<WebhookChannel> = {}): WebhookChannel {
  return { name, type: 'webhook', url, ...extra };
}

async function started(t: { teardown(fn: () => unknown): void }, notifier: Notifier): Promise<Notifier> {
  await notifier.start();
  t.teardown(() => notifier.stop());
  return notifier;
}

t.test('json: signed with the timestamp, one idempotency key, our schema', async (t) => {
  const rx = await startWebhookReceiver({ secret: SECRET });
  t.teardown(() => rx.close());
  const n = await started(t, new Notifier({
    config: notifyConfig([hook('ops', `${rx.url}?team=a`, { secret: { vault: 'ops-webhook' } })]),
    secrets: vault({ 'ops-webhook': SECRET }), userAgent: 'ibgw-supervisor/test',
  }));
  n.handle(fatal);
  await waitFor(() => rx.requests.length === 1, 10_000, 'the webhook');
  const r = rx.requests[0];
  t.equal(r.signature, 'ok', 'HMAC-SHA256 of <timestamp>.<body> with the channel secret');
  t.ok(Math.abs(Number(r.headers['x-ibgw-timestamp']) - Date.now() / 1000) < 60, 'timestamp is now');
  t.equal(r.headers['content-type'], 'application/json');
  t.equal(r.headers['user-agent'], 'ibgw-supervisor/test');
  t.equal(r.key, r.json.id, 'the idempotency key is the notification id');
  t.match(r.json, {
    schema: 'ibgw.notification/1', kind: 'alert', rule: 'gateway-fatal', severity: 'error',
    title: 'gateway backoff -> fatal: too many restarts', text: /event gateway.transition \(error\)/,
    events: [{ type: 'gateway.transition', level: 'error', data: { to: 'fatal' } }], host: String, createdAt: String,
  });
  await waitFor(() => n.status().recent[0]?.state === 'delivered', 5000, 'delivered in status');
  const s = n.status();
  t.match(s.recent[0], { channel: 'ops', kind: 'alert', attempts: 1, answer: { status: 200, text: 'ok' }, error: null });
  t.match(s.channels[0], { name: 'ops', type: 'webhook', url: `http://127.0.0.1:${rx.port}/…`, signed: true, pending: 0 });
  t.notOk(JSON.stringify(s).includes(SECRET), 'no secret in status');
  t.notOk(JSON.stringify(s).includes('team=a'), 'no URL path or query in status');
});

t.test('slack and discord: their incoming-webhook shapes, within limits, no mentions', async (t) => {
  const rx = await startWebhookReceiver();
  t.teardown(() => rx.close());
  const n = await started(t, new Notifier({
    config: notifyConfig([hook('slack', `${rx.url}/slack`, { format: 'slack' }), hook('discord', `${rx.url}/discord`, { format: 'discord' })],
      { rules: [{ events: ['test.*'] }] }),
  }));
  n.handle({ type: 'test.long', level: 'warn', message: `<@everyone> & ${'x'.repeat(5000)}`, data: { note: 'y'.repeat(400) } });
  await waitFor(() => rx.requests.length === 2, 10_000, 'both webhooks');
  const slack = rx.requests.find((r) => r.json.blocks)!;
  const discord = rx.requests.find((r) => r.json.embeds)!;
  t.same(slackProblems(slack.json), []);
  t.same(discordProblems(discord.json), []);
  t.match(slack.json.blocks[1].text.text, /^&lt;@everyone&gt; &amp; x+/, 'mrkdwn control characters escaped');
  t.equal(discord.json.embeds[0].color, 0xfbca04, 'warn colour');
  t.not(slack.key, discord.key, 'one key per delivery');
});

t.test('receiver down, then up: retried with backoff, delivered once', async (t) => {
  const rx = await startWebhookReceiver();
  t.teardown(() => rx.close());
  await rx.down();
  const n = await started(t, new Notifier({ config: notifyConfig([hook('ops', rx.url)], { rules: [{ events: ['x.y'] }] }) }));
  n.handle({ type: 'x.y', level: 'error', message: 'first' });
  n.handle({ type: 'x.y', level: 'error', message: 'repeat, deduplicated' });
  await waitFor(() => (n.status().recent[0]?.attempts ?? 0) >= 2, 10_000, 'two failed attempts');
  t.match(n.status().recent[0], { state: 'pending', error: { code: 'IBGW_NOTIFY_NETWORK' }, nextAttemptAt: String });
  await rx.up();
  await waitFor(() => n.status().recent[0]?.state === 'delivered', 10_000, 'delivery after the receiver is back');
  t.equal(rx.requests.length, 1);
  t.same(rx.processed, [n.status().recent[0].id]);
  t.ok(n.status().recent[0].attempts >= 3);
});

t.test('a refusal is final, a 5xx is retried up to the cap; both reported as notify.failed', async (t) => {
  const rx = await startWebhookReceiver();
  t.teardown(() => rx.close());
  const events: ServiceEvent[] = [];
  const n = await started(t, new Notifier({
    config: notifyConfig([hook('bad', `${rx.url}/bad`), hook('busy', `${rx.url}/busy`)], { rules: [{ events: ['x.y'] }], retry: { maxAttempts: 3, backoff: { initialMs: 10, maxMs: 50, factor: 2, jitter: 0 } } }),
    onEvent: (e) => { events.push(e); n.handle(e); },
  }));
  rx.answer((r) => (r.path === '/hook/bad' ? 400 : 503));
  n.handle({ type: 'x.y', level: 'error', message: 'boom' });
  await waitFor(() => events.length === 2, 10_000, 'two notify.failed events');
  const byChannel = Object.fromEntries(events.map((e) => [e.data!.channel, e]));
  t.match(byChannel.bad, { type: 'notify.failed', level: 'error', data: { code: 'IBGW_NOTIFY_HTTP', kind: 'alert' } });
  t.match(byChannel.busy, { type: 'notify.failed', data: { code: 'IBGW_NOTIFY_HTTP', attempts: 3 } });
  const failed = n.status().failed;
  t.equal(failed.length, 2);
  t.match(failed.find((d) => d.channel === 'busy'), { attempts: 3, answer: { status: 503, text: 'no' } });
  t.ok(failed.find((d) => d.channel === 'bad')!.attempts <= 3);
  t.equal(events.filter((e) => e.type.startsWith('notify.')).length, 2, 'notify.failed fed back into handle() makes no notification');
});

t.test('a vault secret not available yet: retried, delivered once it is', async (t) => {
  const rx = await startWebhookReceiver({ secret: SECRET });
  t.teardown(() => rx.close());
  const values: Record<string, string> = {};
  const n = await started(t, new Notifier({ config: notifyConfig([hook('ops', rx.url, { secret: { vault: 'late' } })], { rules: [{ events: ['x.y'] }] }), secrets: vault(values) }));
  n.handle({ type: 'x.y', level: 'warn', message: 'locked vault' });
  await waitFor(() => n.status().recent[0]?.error?.code === 'IBGW_NOTIFY_SECRET_MISSING', 5000, 'missing secret reported');
  t.equal(rx.requests.length, 0, 'nothing unsigned went out');
  values.late = SECRET;
  await waitFor(() => rx.requests.length === 1, 10_000, 'delivery');
  t.equal(rx.requests[0].signature, 'ok');
});

t.test('test(): the receiver answer, unknown channel is IBGW_NOTIFY_CHANNEL_UNKNOWN, handle() never throws', async (t) => {
  const rx = await startWebhookReceiver();
  t.teardown(() => rx.close());
  const n = await started(t, new Notifier({ config: notifyConfig([hook('ops', rx.url)]) }));
  const ok = await n.test('ops');
  t.match(ok, { channel: 'ops', ok: true, answer: { status: 200, text: 'ok' }, error: null });
  t.equal(rx.requests[0].json.kind, 'test');
  rx.answer(418);
  t.match(await n.test('ops'), { ok: false, answer: { status: 418 }, error: { code: 'IBGW_NOTIFY_HTTP' } });
  await t.rejects(n.test('nope'), { code: 'IBGW_NOTIFY_CHANNEL_UNKNOWN', statusCode: 404 });
  for (const odd of [{}, { type: 'gateway.transition' }, { type: 'session.state', level: 'warn', message: 'm', data: null }, null]) {
    t.doesNotThrow(() => n.handle(odd as unknown as ServiceEvent));
  }
  await n.stop();
  n.handle(fatal);
  await t.rejects(n.test('ops'), { code: 'IBGW_NOTIFY_STOPPED' });
});
