/**
 * The config validator the build compiles ahead (daemon/config/config-check.ts): used when it
 * was made from the schema in hand, never when stale, and it judges exactly as a validator
 * compiled now.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { CONFIG_CHECK_FILE, configCheck } from '../../daemon/config/config-check.js';
import { loadConfig } from '../../daemon/config/load.js';
import { tempDir } from '../helpers/temp-dir.js';

t.test('the build\'s validator is used: it was compiled from this schema', async (t) => {
  const check = configCheck();
  t.equal(check.from, 'build', `${CONFIG_CHECK_FILE} is current (run \`npm run build\` after a schema change)`);
});

t.test('a stale or missing file is never used: the validator is compiled instead', async (t) => {
  const dir = tempDir(t, 'ibgw-config-check-');
  const built = readFileSync(CONFIG_CHECK_FILE, 'utf8');
  const stale = join(dir, 'stale.cjs');
  // The code of another schema: same file, another hash in its first line.
  writeFileSync(stale, built.replace(/schema [0-9a-f]{64}/, `schema ${'0'.repeat(64)}`));
  t.equal(configCheck(stale).from, 'compiled', 'another schema\'s code');
  t.equal(configCheck(join(dir, 'absent.cjs')).from, 'compiled', 'no build output');
});

t.test('the build\'s validator and one compiled now give the same verdicts and errors', async (t) => {
  const good = loadConfig().config as unknown as Record<string, any>;
  const variants: Array<[string, (c: Record<string, any>) => void]> = [
    ['as shipped', () => undefined],
    ['unknown key', (c) => { c.gateway.restartt = 1; }],
    ['wrong type', (c) => { c.api.port = 'eighty'; }],
    ['below minimum', (c) => { c.gateway.restart.maxRestarts = -1; }],
    ['not in the enum', (c) => { c.session.competing = 'fight'; }],
    ['unknown time zone', (c) => { c.session.resets.daily = { start: '23:45', durationMin: 30, timeZone: 'Mars/Olympus_Mons' }; }],
    ['known time zone', (c) => { c.session.resets.daily = { start: '23:45', durationMin: 30, timeZone: 'Europe/Zurich' }; }],
    ['missing key', (c) => { delete c.logging; }],
    ['several at once', (c) => { c.api.host = 5; c.tls.mode = 'maybe'; c.extra = true; }],
  ];
  const built = configCheck().validate;
  const fresh = configCheck(join(tempDir(t, 'ibgw-config-check-'), 'absent.cjs')).validate;
  for (const [name, change] of variants) {
    const value = structuredClone(good);
    change(value);
    const a = built(structuredClone(value));
    const b = fresh(structuredClone(value));
    t.equal(a, b, `${name}: same verdict (${a})`);
    t.same(built.errors, fresh.errors, `${name}: same errors`);
  }
  t.ok(built(structuredClone(good)), 'the shipped config is valid');
});
