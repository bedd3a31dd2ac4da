/**
 * Whether a browser login can run on this machine: Chromium at the configured path (Debian's
 * package `chromium`; never a downloaded browser) and playwright-core installed. Answered
 * without starting or loading either.
 */
import { constants } from 'node:fs';
import { access } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { ERR_LOGIN_BROWSER_MISSING, ERR_LOGIN_DRIVER_MISSING, type IbgwError } from '../errors.js';

export async function browserAvailability(chromiumPath: string): Promise<IbgwError | null> {
  try {
    await access(chromiumPath, constants.X_OK);
  } catch {
    return ERR_LOGIN_BROWSER_MISSING(chromiumPath);
  }
  try {
    // Resolved, not loaded: the daemon never holds the driver's code.
    createRequire(import.meta.url).resolve('playwright-core');
  } catch (err) {
    return ERR_LOGIN_DRIVER_MISSING(String((err as Error).message).split('\n')[0]);
  }
  return null;
}
