import { ERR_CONF_INVALID, ERR_CONF_KEY_REJECTED } from '../errors.js';
import type { ConfDocument } from './conf-document.js';

/**
 * The top-level keys the Client Portal Gateway accepts. Any other key makes it print
 * `Failed to load configuration file …` and exit 1 (observed), so a conf holding one is
 * never written: the daemon would only turn it into a crash loop.
 */
export const GATEWAY_CONF_KEYS: readonly string[] = [
  'ip2loc', 'proxyRemoteSsl', 'proxyRemoteHost', 'listenPort', 'listenSsl', 'ccp', 'svcEnvironment',
  'sslCert', 'sslPwd', 'authDelay', 'portalBaseURL', 'serverOptions', 'cors', 'webApps', 'ips',
  'tst', 'ssoPing', 'twsBaseURL',
];

/** Values the daemon owns in the managed conf; an edit that changes them would break the launch. */
export interface ConfExpectations {
  listenPort?: number;
  sslCert?: string;
  sslPwd?: string;
}

/** A problem found in a conf, with the key path it concerns. */
export interface ConfProblem {
  key: string;
  message: string;
}

function listProblems(ips: Record<string, unknown>): ConfProblem[] {
  const problems: ConfProblem[] = [];
  for (const list of ['allow', 'deny']) {
    const value = ips[list];
    // A missing list switches the gateway's filtering off for everybody (observed).
    if (value === undefined || value === null) problems.push({ key: `ips.${list}`, message: `ips.${list} is missing: the gateway would turn IP filtering off` });
    else if (!Array.isArray(value)) problems.push({ key: `ips.${list}`, message: `ips.${list} must be a list` });
    else if (value.length === 0) problems.push({ key: `ips.${list}`, message: `ips.${list} is empty` });
    else if (value.some((v) => String(v).trim() === '*')) problems.push({ key: `ips.${list}`, message: `ips.${list} holds "*": the gateway answers every request with HTTP 500` });
  }
  return problems;
}

/** Everything wrong with a conf, in file order; [] when the daemon may write or adopt it. */
export function confProblems(doc: ConfDocument, expect: ConfExpectations = {}): ConfProblem[] {
  const problems: ConfProblem[] = [];
  const js = doc.toJS();
  for (const key of doc.keys()) {
    if (!GATEWAY_CONF_KEYS.includes(key)) problems.push({ key, message: `unknown key ${key}: the gateway would exit 1 (${ERR_CONF_KEY_REJECTED.code})` });
  }
  const port = js.listenPort;
  if (!Number.isInteger(port) || (port as number) < 1 || (port as number) > 65535) problems.push({ key: 'listenPort', message: 'listenPort must be a port number' });
  else if (expect.listenPort !== undefined && port !== expect.listenPort) problems.push({ key: 'listenPort', message: `listenPort must stay ${expect.listenPort} (gateway.port in the daemon config)` });
  if (expect.sslCert !== undefined && js.sslCert !== expect.sslCert) problems.push({ key: 'sslCert', message: 'sslCert must name the keystore the daemon manages (change tls in the daemon config instead)' });
  if (expect.sslPwd !== undefined && js.sslPwd !== expect.sslPwd) problems.push({ key: 'sslPwd', message: 'sslPwd must stay the managed keystore password' });
  const ips = js.ips;
  if (ips === undefined || ips === null) problems.push({ key: 'ips', message: 'ips is missing: the gateway would turn IP filtering off' });
  else if (typeof ips !== 'object' || Array.isArray(ips)) problems.push({ key: 'ips', message: 'ips must be a mapping with allow and deny' });
  else problems.push(...listProblems(ips as Record<string, unknown>));
  return problems;
}

/** Throws the catalog error for the first problem: an unknown key has its own code. */
export function assertConfValid(doc: ConfDocument, name: string, expect: ConfExpectations = {}): void {
  const problems = confProblems(doc, expect);
  if (problems.length === 0) return;
  const unknown = problems.find((p) => !GATEWAY_CONF_KEYS.includes(p.key.split('.')[0]));
  if (unknown) {
    const err = ERR_CONF_KEY_REJECTED(unknown.key);
    err.details = { key: unknown.key, problems };
    throw err;
  }
  const err = ERR_CONF_INVALID(name, problems.map((p) => p.message).join('; '));
  err.details = { problems };
  throw err;
}
