/**
 * The narrow views maintenance needs, made from the daemon's current gateway handle (which a
 * config edit may replace: always ask through a getter) and the gateway versions.
 */
import { join } from 'node:path';
import { ConfDocument } from '../gateway/conf-document.js';
import type { ManagedGateway } from '../gateway/types.js';
import type { ChangeTargets } from '../maintenance/pending-changes.js';
import type { ConfSnapshotView } from '../maintenance/restore-parts.js';
import type { GatewayVersions } from '../maintenance/versions/version-store.js';

export function changeTargets(gateway: ManagedGateway | null, versions: GatewayVersions | null): ChangeTargets {
  return {
    conf: gateway?.conf ?? null,
    access: gateway?.access ?? null,
    tls: gateway?.tls ?? null,
    versions,
  };
}

/** The managed conf as a rollback part reads and restores it (through the conf service's one write path). */
export function confSnapshot(gateway: ManagedGateway | null): ConfSnapshotView | null {
  const conf = gateway?.conf;
  if (!conf) return null;
  return {
    read: async () => {
      await conf.ensurePrepared();
      return conf.managed.read();
    },
    restore: (text, reason) => conf.edit(() => ConfDocument.parse(text, 'rollback point'), reason),
  };
}

/** <dataDir>/tls while the daemon makes or imports the certificate; null in tls mode gateway. */
export function tlsDirOf(gateway: ManagedGateway | null, dataDir: string): string | null {
  return gateway?.tls ? join(dataDir, 'tls') : null;
}
