/**
 * The fixture distributions (testkit/distributions.ts) bound to the tests' paths: the reference
 * conf.yaml IBKR ships when present (test/fixtures/gateway/config.ts), the built simulator, and
 * a JAVA_HOME removed when the test ends.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as kit from '../../testkit/distributions.js';
import { SHIPPED_CONF_PATH } from '../fixtures/gateway/config.js';
import { SIM_MAIN } from './sim.js';

export type { JvmBehaviour } from '../../testkit/distributions.js';

export function distributionEntries(build: string | null, jvm: kit.JvmBehaviour, prefix = '') {
  return kit.distributionEntries(build, jvm, SHIPPED_CONF_PATH, prefix);
}

export function distributionZip(path: string, build: string | null, jvm: kit.JvmBehaviour = 'sim', topFolder = 'clientportal.gw/'): string {
  return kit.distributionZip(path, build, jvm, SHIPPED_CONF_PATH, topFolder);
}

export function distributionDir(dir: string, build: string | null, jvm: kit.JvmBehaviour = 'sim'): string {
  return kit.distributionDir(dir, build, jvm, SHIPPED_CONF_PATH);
}

/** gateway.env for the fixture distributions: JAVA_HOME with the fake java, the simulator to run. */
export function fakeJavaEnv(t: { teardown(fn: () => unknown): void }, extra: Record<string, string> = {}): Record<string, string> {
  const home = mkdtempSync(join(tmpdir(), 'ibgw-java-'));
  t.teardown(() => rmSync(home, { recursive: true, force: true }));
  return kit.fakeJavaHome(home, SIM_MAIN, extra);
}
