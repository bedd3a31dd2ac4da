import { guaranteeLists, listsUnchanged, type GuaranteedLists } from '../access/guarantees.js';
import type { ConfDocument } from './conf-document.js';

/** What the daemon owns in the managed conf. Keystore fields are absent in tls mode gateway. */
export interface RenderSettings {
  listenPort: number;
  keystore: { path: string; password: string } | null;
  probeAddress: string;
}

export interface RenderResult {
  doc: ConfDocument;
  added: GuaranteedLists['added'];
  dropped: string[];
}

/**
 * Applies the daemon's values to a conf (template or current managed one). Every set is a
 * no-op when the value is already there, so rendering an already-managed conf changes no byte.
 */
export function renderConf(base: ConfDocument, settings: RenderSettings): RenderResult {
  const doc = base.clone();
  doc.set(['listenPort'], settings.listenPort);
  if (settings.keystore) {
    // The daemon's probes and clients speak TLS to the port: a managed keystore means TLS on.
    doc.set(['listenSsl'], true);
    doc.set(['sslCert'], settings.keystore.path);
    doc.set(['sslPwd'], settings.keystore.password);
  }
  const ips = doc.get(['ips']);
  const lists = guaranteeLists(ips, settings.probeAddress);
  if (!listsUnchanged(ips, lists)) {
    doc.set(['ips', 'allow'], lists.allow);
    doc.set(['ips', 'deny'], lists.deny);
  }
  return { doc, added: lists.added, dropped: lists.dropped };
}
