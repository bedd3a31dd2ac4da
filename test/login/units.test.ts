/**
 * The driver's parts on their own: the config schema against its YAML block, IBKR's error
 * texts → verdicts, secret scrubbing, screenshot retention, the certificate pin (host name
 * and chain checked by Node; Chromium refusing any other key).
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { lookup } from 'node:dns/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { Value } from '@sinclair/typebox/value';
import { parse } from 'yaml';
import { LoginDriver } from '../../daemon/login/driver.js';
import { CHROMIUM_SWITCHES } from '../../daemon/login/page-request.js';
import { pinGatewayCertificate, spkiSwitch } from '../../daemon/login/certificate-pin.js';
import { LoginConfigSchema, type LoginConfig } from '../../daemon/config/login-schema.js';
import { classifyPageError, scrub, verdictOf } from '../../daemon/login/login-outcome.js';
import { keepScreenshot, screenshotName } from '../../daemon/login/screenshots.js';
import { sweepBrowser } from '../../daemon/login/browser-processes.js';
import { runWorker } from '../../daemon/login/worker-process.js';
import { packagePath } from '../../daemon/package-root.js';
import { isAlive, processesUnder } from '../helpers/process-table.js';
import { waitFor } from '../../testkit/wait-for.js';
import { startSim, type Sim } from '../helpers/sim.js';

const defaults = Value.Create(LoginConfigSchema) as LoginConfig;

const tempDir = (t: { teardown(fn: () => void): void }): string => {
  const dir = mkdtempSync(join(tmpdir(), 'ibgw-login-unit-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
};

t.test('config/default.yaml states the login schema\'s defaults, and they validate', async (t) => {
  const yaml = parse(readFileSync(join(import.meta.dirname, '../../config/default.yaml'), 'utf8'));
  t.same(yaml.login, defaults);
  t.ok(Value.Check(LoginConfigSchema, yaml.login));
  t.equal(defaults.chromiumPath, '/usr/bin/chromium');
  t.equal(defaults.selectors.username, '#xyz-field-username');
  t.notOk(Value.Check(LoginConfigSchema, { ...yaml.login, selector: {} }), 'unknown keys are refused');
});

t.test('IBKR\'s error texts: what is retried and what blocks', async (t) => {
  const texts = defaults.errorTexts;
  const step = { secondFactor: 'none' as const, afterCode: false };
  const cases: Array<[string, Parameters<typeof classifyPageError>[2], string, string]> = [
    ['Invalid username password combination', step, 'rejected', 'IBGW_LOGIN_REJECTED'],
    ['Your account is locked after too many failed login attempts.', step, 'rejected', 'IBGW_LOGIN_LOCKED'],
    ['The login request was denied on your IBKR Mobile device.', { secondFactor: 'push', afterCode: false }, 'rejected', 'IBGW_LOGIN_PUSH_DENIED'],
    ['Your login request expired. Please log in again.', { secondFactor: 'push', afterCode: false }, 'failed', 'IBGW_LOGIN_PUSH_TIMEOUT'],
    ['Your login request expired. Please log in again.', { secondFactor: 'totp', afterCode: true }, 'failed', 'IBGW_LOGIN_EXPIRED'],
    ['Invalid security code. Please try again.', { secondFactor: 'totp', afterCode: true }, 'rejected', 'IBGW_LOGIN_CODE_REJECTED'],
    ['Invalid username password combination', { secondFactor: 'totp', afterCode: true }, 'rejected', 'IBGW_LOGIN_CODE_REJECTED'],
    ['Something new went wrong', step, 'failed', 'IBGW_LOGIN_UNRECOGNISED'],
  ];
  for (const [text, at, result, code] of cases) {
    const v = classifyPageError(text, texts, at);
    t.equal(v.result, result, `${text} → ${result}`);
    t.equal(v.error.code, code);
  }
  t.match(verdictOf({ kind: 'totp-missing' }, texts, 'totp', 1000), { result: 'rejected', error: { code: 'IBGW_LOGIN_TOTP_MISSING' } });
  t.match(verdictOf({ kind: 'push-timeout' }, texts, 'push', 1000), { result: 'failed', error: { code: 'IBGW_LOGIN_PUSH_TIMEOUT' } });
  t.match(verdictOf({ kind: 'page', detail: 'x' }, texts, 'none', 1000), { result: 'failed', error: { code: 'IBGW_LOGIN_PAGE' } });
  t.match(verdictOf({ kind: 'aborted' }, texts, 'none', 1000), { result: 'failed', error: { code: 'IBGW_LOGIN_ABORTED' } });
});

t.test('scrub removes secrets in every form they may take', async (t) => {
  const out = scrub('a p@ss w0rd b p%40ss%20w0rd c "p@ss w0rd" d ABCD EFGH', ['p@ss w0rd', 'ABCD EFGH', undefined, '']);
  t.notMatch(out, /p@ss|p%40ss|ABCD/);
  t.match(out, /^a \[redacted\] b \[redacted\]/);
});

t.test('screenshots: 0600 from the worker, named by time and code, the newest N kept', async (t) => {
  const dir = tempDir(t);
  const names: string[] = [];
  for (let i = 0; i < 4; i++) {
    const temp = join(dir, `.shot-${i}.png`);
    writeFileSync(temp, 'png', { mode: 0o600 });
    names.push(keepScreenshot(dir, temp, screenshotName(Date.UTC(2025, 0, 15, 6, 0, i), 'IBGW_LOGIN_REJECTED'), 2)!);
  }
  t.equal(names[0], 'login-failed-2025-01-15T06-00-00-000Z-rejected.png');
  t.same(readdirSync(dir).sort(), names.slice(2).sort(), 'only the newest two remain');
  const temp = join(dir, '.shot-x.png');
  writeFileSync(temp, 'png');
  t.equal(keepScreenshot(dir, temp, 'login-failed-x.png', 0), null, 'screenshotsKept 0 keeps none');
  t.same(readdirSync(dir).sort(), names.slice(2).sort());
});

t.test('start() removes what a crashed daemon left: profile folders and their processes', async (t) => {
  const dataDir = tempDir(t);
  const profile = join(dataDir, 'login', 'browser-left');
  mkdirSync(profile, { recursive: true });
  const straggler = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60000)', '--', `--user-data-dir=${profile}`], { stdio: 'ignore', detached: true });
  t.teardown(() => straggler.kill('SIGKILL'));
  await waitFor(() => processesUnder(profile).length === 1, 5000, 'the straggler');
  const driver = new LoginDriver({ config: defaults, dataDir, ca: async () => null, credentials: async () => null });
  await driver.start();
  t.notOk(isAlive(straggler.pid!), 'killed');
  t.notOk(existsSync(profile), 'its profile folder removed');
  t.equal(statSync(join(dataDir, 'login')).mode & 0o777, 0o700);
});

let sim: Sim;
t.test('the certificate pin: verified with the CA and the host name, else refused', async (t) => {
  sim = await startSim(t);
  const pin = await pinGatewayCertificate(sim.baseUrl, sim.ca);
  t.match(pin.spki, /^[A-Za-z0-9+/]{43}=$/, 'base64 of a SHA-256');
  t.equal(spkiSwitch(pin), `--ignore-certificate-errors-spki-list=${pin.spki}`);
  t.same(await pinGatewayCertificate(sim.baseUrl.replace('127.0.0.1', 'localhost'), sim.ca), pin, 'localhost is in the certificate too');
  await t.rejects(pinGatewayCertificate(sim.baseUrl, null), { code: 'IBGW_LOGIN_CERTIFICATE', details: { tlsCode: 'SELF_SIGNED_CERT_IN_CHAIN' } }, 'the system store does not know the local CA');
  // A name of this host that the certificate does not cover (when the host resolves it to loopback).
  const other = hostname();
  if ((await lookup(other).catch(() => null))?.address === '127.0.0.1' && other !== 'localhost') {
    await t.rejects(pinGatewayCertificate(`https://${other}:${sim.port}`, sim.ca), { code: 'IBGW_LOGIN_CERTIFICATE', details: { tlsCode: 'ERR_TLS_CERT_ALTNAME_INVALID' } }, 'a name the certificate does not cover');
  } else t.comment(`${other} does not resolve to 127.0.0.1 here: host name check not exercised`);
  await t.rejects(pinGatewayCertificate(`http://127.0.0.1:${sim.port}`, sim.ca), { code: 'IBGW_LOGIN_CERTIFICATE' }, 'https only');

  // Chromium with a pin for some other key refuses the gateway: errors are not ignored.
  const dir = tempDir(t);
  const profileDir = mkdtempSync(join(dir, 'browser-'));
  const marker = 'unit-' + Date.now();
  const wrongPin = Buffer.alloc(32, 7).toString('base64');
  const run = await runWorker({
    workerPath: packagePath('daemon', 'login', 'browser-worker.js'),
    signal: new AbortController().signal,
    hardTimeoutMs: 90_000,
    onBrowser: () => undefined,
    onPushPending: () => undefined,
    request: {
      loginUrl: `${sim.baseUrl}/`, chromiumPath: defaults.chromiumPath, chromiumArgs: [...CHROMIUM_SWITCHES, `--ignore-certificate-errors-spki-list=${wrongPin}`],
      profileDir, marker, screenshotPath: null, selectors: defaults.selectors, successText: defaults.successText, paperWhenChecked: true,
      secondFactorOptions: defaults.secondFactorOptions, errorTexts: defaults.errorTexts, pageLoadMs: 15_000, stepMs: 5000, pushTimeoutMs: 5000, closeMs: 3000,
      credentials: { username: 'demo', password: 'demo1234', mode: 'paper' },
    },
  });
  t.match(run.report?.outcome, { kind: 'page', detail: /ERR_CERT/ }, 'the browser refused the certificate');
  t.equal((await sim.control('/state')).counters['/sso/Login'] ?? 0, 0, 'the login page was never served');
  await sweepBrowser({ profileDir, marker }, null, 1000, 3000, (ms) => new Promise((r) => setTimeout(r, ms)));
  t.same(processesUnder(dir), []);
});
