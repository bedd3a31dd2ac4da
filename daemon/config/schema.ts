/**
 * The configuration's schema: the one source of its names, types, ranges and meaning. The
 * TypeScript types (types.ts) are derived from it, so the two cannot drift; the default values
 * live in config/default.yaml, which must validate against it (a test checks). Every object is
 * closed (additionalProperties: false) so a misspelled key is an error that names the key, not
 * a silently ignored setting.
 */
import type { TSchema, TProperties } from '@sinclair/typebox';
import { Type } from '../json-schema/type-builder.js';
import { NotificationsConfig } from './notify-schema.js';
import { ibcSchema, ibgatewaySchema, TWS_PATH_KEYS } from './tws-schema.js';
import { MaintenanceConfigSchema } from './maintenance-schema.js';
import { LoginConfigSchema } from './login-schema.js';
import { SimulatorSettingsSchema } from '../../scripts/sim/simulator-settings.js';

const closed = <P extends TProperties>(properties: P, description?: string) =>
  Type.Object(properties, { additionalProperties: false, ...(description ? { description } : {}) });
/** Kept as `enum` (not a union of literals) so a wrong value's error lists the allowed ones. */
const oneOf = <const T extends readonly string[]>(values: T, description?: string) =>
  Type.Unsafe<T[number]>({ type: 'string', enum: [...values], ...(description ? { description } : {}) });
const nullable = <T extends TSchema>(schema: T) => Type.Union([Type.Null(), schema]);
const int = (minimum = 0, description?: string, extra: Record<string, unknown> = {}) =>
  Type.Integer({ minimum, ...extra, ...(description ? { description } : {}) });
const text = (description?: string) => Type.String({ minLength: 1, ...(description ? { description } : {}) });
const port = (description?: string) => int(0, description, { maximum: 65535 });
const hhmm = Type.String({ pattern: '^([01][0-9]|2[0-3]):[0-5][0-9]$', description: 'local time HH:MM' });
const timeZone = Type.String({ minLength: 1, format: 'time-zone', description: 'IANA time zone' });

export const GATEWAY_KINDS = ['simulated', 'clientportal', 'command', 'ibgateway', 'simulated-tws'] as const;

export const backoffSchema = closed({
  initialMs: int(0, '0: the first retry at once'),
  maxMs: int(1),
  factor: Type.Number({ minimum: 1 }),
  jitter: Type.Number({ minimum: 0, maximum: 1, description: 'each delay is multiplied by a random factor in [1 - jitter, 1 + jitter]' }),
});

/** A path of the gateway's API below /v1/api; `*` is one segment, a trailing `*` the rest of the path. */
const gatewayPath = Type.String({ pattern: '^/[^?#\\s]*$', description: 'path below /v1/api, e.g. /portfolio/*/summary' });

const paceLimit = Type.Union([
  closed({ count: int(1), perMs: int(1) }, 'at most count requests in any perMs'),
  closed({ concurrent: int(1) }, 'at most this many requests open at once'),
]);

const passThroughSchema = closed({
  allowTrading: Type.Boolean({ description: 'pass non-GET calls (orders) for tokens with scope trade; false = read-only' }),
  timeoutMs: int(100, 'each gateway call; with IBKR unreachable the gateway never answers'),
  maxResponseBytes: int(1024, 'larger gateway answers are refused (502) rather than buffered'),
  queue: closed({
    maxWaitMs: int(0, 'longest a request waits for its turn under IBKR\'s pacing; beyond it → 429 with Retry-After'),
    maxLength: int(1, 'requests waiting at once; beyond it → 429'),
  }),
  pacing: closed({
    globalPerSec: int(1, 'IBKR\'s limit for all requests through the gateway, the session keeper\'s included'),
    reservedForSession: int(0, 'of globalPerSec, kept for the session keeper\'s essential calls (tickle)'),
    guardMs: int(0, 'added to every window: requests sent perMs apart can arrive closer together'),
    perEndpoint: Type.Record(gatewayPath, paceLimit),
  }, 'IBKR\'s pacing, enforced for all apps together'),
  cache: closed({
    maxEntries: int(0),
    maxBytes: int(0),
    ttlMs: Type.Record(gatewayPath, int(0), { description: 'GET answers kept this long, by path pattern; unlisted paths are not cached (identical concurrent GETs still share one call)' }),
  }),
});

const apiSchema = closed({
  host: text('loopback by default: the API can stop the gateway'),
  port: port(),
  authMaxFailures: int(1, 'failed bearer-token checks from one address within the window before further failures answer 429 (a valid token is always accepted)'),
  authFailureWindowMs: int(1),
  authFailureDelayMs: int(0, 'a failed check answers after this delay, doubled with each failure in the window (capped at 10 s)'),
  passThrough: passThroughSchema,
});

const gatewaySchema = closed({
  kind: oneOf(GATEWAY_KINDS),
  command: nullable(Type.Array(text(), { minItems: 1, description: 'argv; replaces the launch the kind would build (a user\'s own wrapper)' })),
  cwd: nullable(text('working directory of the launch; null = what the kind chooses')),
  port: int(1, 'port the gateway listens on: readiness probe, port-free check, base URL', { maximum: 65535 }),
  host: text('host the daemon uses to reach the gateway'),
  home: nullable(text('folder of a real clientportal.gw distribution (kind clientportal)')),
  env: Type.Object({}, { additionalProperties: Type.String(), description: 'extra environment for the gateway process' }),
  autoStart: Type.Boolean(),
  startTimeoutMs: int(1),
  stopGraceMs: int(1),
  readyProbeIntervalMs: int(10),
  restart: closed({
    backoff: backoffSchema,
    stableAfterMs: int(0, 'uptime after which the backoff starts over'),
    maxRestarts: int(1, 'more than maxRestarts automatic restarts within windowMs → fatal'),
    windowMs: int(1),
    standby: Type.Boolean({ description: 'fork the next start\'s process while the gateway runs: a restart skips the daemon\'s fork' }),
  }),
  resources: closed({
    sampleIntervalMs: int(100),
    memoryLimitMb: nullable(Type.Number({ minimum: 1, description: 'RSS of the whole group above this → planned restart; null = no limit' })),
  }),
  logs: closed({
    ringLines: int(10),
    maxFileBytes: int(1024),
    maxFiles: int(1),
  }),
  // Owned by the simulator (scripts/sim/simulator-settings.ts): one schema, one set of defaults.
  simulator: SimulatorSettingsSchema,
  ibc: ibcSchema,
  ibgateway: ibgatewaySchema,
});

const confSchema = closed({
  template: nullable(text('template conf.yaml; null = the gateway\'s own root/conf.yaml (clientportal) or the bundled copy (simulated)')),
  driftPolicy: oneOf(['adopt', 'restore'], 'what to do when someone edits the managed conf.yaml by hand'),
  keepVersions: int(0, 'previous versions kept for rollback'),
});

const tlsSchema = closed({
  mode: oneOf(['generate', 'import', 'gateway'], 'generate: a local CA + server cert made by the daemon; import: a user\'s files; gateway: leave sslCert/sslPwd as the template has them'),
  hosts: Type.Array(text(), { description: 'extra DNS names / IPs the server certificate must cover besides localhost and 127.0.0.1' }),
  validityDays: int(1, undefined, { maximum: 3650 }),
  renewBeforeDays: int(0),
  import: closed({
    cert: nullable(text()),
    key: nullable(text()),
    pfx: nullable(text()),
    passphrase: nullable(Type.String()),
  }),
});

const accessSchema = closed({
  probeAddress: text('address the daemon\'s own probes come from; kept allowed unless a change says force'),
});

const sessionSchema = closed({
  enabled: Type.Boolean(),
  tickleIntervalMs: int(10),
  requestTimeoutMs: int(10),
  hangThreshold: int(1, 'consecutive timed-out probes while the process lives → planned restart'),
  livenessIntervalMs: int(0, 'probe of the gateway\'s own web server (answered without IBKR) between tickles; 0 = off'),
  livenessTimeoutMs: int(10),
  handshakeTimeoutMs: int(0, 'a probe whose TLS handshake gets not one byte back within this long counts as unanswered at once (the process is stopped or frozen); 0 = off'),
  suspectProbeMs: int(10, 'after an unanswered probe the next follows this soon'),
  hangStopGraceMs: int(1, 'TERM → KILL grace when restarting a gateway judged hung (replaces gateway.stopGraceMs for that stop)'),
  authCheckIntervalMs: int(0, '/iserver/auth/status between tickles while authenticated, to notice a lost brokerage session early; 0 = off'),
  loginTimeoutMs: int(1000, 'a login may wait for 2FA (IBKR\'s window is 180 s)'),
  reauthTimeoutMs: int(10),
  reauthPollMs: int(10),
  maxRecoveryAttempts: int(1, 'failed recoveries in a row before logout + gateway restart'),
  recoveryBackoff: backoffSchema,
  loginBudget: closed({ perDay: int(0), perHour: int(0) }),
  competing: oneOf(['takeover', 'wait', 'report']),
  penaltyBoxMs: int(0),
  resets: closed({
    region: oneOf(['north-america', 'europe', 'asia']),
    daily: nullable(closed({ start: hhmm, durationMin: int(1, undefined, { maximum: 1440 }), timeZone })),
    weekly: nullable(closed({ day: int(0, '0 = Sunday', { maximum: 6 }), start: hhmm, durationMin: int(1, undefined, { maximum: 10080 }), timeZone })),
  }, 'IBKR\'s own daily resets and weekend maintenance, in local time of each region'),
});

export const configSchema = closed({
  dataDir: text('state, events, logs, the managed conf.yaml, keystores and the admin token'),
  api: apiSchema,
  gateway: gatewaySchema,
  conf: confSchema,
  tls: tlsSchema,
  access: accessSchema,
  session: sessionSchema,
  logging: closed({
    level: oneOf(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']),
    format: oneOf(['auto', 'pretty', 'json'], 'auto: pretty one line per event on a terminal, JSON lines otherwise (pm2, systemd, files)'),
  }),
  store: closed({
    maxEvents: int(10, 'events kept; older ones are dropped'),
  }),
  notifications: NotificationsConfig,
  vault: closed({
    keyFile: nullable(text('file holding ENCRYPTION_KEY (mode 0600); null = <dataDir>/vault.key, after the environment and .env')),
  }),
  maintenance: MaintenanceConfigSchema,
  login: LoginConfigSchema,
  ui: closed({
    enabled: Type.Boolean({ description: 'serve the admin UI under /ui/ (the API is there either way)' }),
    sessionIdleMinutes: int(1, 'a sign-in not used for this long ends'),
    sessionMaxHours: int(1, 'no sign-in lasts longer than this, however busy'),
    maxSessions: int(1, 'sign-ins kept at once; past it the least recently used one ends'),
  }, 'the admin UI served by the daemon'),
});

/** Paths (dotted) whose values are file paths, resolved against the folder of the file that set them. */
export const PATH_KEYS = ['dataDir', 'gateway.cwd', 'gateway.home', 'conf.template', 'tls.import.cert', 'tls.import.key', 'tls.import.pfx', 'vault.keyFile', ...TWS_PATH_KEYS] as const;
