/**
 * The IB Gateway kinds' pure parts: INI edits, config.ini escaping (checked against the
 * simulator's own Properties reader), the auto-restart time, IBC's log lines, the connectivity
 * notices, the install checks and the config keys.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { stringify } from 'yaml';
import { loadConfig } from '../../daemon/config/load.js';
import { autoRestartTime, formatAmPm, nextDailyResetStart } from '../../daemon/gateway/kinds/ibc-auto-restart.js';
import { existingSessionAction, ibcOwnedKeys, jtsOwnedKeys, propertiesValue } from '../../daemon/gateway/kinds/ibc-settings.js';
import { resolveInstall } from '../../daemon/gateway/kinds/ibgateway.js';
import { IniDocument } from '../../daemon/gateway/ini-document.js';
import { applyOwned, ownedDifferences } from '../../daemon/gateway/managed-ini.js';
import { classifyNotice, Connectivity } from '../../daemon/tws/connectivity.js';
import { ibcOutcome, ibcState } from '../../daemon/tws/ibc-log.js';
import { parseIni, unescapeProperties } from '../../scripts/sim/tws/settings.js';
import { tempDir } from '../helpers/temp-dir.js';

t.test('IniDocument: a set changes only the lines of its key; everything else survives byte for byte', async (t) => {
  const text = '# comment\r\n[IBGateway]\r\nTrustedIPs=127.0.0.1\r\nMainWindow.Height=550\r\n\r\n[Logon]\r\nLocale=en\r\n';
  const doc = IniDocument.parse(text);
  t.equal(doc.get('IBGateway', 'TrustedIPs'), '127.0.0.1');
  t.equal(doc.get('Logon', 'TrustedIPs'), undefined, 'sections are separate');
  doc.set('IBGateway', 'TrustedIPs', '127.0.0.1,10.0.0.5');
  t.equal(doc.toString(), text.replace('TrustedIPs=127.0.0.1', 'TrustedIPs=127.0.0.1,10.0.0.5'), 'CRLF kept, one line changed');
  doc.set('IBGateway', 'ApiOnly', 'true');
  t.match(doc.toString(), /MainWindow\.Height=550\r\nApiOnly=true\r\n\r\n\[Logon\]/, 'a new key goes after the section\'s last line, before the blank');
  doc.set('New', 'Key', 'v');
  t.match(doc.toString(), /Locale=en\r\n\r\n\[New\]\r\nKey=v\r\n$/, 'a new section at the end, trailing newline kept');
  t.same(doc.keys('IBGateway'), ['TrustedIPs', 'MainWindow.Height', 'ApiOnly']);

  const dup = IniDocument.parse('A=1\n# A=commented\nA=2\n');
  t.equal(dup.get('', 'A'), '2', 'the last occurrence wins, as in Java Properties');
  dup.set('', 'A', '3');
  t.equal(dup.toString(), 'A=3\n# A=commented\nA=3\n', 'every occurrence set, comments untouched');
  const empty = IniDocument.parse('');
  empty.set('', 'IbLoginId', 'x');
  t.equal(empty.toString(), 'IbLoginId=x\n');
  const spaced = IniDocument.parse('Key = old\n');
  spaced.set('', 'Key', 'new');
  t.equal(spaced.toString(), 'Key = new\n', 'the line keeps its own spacing');
});

t.test('config.ini values survive Java Properties parsing: passwords with backslashes, blanks, non-ASCII', async (t) => {
  for (const password of ['plain', 'back\\slash', ' leading', 'tab\there', 'ümlaut€', 'emoji😀', 'a=b:c#d!e', 'trailing\\']) {
    const line = `IbPassword=${propertiesValue(password)}`;
    t.match(line, /^[\x20-\x7e]*$/, `${JSON.stringify(password)} written as printable ASCII`);
    t.equal(unescapeProperties(parseIni(line).get('')!.get('IbPassword')!), password, `${JSON.stringify(password)} reads back unchanged`);
  }
});

t.test("the daemon's keys in config.ini and jts.ini", async (t) => {
  const keys = Object.fromEntries(ibcOwnedKeys({
    username: 'u', password: 'p', mode: 'paper', apiPort: 4002, commandServerPort: 7462, readOnlyApi: true, competing: 'takeover', autoRestartTime: '11:45 PM',
  }).map((k) => [k.key, k.value]));
  t.match(keys, {
    IbLoginId: 'u', IbPassword: 'p', TradingMode: 'paper', OverrideTwsApiPort: '4002', ReadOnlyApi: 'yes', AcceptIncomingConnectionAction: 'reject',
    ExistingSessionDetectedAction: 'primary', CommandServerPort: '7462', BindAddress: '127.0.0.1', AutoRestartTime: '11:45 PM',
    ReloginAfterSecondFactorAuthenticationTimeout: 'no',
  });
  t.notOk('AutoRestartTime' in Object.fromEntries(ibcOwnedKeys({ username: 'u', password: 'p', mode: 'live', apiPort: 1, commandServerPort: 0, readOnlyApi: false, competing: 'wait', autoRestartTime: null }).map((k) => [k.key, k.value])), 'null leaves the key alone');
  t.equal(existingSessionAction('takeover'), 'primary');
  t.equal(existingSessionAction('wait'), 'secondary');
  t.equal(existingSessionAction('report'), 'secondary');
  t.same(jtsOwnedKeys(['10.0.0.5', '127.0.0.1'], '127.0.0.1'), [{ section: 'IBGateway', key: 'TrustedIPs', value: '10.0.0.5,127.0.0.1' }]);
  const doc = IniDocument.parse('[IBGateway]\nTrustedIPs=1.2.3.4\n');
  t.same(ownedDifferences(doc, jtsOwnedKeys([], '127.0.0.1')), ['IBGateway.TrustedIPs']);
  t.same(ownedDifferences(applyOwned(doc, jtsOwnedKeys([], '127.0.0.1')), jtsOwnedKeys([], '127.0.0.1')), []);
});

t.test('AutoRestartTime: the start of the daily reset window, in the host\'s local time, hh:mm AM/PM', async (t) => {
  t.equal(formatAmPm(new Date(2026, 0, 5, 0, 5)), '12:05 AM', 'midnight is 12 AM');
  t.equal(formatAmPm(new Date(2026, 0, 5, 12, 0)), '12:00 PM');
  t.equal(formatAmPm(new Date(2026, 0, 5, 23, 45)), '11:45 PM');
  const resets = { region: 'north-america' as const, daily: { start: '23:45', durationMin: 90, timeZone: 'America/New_York' }, weekly: null };
  const now = Date.UTC(2026, 0, 5, 12, 0); // 07:00 in New York
  const start = nextDailyResetStart(resets, now)!;
  t.equal(start, Date.UTC(2026, 0, 6, 4, 45), 'today 23:45 New York (EST, UTC-5)');
  t.equal(autoRestartTime({ autoRestart: 'auto' } as never, resets, now), formatAmPm(new Date(start)));
  t.equal(autoRestartTime({ autoRestart: 'off' } as never, resets, now), null);
  t.equal(autoRestartTime({ autoRestart: '06:30 AM' } as never, resets, now), '06:30 AM');
  t.equal(autoRestartTime({ autoRestart: 'auto' } as never, { ...resets, daily: null }, now), null, 'no daily window: the gateway keeps its own');
});

t.test("IBC's log lines and exit codes", async (t) => {
  const ibc = (m: string) => `2026-01-05 10:00:00:123 IBC: ${m}`;
  t.equal(ibcOutcome(ibc('Login failed')), 'login-failed');
  t.equal(ibcOutcome(ibc('Login attempt: 3')), 'login-attempt');
  t.equal(ibcOutcome(ibc('Login has completed')), 'login-completed');
  t.equal(ibcOutcome(ibc('Second Factor Authentication initiated')), 'second-factor');
  t.equal(ibcOutcome(ibc('IBC closing because login has not completed after Second Factor Authentication')), 'second-factor-timeout');
  t.equal(ibcOutcome(ibc('Exiting after error with exit code=1111')), 'second-factor-timeout');
  t.equal(ibcOutcome(ibc('End this session and let the other session proceed (scenario 2)')), 'existing-session-yielded');
  t.equal(ibcOutcome(ibc('User must choose whether to continue with this session (scenario 1)')), 'existing-session-waiting');
  t.equal(ibcOutcome(ibc('Too many failed login attempts. Please wait 53 seconds before attempting to re-login again.')), 'too-many-failures');
  t.equal(ibcOutcome('autorestart file found at /x/y/autorestart: authentication will not be required'), 'auto-restart');
  t.equal(ibcOutcome('Login failed'), null, 'only IBC\'s own lines count (a stray "Login failed" elsewhere does not)');
  t.equal(ibcOutcome(ibc('CommandServer received command: STOP')), null);
  t.same(ibcState('second-factor', 'report')?.[0], 'needs-login');
  t.same(ibcState('existing-session-yielded', 'wait')?.[0], 'competing');
  t.equal(ibcState(undefined, 'wait'), null);
});

t.test('connectivity notices: 1100/2110 lost, 1101/1102 back, farms beside', async (t) => {
  t.same(classifyNotice(2104, 'Market data farm connection is OK:usfarm'), { kind: 'farm', code: 2104, farm: 'usfarm', state: 'ok' });
  t.same(classifyNotice(1101, 'x'), { kind: 'restored', code: 1101, dataLost: true });
  t.same(classifyNotice(399, 'order warning'), { kind: 'other', code: 399 });
  const c = new Connectivity();
  t.same(c.apply(2104, 'Market data farm connection is OK:usfarm', 1), { link: null, farm: { name: 'usfarm', state: 'ok' } });
  t.same(c.apply(2104, 'Market data farm connection is OK:usfarm', 2), { link: null, farm: null }, 'a repeat is no change');
  t.same(c.apply(1100, 'lost', 3), { link: 'lost', farm: null });
  t.same(c.apply(2110, 'broken', 4), { link: null, farm: null }, 'already lost');
  t.same(c.lost, { code: 1100, since: 3 });
  t.same(c.apply(1102, 'restored', 5).link, 'restored');
  c.apply(2110, 'broken', 6);
  t.same(c.apply(2103, 'Market data farm connection is broken:usfarm', 7), { link: null, farm: { name: 'usfarm', state: 'broken' } });
  t.same(c.apply(2104, 'Market data farm connection is OK:usfarm', 8).link, 'restored', 'after 2110 a farm back means the link is back');
});

t.test('gateway.ibgateway.home: the install folder or the Jts folder above it', async (t) => {
  const dir = tempDir(t, 'ibgw-install-');
  const program = join(dir, 'Jts', 'ibgateway', '1030');
  mkdirSync(join(program, 'jars'), { recursive: true });
  mkdirSync(join(dir, 'Jts', 'ibgateway', '1019', 'jars'), { recursive: true });
  t.same(resolveInstall(program), { twsPath: join(dir, 'Jts'), version: '1030', programPath: program });
  t.same(resolveInstall(join(dir, 'Jts')), { twsPath: join(dir, 'Jts'), version: '1030', programPath: program }, 'the highest version');
  t.throws(() => resolveInstall(join(dir, 'nothing')), { code: 'IBGW_TWS_HOME' });
  mkdirSync(join(dir, 'odd', 'jars'), { recursive: true });
  t.throws(() => resolveInstall(join(dir, 'odd')), { code: 'IBGW_TWS_HOME' }, 'a folder name that is no version');
});

t.test('config: the new kinds and keys are validated with the key named', async (t) => {
  const dir = tempDir(t, 'ibgw-cfg-');
  const load = (yaml: unknown) => {
    const file = join(dir, 'c.yaml');
    writeFileSync(file, stringify(yaml));
    return loadConfig({ file, env: {}, cwd: dir });
  };
  t.equal(load({ gateway: { kind: 'simulated-tws', port: 4002 } }).config.gateway.ibgateway.readOnlyApi, true, 'defaults: read-only API');
  t.throws(() => load({ gateway: { kind: 'ibgateway' } }), { code: 'IBGW_CONFIG_INVALID', details: { key: 'gateway.ibc.home' } });
  t.throws(() => load({ gateway: { kind: 'ibgateway', ibc: { home: '/opt/ibc' } } }), { code: 'IBGW_CONFIG_INVALID', details: { key: 'gateway.ibgateway.home' } });
  t.throws(() => load({ gateway: { ibgateway: { trustedIps: ['10.0.0.0/8'] } } }), { code: 'IBGW_CONFIG_INVALID', details: { key: 'gateway.ibgateway.trustedIps.0' } });
  t.throws(() => load({ gateway: { ibc: { autoRestart: '23:45' } } }), { code: 'IBGW_CONFIG_INVALID', details: { key: 'gateway.ibc.autoRestart' } });
  t.throws(() => load({ gateway: { ibgateway: { probe: { timeoutMs: 9000 } } } }), { code: 'IBGW_CONFIG_INVALID', details: { key: 'gateway.ibgateway.probe.timeoutMs' } });
  t.throws(() => load({ gateway: { ibc: { hom: '/x' } } }), { code: 'IBGW_CONFIG_INVALID', details: { key: 'gateway.ibc.hom', problem: 'unknown key' } });
  const relative = load({ gateway: { kind: 'ibgateway', ibc: { home: 'ibc' }, ibgateway: { home: 'Jts/ibgateway/1030' } } }).config;
  t.equal(relative.gateway.ibc.home, join(dir, 'ibc'), 'paths resolve from the file\'s folder');
});
