/**
 * What the daemon owns in IBC's config.ini and in IB Gateway's jts.ini, as key/value lists for
 * ManagedIniFile. IBC reads config.ini with Java's Properties.load(InputStream): ISO-8859-1 with
 * backslash escapes, so a password with `\`, a leading space or a non-Latin-1 character must be
 * escaped or IBC types a different password (and the account moves toward IBKR's lock).
 */
import type { SessionConfig } from '../../config/types.js';
import type { OwnedKey } from '../managed-ini.js';

/** A value as Properties.load reads it back unchanged. */
export function propertiesValue(value: string): string {
  let out = '';
  for (const [i, ch] of [...value].entries()) {
    const code = ch.codePointAt(0)!;
    if (ch === '\\') out += '\\\\';
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else if (ch === ' ' && i === 0) out += '\\ '; // leading blanks are dropped unescaped
    else if (code < 0x20 || code > 0x7e) {
      // Outside printable ASCII: \uXXXX (surrogate pairs as two escapes).
      for (const unit of ch.split('')) out += '\\u' + unit.charCodeAt(0).toString(16).padStart(4, '0');
    } else out += ch;
  }
  return out;
}

/** session.competing → what IBC does when another session of the user is logged in. */
export function existingSessionAction(competing: SessionConfig['competing']): 'primary' | 'secondary' {
  // takeover: this gateway continues and keeps the session; wait and report: it gives way
  // (IBC closes it; the daemon then waits or reports instead of fighting the user's session).
  return competing === 'takeover' ? 'primary' : 'secondary';
}

export interface IbcOwned {
  username: string;
  password: string;
  mode: 'live' | 'paper';
  apiPort: number;
  commandServerPort: number;
  readOnlyApi: boolean;
  competing: SessionConfig['competing'];
  /** `hh:mm AM|PM`; null leaves the key as the file has it. */
  autoRestartTime: string | null;
}

export function ibcOwnedKeys(s: IbcOwned): OwnedKey[] {
  const keys: Array<[string, string]> = [
    ['IbLoginId', propertiesValue(s.username)],
    ['IbPassword', propertiesValue(s.password)],
    ['TradingMode', s.mode],
    ['OverrideTwsApiPort', String(s.apiPort)],
    ['ReadOnlyApi', s.readOnlyApi ? 'yes' : 'no'],
    // Addresses outside TrustedIPs are refused, never left to a dialog nobody sees.
    ['AcceptIncomingConnectionAction', 'reject'],
    ['ExistingSessionDetectedAction', existingSessionAction(s.competing)],
    // The daemon budgets logins: IBC must not log in again on its own after a 2FA timeout.
    ['ReloginAfterSecondFactorAuthenticationTimeout', 'no'],
    ['CommandServerPort', String(s.commandServerPort)],
    // The command server can stop the gateway: loopback only.
    ['BindAddress', '127.0.0.1'],
    ['ControlFrom', ''],
  ];
  if (s.autoRestartTime !== null) keys.push(['AutoRestartTime', s.autoRestartTime]);
  return keys.map(([key, value]) => ({ section: '', key, value }));
}

/**
 * A jts.ini for a settings folder that has none: what IBC's JtsIniManager would otherwise add
 * at start (so IBC finds nothing to rewrite), plus TrustedIPs. LocalServerPort is IB Gateway's
 * internal port, not the API port.
 */
export const JTS_INI_TEMPLATE = [
  '[IBGateway]',
  'ApiOnly=true',
  'TrustedIPs=127.0.0.1',
  'LocalServerPort=4000',
  '',
  '[Logon]',
  'Locale=en',
  'displayedproxymsg=1',
  'UseSSL=true',
  's3store=true',
  '',
].join('\n');

/** TrustedIPs: the configured addresses plus the daemon's own probe address, each once. */
export function jtsOwnedKeys(trustedIps: string[], probeAddress: string): OwnedKey[] {
  const list = [...new Set([...trustedIps, probeAddress])];
  return [{ section: 'IBGateway', key: 'TrustedIPs', value: list.join(',') }];
}
