/**
 * The simulator's pure parts in process, with an injected clock: session expiry (idle, age,
 * the daily reset across DST), conf and sim-config loading, argument parsing.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { parse } from 'yaml';
import { referenceShippedConf } from '../helpers/shipped-conf.js';
import { tempDir } from '../helpers/temp-dir.js';
import { parseArgs } from '../../scripts/sim/cli-args.js';
import { ConfLoadError, loadConf, resolveKeystore } from '../../scripts/sim/conf-file.js';
import { nextDailyReset } from '../../scripts/sim/daily-reset.js';
import { SessionStore } from '../../scripts/sim/session.js';
import { defaultSimConfig, loadSimConfig, SimConfigError } from '../../scripts/sim/sim-config.js';
import { LoginFlow } from '../../scripts/sim/login-flow.js';
import { UserRegistry } from '../../scripts/sim/users.js';


t.test('daily reset: 01:00 New York, in UTC, across a DST change', async (t) => {
  const reset = { time: '01:00', timeZone: 'America/New_York' };
  t.equal(new Date(nextDailyReset(reset, Date.parse('2025-01-15T12:00:00Z'))!).toISOString(), '2025-01-16T06:00:00.000Z', 'EST');
  t.equal(new Date(nextDailyReset(reset, Date.parse('2025-07-15T12:00:00Z'))!).toISOString(), '2025-07-16T05:00:00.000Z', 'EDT');
  t.equal(nextDailyReset(null, 0), null);
});

t.test('session store: authDelay, idle, max age and daily reset', async (t) => {
  let now = Date.parse('2025-01-15T05:00:00Z'); // midnight in New York: the reset is an hour away
  const sim = { ...defaultSimConfig(), sessionIdleMs: 1000, sessionMaxMs: 10_000 };
  const store = new SessionStore(sim, 300, () => now);
  const user = sim.users[0]!;
  store.login(user);
  t.match(store.authStatus(), { authenticated: false, connected: true });
  now += 300;
  t.match(store.authStatus(), { authenticated: true });
  t.equal(store.msLeft(), 700, 'idle time left since the login');

  for (let i = 0; i < 20; i++) {
    now += 600;
    store.touch();
  }
  t.equal(store.current(), null, 'max age ends a busy session');
  t.match(store.lastDrop, { reason: 'max-age' });

  store.login(user);
  now += 1000;
  t.equal(store.current(), null);
  t.match(store.lastDrop, { reason: 'idle' });

  const daily = new SessionStore({ ...sim, sessionIdleMs: 10 * 3_600_000, sessionMaxMs: 86_400_000 }, 0, () => now);
  daily.login(user);
  t.equal(daily.msLeft(), Date.parse('2025-01-15T06:00:00Z') - now, 'ssoExpires counts down to the reset');
  now = Date.parse('2025-01-15T06:00:00Z');
  t.equal(daily.current(), null);
  t.match(daily.lastDrop, { reason: 'daily-reset' });
});

t.test('users and the login flow: failures, lock, unlock, expired challenges, one-time tickets', async (t) => {
  let now = 0;
  const users = new UserRegistry([{ username: 'u', password: 'p', accounts: ['U1'], paper: false, twoFactor: 'push' }], 2);
  const flow = new LoginFlow(users, 180_000, () => now);
  t.match(flow.credentials('nobody', 'x', undefined), { step: 'error', error: 'bad-credentials' }, 'unknown users never lock');
  const step = flow.credentials('u', 'p', 'live');
  t.match(step, { step: 'second-factor', method: 'push' });
  const challenge = (step as { challenge: string }).challenge;
  t.match(flow.poll(challenge), { step: 'pending' });
  t.same(flow.describe().pendingPushes, [{ username: 'u', since: 0, expiresAt: 180_000 }]);
  now += 180_000;
  t.match(flow.poll(challenge), { step: 'error', error: 'expired' }, 'IBKR\'s window passed');
  t.equal(flow.answerPush('approved'), null, 'nothing left to approve');
  t.match(flow.credentials('u', 'bad', undefined), { step: 'error', error: 'bad-credentials' });
  t.match(flow.credentials('u', 'bad', undefined), { step: 'error', error: 'locked' });
  t.match(flow.credentials('u', 'p', undefined), { step: 'error', error: 'locked' });
  users.unlock();
  const again = flow.credentials('u', 'p', undefined) as { challenge: string };
  t.equal(flow.answerPush('approved', 'someone-else'), null, 'an approval names the user it is for');
  t.equal(flow.answerPush('approved', 'u'), 'u');
  const done = flow.poll(again.challenge) as { step: string; ticket: string };
  t.equal(done.step, 'authenticated');
  t.equal(flow.redeem(done.ticket)?.username, 'u');
  t.equal(flow.redeem(done.ticket), null, 'a ticket is used once');
  const denied = flow.credentials('u', 'p', undefined) as { challenge: string };
  flow.answerPush('denied');
  t.match(flow.poll(denied.challenge), { step: 'error', error: 'denied' });
  t.same(users.describe(), { failedLogins: {}, lockedUsers: [] }, 'a denial is not a failed password');
});

t.test('conf: the shipped file loads; unknown keys fail; keystore from cwd, then the conf folder', async (t) => {
  const dir = tempDir(t);
  const shipped = readFileSync(join(import.meta.dirname, '../../scripts/sim/assets/conf.yaml'), 'utf8');
  const reference = referenceShippedConf();
  if (reference) t.equal(shipped, readFileSync(reference, 'utf8'), 'the bundled copy is byte-exact');
  else t.comment('no reference copy of the shipped conf.yaml beside the clone: byte check skipped');
  mkdirSync(join(dir, 'root'));
  writeFileSync(join(dir, 'root/conf.yaml'), shipped);
  const conf = loadConf('root/conf.yaml', dir);
  t.match(conf, { listenPort: 5000, listenSsl: true, sslCert: 'vertx.jks', sslPwd: 'mywebapi', authDelay: 3000, ip2loc: 'US' });
  t.same(conf.ips, { allow: ['192.*', '131.216.*', '127.0.0.1'], deny: ['212.90.324.10'] });
  t.same((conf.raw.cors as Record<string, unknown>)['origin.allowed'], '*');

  t.equal(resolveKeystore(conf, dir), null, 'missing everywhere');
  writeFileSync(join(dir, 'root/vertx.jks'), 'x');
  t.equal(resolveKeystore(conf, dir), join(dir, 'root/vertx.jks'), 'found beside the conf (classpath)');
  writeFileSync(join(dir, 'vertx.jks'), 'x');
  t.equal(resolveKeystore(conf, dir), join(dir, 'vertx.jks'), 'the cwd wins');

  writeFileSync(join(dir, 'bad.yaml'), shipped + '    listenHost: 0.0.0.0\n');
  const err = (() => {
    try {
      loadConf('bad.yaml', dir);
    } catch (e) {
      return e;
    }
  })();
  t.ok(err instanceof ConfLoadError);
  t.equal((err as Error).message, 'Failed to load configuration file bad.yaml');
  t.match((err as ConfLoadError).causeLine, /Unrecognized field "listenHost"/);
  writeFileSync(join(dir, 'empty-lists.yaml'), '    ips:\n      allow:\n      deny: []\n');
  t.same(loadConf('empty-lists.yaml', dir).ips, { allow: null, deny: [] }, 'an empty `allow:` is a missing list');
});

t.test('sim-config: defaults mirror config/default.yaml, overrides merge, bad values refused', async (t) => {
  const dir = tempDir(t);
  const d = defaultSimConfig();
  t.match(d, { sessionIdleMs: 360_000, sessionMaxMs: 86_400_000, lockAfterFailures: 5, penaltyMs: 600_000, dailyReset: { time: '01:00', timeZone: 'America/New_York' }, control: null });
  t.match(d.users[0], { username: 'demo', password: 'demo1234', accounts: ['DU1234567'], paper: true, twoFactor: 'none' });
  const { rateLimits: _r, snapshotPreflight: _s, control: _c, ...settings } = d;
  t.same(settings, parse(readFileSync(join(import.meta.dirname, '../../config/default.yaml'), 'utf8')).gateway.simulator, 'config/default.yaml states the schema\'s defaults');
  const file = join(dir, 'sim.json');
  writeFileSync(file, JSON.stringify({ penaltyMs: 5, rateLimits: { perEndpoint: { '/tickle': null, '/x': { count: 2, perMs: 10 } } }, control: { port: 0, infoFile: 'info.json' } }));
  const merged = loadSimConfig(file, dir);
  t.equal(merged.penaltyMs, 5);
  t.notOk('/tickle' in merged.rateLimits.perEndpoint);
  t.same(merged.rateLimits.perEndpoint['/x'], { count: 2, perMs: 10 });
  t.ok(merged.rateLimits.perEndpoint['/sso/validate'], 'other limits kept');
  t.same(merged.control, { port: 0, token: '', infoFile: join(dir, 'info.json') });
  writeFileSync(file, JSON.stringify({ users: [{ username: 'x', password: 'y', accounts: [], twoFactor: 'none' }] }));
  t.throws(() => loadSimConfig(file, dir), { message: /users\.0\.accounts/ });
  writeFileSync(file, JSON.stringify({ users: [{ username: 'x', password: 'y', accounts: ['U1'], twoFactor: 'totp' }] }));
  t.throws(() => loadSimConfig(file, dir), { message: /users\.0\.totpSecret: required/ });
  writeFileSync(file, JSON.stringify({ users: [{ username: 'x', password: 'y', accounts: ['U1'], twoFactor: 'approve' }] }));
  t.throws(() => loadSimConfig(file, dir), { message: /users\.0\.twoFactor: must be one of "none", "push", "totp"/ });
  writeFileSync(file, JSON.stringify({ sessionIdelMs: 5 }));
  t.throws(() => loadSimConfig(file, dir), { message: /sessionIdelMs/ }, 'a misspelled key is refused, by name');
  writeFileSync(file, JSON.stringify({ users: [{ username: 'x', password: 'y', accounts: ['U1'] }], secondFactorTimeoutMs: 500 }));
  t.match(loadSimConfig(file, dir), { users: [{ username: 'x', paper: true, twoFactor: 'none' }], secondFactorTimeoutMs: 500 }, 'per-user defaults');
  t.ok(SimConfigError.prototype instanceof Error);
});

t.test('arguments', async (t) => {
  t.same(parseArgs(['root/conf.yaml', '--port', '5001', '--nossl', '--bind=0.0.0.0', '--sim-config', 's.json'], {}), {
    confPath: 'root/conf.yaml', port: 5001, nossl: true, bind: '0.0.0.0', simConfig: 's.json',
  });
  t.same(parseArgs(['--conf', 'c.yaml'], { IBGW_SIM_CONFIG: 'env.json' }), { confPath: 'c.yaml', port: null, nossl: false, bind: '127.0.0.1', simConfig: 'env.json' });
  t.throws(() => parseArgs([], {}));
  t.throws(() => parseArgs(['c.yaml', '--port', 'x'], {}));
  t.throws(() => parseArgs(['c.yaml', '--what'], {}));
});
