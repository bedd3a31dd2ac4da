import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { loadConfig } from '../../daemon/config/load.js';
import { Store } from '../../daemon/store/store.js';
import { tempDir } from '../helpers/temp-dir.js';

const dir = () => tempDir(t, 'ibgw-notify-config-');

function load(yaml: string) {
  const d = dir();
  writeFileSync(join(d, 'ibgw.yaml'), yaml);
  try {
    return { config: loadConfig({ file: join(d, 'ibgw.yaml'), env: {}, cwd: d }).config, error: null };
  } catch (err) {
    return { config: null, error: err as { code: string; details: { key: string; problem: string } } };
  }
}

t.test('the embedded default: no channels, the preset rules, retries capped', async (t) => {
  const { config } = loadConfig({ env: {}, cwd: dir() });
  t.match(config.notifications, { channels: [], rules: [], quietHours: null, dedupeMinutes: 15, needsLoginMinutes: 10, retry: { maxAttempts: 10 } });
});

t.test('a full section loads; secrets are vault references', async (t) => {
  const { config, error } = load(`
notifications:
  channels:
    - { name: ops, type: webhook, url: "https://hooks.example.test/x", format: slack, secret: { vault: ops-webhook } }
    - { name: mail, type: email, host: smtp.example.test, port: 587, tls: starttls, username: a, password: { vault: smtp }, from: a@example.test, to: [b@example.test] }
    - { name: ntfy, type: command, command: [/usr/bin/true], env: { TOKEN: { vault: ntfy } }, quietHours: null }
  rules:
    - { preset: gateway-fatal, channels: [ops] }
    - { name: cfg, events: ["config.*"], minLevel: error, dedupeMinutes: 0 }
  quietHours: { start: "22:00", end: "07:00", timeZone: Europe/Zurich }
`);
  t.equal(error, null);
  t.equal(config!.notifications.channels.length, 3);
});

t.test('bad sections are refused with the key path and the problem', async (t) => {
  const cases: Array<[string, string, RegExp]> = [
    ['channels: [{ name: ops, type: webhok, url: "http://x/" }]', 'notifications.channels.0.type', /must be one of/],
    ['channels: [{ name: ops, type: webhook, url: "http://x/", fromat: json }]', 'notifications.channels.0.fromat', /unknown key/],
    ['channels: [{ name: ops, type: webhook, url: "http://x/", secret: hunter2 }]', 'notifications.channels.0.secret', /must be object/],
    ['channels: [{ name: m, type: email, host: h, port: 25, tls: none, from: a@b.c }]', 'notifications.channels.0.to', /missing key/],
    ['channels: [{ name: a, type: command, command: [x] }, { name: a, type: command, command: [y] }]', 'notifications.channels.1.name', /duplicate/],
    ['rules: [{ channels: [ops] }]', 'notifications.rules.0.events', /required unless/],
    ['rules: [{ preset: gateway-fatl }]', 'notifications.rules.0.preset', /must be one of/],
    ['rules: [{ preset: gateway-fatal, channels: [nope] }]', 'notifications.rules.0.channels', /no channel named "nope"/],
    ['quietHours: { start: "22:00", end: "7:00", timeZone: UTC }', 'notifications.quietHours.end', /pattern/],
    ['quietHours: { start: "22:00", end: "07:00", timeZone: Mars/Base }', 'notifications.quietHours.timeZone', /time zone/],
  ];
  for (const [yaml, key, problem] of cases) {
    const { error } = load(`notifications:\n  ${yaml}\n`);
    t.equal(error?.code, 'IBGW_CONFIG_INVALID', yaml);
    t.equal(error?.details.key, key, yaml);
    t.match(error?.details.problem, problem, yaml);
  }
});

t.test('a state file from before the outbox opens with an empty one', async (t) => {
  const d = dir();
  writeFileSync(join(d, 'state.json'), JSON.stringify({ version: 1, gateway: { restarts: 2 }, events: [], nextEventId: 1 }));
  const store = new Store({ dataDir: d, maxEvents: 10 });
  await store.open();
  t.same(store.outbox(), { entries: [], hold: null });
  t.equal(store.data.gateway.restarts, 2);
});
