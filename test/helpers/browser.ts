/**
 * A headless Chromium for tests that look at a page themselves (the login driver starts its
 * own). It trusts the simulator's certificate the way the driver does: by the pin of the key
 * the daemon's CA vouched for, never by ignoring certificate errors.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BrowserContext } from 'playwright-core';
import { pinGatewayCertificate, spkiSwitch } from '../../daemon/login/certificate-pin.js';
import type { Sim } from './sim.js';

export const CHROMIUM = '/usr/bin/chromium';
export const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

/** One persistent context (the SPKI switch needs a user-data dir) for a whole test file. */
export async function startBrowser(t: { teardown(fn: () => unknown): void }, sim: Sim, options: { javaScriptEnabled?: boolean } = {}): Promise<BrowserContext> {
  const { chromium } = await import('playwright-core');
  const pin = await pinGatewayCertificate(sim.baseUrl, sim.ca);
  const profile = mkdtempSync(join(tmpdir(), 'ibgw-test-browser-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM, headless: true, args: [...CHROMIUM_ARGS, spkiSwitch(pin)], javaScriptEnabled: options.javaScriptEnabled ?? true,
  });
  t.teardown(async () => {
    await context.close();
    rmSync(profile, { recursive: true, force: true });
  });
  return context;
}
