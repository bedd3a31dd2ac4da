import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { createLogger, type Logger } from '../../daemon/logger.js';
import type { ServiceEvent } from '../../daemon/events.js';
import { formatKey, generateKey, keyId } from '../../daemon/vault/key-material.js';
import { tempDir as tempDirIn, type Teardown } from './temp-dir.js';

export const PASSWORD = 'Sw0rdfish-Pa55-x7q';
export const TOTP = 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP';

export function tempDir(t: Teardown, prefix = 'ibgw-vault-'): string {
  return tempDirIn(t, prefix);
}

export function newKey(): { key: Buffer; hex: string; id: string } {
  const key = generateKey();
  return { key, hex: formatKey(key), id: keyId(key) };
}

export function writeDotEnv(dir: string, lines: string[], mode = 0o600): string {
  const path = join(dir, '.env');
  writeFileSync(path, lines.join('\n') + '\n', { mode });
  return path;
}

/** Every log line and event a service produced, as text to grep for secrets. */
export function capture(): { logger: Logger; onEvent: (e: ServiceEvent) => void; events: ServiceEvent[]; text(): string } {
  const lines: string[] = [];
  const events: ServiceEvent[] = [];
  const stream = new Writable({ write(chunk, _enc, cb) { lines.push(String(chunk)); cb(); } });
  return {
    logger: createLogger('trace', stream),
    onEvent: (e) => events.push(e),
    events,
    text: () => lines.join('') + JSON.stringify(events),
  };
}
