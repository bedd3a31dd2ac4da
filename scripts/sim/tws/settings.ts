/**
 * What the simulated IB Gateway reads at start, as the real pair does: IBC's config.ini (read by
 * IBC's Java agent inside the gateway's JVM) and the gateway's own jts.ini in the TWS settings
 * folder. Both are read once; like the real ones, changes need a restart.
 */
import { readFileSync } from 'node:fs';

/** INI text → section → key → value. Keys before any [section] land in section ''. */
export function parseIni(text: string): Map<string, Map<string, string>> {
  const sections = new Map<string, Map<string, string>>([['', new Map()]]);
  let current = sections.get('')!;
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#') || line.startsWith(';')) continue;
    const header = /^\[(.*)\]$/.exec(line);
    if (header) {
      current = sections.get(header[1]!) ?? new Map();
      sections.set(header[1]!, current);
      continue;
    }
    const eq = line.indexOf('=');
    if (eq > 0) current.set(line.slice(0, eq).trim(), line.slice(eq + 1).trim());
  }
  return sections;
}

/**
 * A value as Java's Properties.load reads it (IBC reads config.ini that way): backslash escapes
 * (\\, \t, \n, \r, \uXXXX; any other escaped character stands for itself).
 */
export function unescapeProperties(value: string): string {
  return value.replace(/\\(u[0-9a-fA-F]{4}|.)/g, (_m, e: string) => {
    if (e.length === 5) return String.fromCharCode(parseInt(e.slice(1), 16));
    return ({ t: '\t', n: '\n', r: '\r', f: '\f' } as Record<string, string>)[e] ?? e;
  });
}

export type TradingMode = 'live' | 'paper';
export type IncomingAction = 'accept' | 'reject' | 'manual';
export type ExistingSessionAction = 'manual' | 'primary' | 'primaryoverride' | 'secondary';

export interface IbcSettings {
  loginId: string;
  password: string;
  tradingMode: TradingMode | null;
  apiPort: number | null;
  commandServerPort: number;
  controlFrom: string[];
  bindAddress: string;
  readOnlyApi: boolean | null;
  acceptIncoming: IncomingAction;
  existingSession: ExistingSessionAction;
  secondFactorTimeoutS: number;
  exitIntervalS: number;
  autoRestartTime: string | null;
}

export class SettingsError extends Error {}

const yesNo = (v: string | undefined): boolean | null => (v === undefined || v === '' ? null : /^(yes|true)$/i.test(v));

function int(v: string | undefined, fallback: number | null, key: string): number | null {
  if (v === undefined || v === '') return fallback;
  const n = Number(v);
  // IBC exits with INVALID_SETTING_VALUE for a value it cannot use.
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new SettingsError(`Invalid setting value ${key}=${v}`);
  return n;
}

/** IBC's config.ini. Unknown keys are ignored (IBC reads only the keys it knows). */
export function readIbcSettings(path: string): IbcSettings {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    throw new SettingsError(`IBC configuration file ${path} does not exist`);
  }
  const ini = new Map([...parseIni(text).get('')!].map(([k, v]) => [k, unescapeProperties(v)]));
  const lower = (k: string, allowed: string[], fallback: string): string => {
    const v = (ini.get(k) ?? '').toLowerCase();
    return allowed.includes(v) ? v : fallback;
  };
  const mode = (ini.get('TradingMode') ?? '').toLowerCase();
  return {
    loginId: ini.get('IbLoginId') ?? '',
    password: ini.get('IbPassword') ?? '',
    tradingMode: mode === 'live' || mode === 'paper' ? mode : null,
    apiPort: int(ini.get('OverrideTwsApiPort'), null, 'OverrideTwsApiPort'),
    commandServerPort: int(ini.get('CommandServerPort'), 0, 'CommandServerPort')!,
    controlFrom: (ini.get('ControlFrom') ?? '').split(',').map((s) => s.trim()).filter(Boolean),
    bindAddress: ini.get('BindAddress') ?? '',
    readOnlyApi: yesNo(ini.get('ReadOnlyApi')),
    acceptIncoming: lower('AcceptIncomingConnectionAction', ['accept', 'reject', 'manual'], 'manual') as IncomingAction,
    // Missing means IBC's default, manual; a value IBC does not know it takes as secondary.
    existingSession: (ini.get('ExistingSessionDetectedAction') ?? '') === '' ? 'manual'
      : lower('ExistingSessionDetectedAction', ['manual', 'primary', 'primaryoverride', 'secondary'], 'secondary') as ExistingSessionAction,
    secondFactorTimeoutS: int(ini.get('SecondFactorAuthenticationTimeout'), 180, 'SecondFactorAuthenticationTimeout')!,
    exitIntervalS: int(ini.get('SecondFactorAuthenticationExitInterval'), 60, 'SecondFactorAuthenticationExitInterval')!,
    autoRestartTime: ini.get('AutoRestartTime') || null,
  };
}

/**
 * jts.ini's `[IBGateway] TrustedIPs`: the addresses that connect without the "Accept incoming
 * connection" dialog. Exact addresses only (no wildcards or ranges in IB Gateway's list).
 * A missing file is what a fresh install has: IB Gateway then trusts 127.0.0.1 only.
 */
export function readTrustedIps(path: string): string[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    return ['127.0.0.1'];
  }
  const value = parseIni(text).get('IBGateway')?.get('TrustedIPs') ?? '';
  return value.split(',').map((s) => s.trim()).filter(Boolean);
}
