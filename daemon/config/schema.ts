/**
 * JSON schema of the configuration (after merging over config/default.yaml). ajv checks it;
 * every object is closed (additionalProperties: false) so a misspelled key is an error that
 * names the key, not a silently ignored setting.
 */
import { SimulatorSettingsSchema } from '../../scripts/sim/simulator-settings.js';

type Schema = Record<string, unknown>;

const int = (minimum = 0, extra: Schema = {}): Schema => ({ type: 'integer', minimum, ...extra });
const num = (minimum = 0, extra: Schema = {}): Schema => ({ type: 'number', minimum, ...extra });
const str = (extra: Schema = {}): Schema => ({ type: 'string', ...extra });
const bool: Schema = { type: 'boolean' };
const nullable = (schema: Schema): Schema => ({ anyOf: [{ type: 'null' }, schema] });
const obj = (properties: Record<string, Schema>, required = Object.keys(properties)): Schema => ({
  type: 'object', additionalProperties: false, properties, required,
});
const port: Schema = int(0, { maximum: 65535 });
const hhmm: Schema = str({ pattern: '^([01][0-9]|2[0-3]):[0-5][0-9]$' });
const timeZone: Schema = str({ minLength: 1, format: 'time-zone' });

const backoff = obj({
  initialMs: int(1),
  maxMs: int(1),
  factor: num(1),
  jitter: num(0, { maximum: 1 }),
});

export const configSchema: Schema = obj({
  dataDir: str({ minLength: 1 }),
  api: obj({
    host: str({ minLength: 1 }),
    port,
    authMaxFailures: int(1),
    authFailureWindowMs: int(1),
    authLockoutMs: int(0),
  }),
  gateway: obj({
    kind: { enum: ['simulated', 'clientportal', 'command'] },
    command: nullable({ type: 'array', items: str({ minLength: 1 }), minItems: 1 }),
    cwd: nullable(str({ minLength: 1 })),
    port: int(1, { maximum: 65535 }),
    host: str({ minLength: 1 }),
    home: nullable(str({ minLength: 1 })),
    env: { type: 'object', additionalProperties: { type: 'string' } },
    autoStart: bool,
    startTimeoutMs: int(1),
    stopGraceMs: int(1),
    readyProbeIntervalMs: int(10),
    restart: obj({
      backoff,
      stableAfterMs: int(0),
      maxRestarts: int(1),
      windowMs: int(1),
    }),
    resources: obj({
      sampleIntervalMs: int(100),
      memoryLimitMb: nullable(num(1)),
    }),
    logs: obj({
      ringLines: int(10),
      maxFileBytes: int(1024),
      maxFiles: int(1),
    }),
    // Owned by the simulator (scripts/sim/simulator-settings.ts): one schema, one set of defaults.
    simulator: SimulatorSettingsSchema as unknown as Schema,
  }),
  conf: obj({
    template: nullable(str({ minLength: 1 })),
    driftPolicy: { enum: ['adopt', 'restore'] },
    keepVersions: int(0),
  }),
  tls: obj({
    mode: { enum: ['generate', 'import', 'gateway'] },
    hosts: { type: 'array', items: str({ minLength: 1 }) },
    validityDays: int(1, { maximum: 3650 }),
    renewBeforeDays: int(0),
    import: obj({
      cert: nullable(str({ minLength: 1 })),
      key: nullable(str({ minLength: 1 })),
      pfx: nullable(str({ minLength: 1 })),
      passphrase: nullable(str()),
    }),
  }),
  access: obj({
    probeAddress: str({ minLength: 1 }),
  }),
  session: obj({
    enabled: bool,
    tickleIntervalMs: int(10),
    requestTimeoutMs: int(10),
    hangThreshold: int(1),
    livenessIntervalMs: int(0),
    livenessTimeoutMs: int(10),
    suspectProbeMs: int(10),
    loginTimeoutMs: int(1000),
    reauthTimeoutMs: int(10),
    reauthPollMs: int(10),
    maxRecoveryAttempts: int(1),
    recoveryBackoff: backoff,
    loginBudget: obj({ perDay: int(0), perHour: int(0) }),
    competing: { enum: ['takeover', 'wait', 'report'] },
    penaltyBoxMs: int(0),
    resets: obj({
      region: { enum: ['north-america', 'europe', 'asia'] },
      daily: nullable(obj({ start: hhmm, durationMin: int(1, { maximum: 1440 }), timeZone })),
      weekly: nullable(obj({ day: int(0, { maximum: 6 }), start: hhmm, durationMin: int(1, { maximum: 10080 }), timeZone })),
    }),
  }),
  logging: obj({
    level: { enum: ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] },
  }),
  store: obj({
    maxEvents: int(10),
  }),
});

/** Paths (dotted) whose values are file paths, resolved against the folder of the file that set them. */
export const PATH_KEYS = ['dataDir', 'gateway.cwd', 'gateway.home', 'conf.template', 'tls.import.cert', 'tls.import.key', 'tls.import.pfx'] as const;
