/**
 * The simulated IBKR side's settings — users, session lifetimes, the second-factor window —
 * as one TypeBox schema with its defaults. This file is their only definition: the simulator
 * validates its sim-config with it, and the daemon's config schema embeds it as
 * `gateway.simulator` (daemon → scripts/sim is allowed; nothing here imports the daemon).
 * config/default.yaml repeats the defaults for people to read; a test keeps the two equal.
 *
 * Only `@sinclair/typebox` itself is imported here (the daemon loads this at start); the value
 * checker lives in sim-config.ts.
 */
import { Kind, Type, TypeRegistry, type SchemaOptions, type Static, type TSchema } from '@sinclair/typebox';

/**
 * A string from a fixed list, emitted as plain `{type: 'string', enum}` so ajv (the daemon's
 * validator) says "must be one of …"; a union of literals would report one error per branch.
 * TypeBox's own checker needs to know the kind, hence the registry entry.
 */
export interface TStringEnum<T extends string> extends TSchema {
  [Kind]: 'StringEnum';
  static: T;
  type: 'string';
  enum: T[];
}

if (!TypeRegistry.Has('StringEnum')) {
  TypeRegistry.Set('StringEnum', (schema: { enum: string[] }, value) => typeof value === 'string' && schema.enum.includes(value));
}

export function StringEnum<T extends string>(values: readonly T[], options: SchemaOptions = {}): TStringEnum<T> {
  return Type.Unsafe<T>({ ...options, [Kind]: 'StringEnum', type: 'string', enum: [...values] }) as unknown as TStringEnum<T>;
}

export const TWO_FACTOR_METHODS = ['none', 'push', 'totp'] as const;

/** RFC 4648 base32, as authenticator apps show it; spaces are not allowed, padding is. */
export const BASE32_PATTERN = '^[A-Za-z2-7]{16,}=*$';

export const SimUserSchema = Type.Object(
  {
    username: Type.String({ minLength: 1 }),
    password: Type.String({ minLength: 1 }),
    accounts: Type.Array(Type.String({ minLength: 1 }), { minItems: 1 }),
    /** The page's paper/live switch must match: a paper user logging in as live fails like a bad password. */
    paper: Type.Boolean({ default: true }),
    /** push: IB Key on the phone, approved through the control channel; totp: an authenticator code. */
    twoFactor: StringEnum(TWO_FACTOR_METHODS, { default: 'none' }),
    /** Base32 secret of a totp user (RFC 6238: SHA-1, 6 digits, 30 s). */
    totpSecret: Type.Optional(Type.String({ pattern: BASE32_PATTERN })),
  },
  { additionalProperties: false },
);

const DailyResetSchema = Type.Object(
  {
    time: Type.String({ pattern: '^([01][0-9]|2[0-3]):[0-5][0-9]$' }),
    timeZone: Type.String({ minLength: 1, format: 'time-zone' }),
  },
  { additionalProperties: false },
);

/** A fixed secret for the default totp user: the simulator is a demo, and people need to type its codes. */
export const DEMO_TOTP_SECRET = 'GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ';

export const DEFAULT_SIM_USERS: SimUser[] = [
  { username: 'demo', password: 'demo1234', accounts: ['DU1234567'], paper: true, twoFactor: 'none' },
  { username: 'demo-push', password: 'demo1234', accounts: ['U2345678'], paper: false, twoFactor: 'push' },
  { username: 'demo-totp', password: 'demo1234', accounts: ['U3456789'], paper: false, twoFactor: 'totp', totpSecret: DEMO_TOTP_SECRET },
];

export const SimulatorSettingsSchema = Type.Object(
  {
    users: Type.Array(SimUserSchema, { minItems: 1, default: DEFAULT_SIM_USERS }),
    /** No API call for this long drops the SSO session (IBKR: ~6 min). */
    sessionIdleMs: Type.Integer({ minimum: 1, default: 360_000 }),
    /** A session's maximum age (IBKR: 24 h). */
    sessionMaxMs: Type.Integer({ minimum: 1, default: 86_400_000 }),
    /** IBKR's nightly reset, in its own time zone; null: none. */
    dailyReset: Type.Union([Type.Null(), DailyResetSchema], { default: { time: '01:00', timeZone: 'America/New_York' } }),
    /** Failed logins (password or code) before the account locks; 0 = never. */
    lockAfterFailures: Type.Integer({ minimum: 0, default: 5 }),
    /** The penalty box after a rate-limit breach. */
    penaltyMs: Type.Integer({ minimum: 0, default: 600_000 }),
    /** How long a second-factor prompt stays open: an unapproved push or an unused code times out (IBKR: ~3 min). */
    secondFactorTimeoutMs: Type.Integer({ minimum: 1, default: 180_000 }),
  },
  { additionalProperties: false },
);

export type TwoFactor = (typeof TWO_FACTOR_METHODS)[number];
export type SimUser = Static<typeof SimUserSchema>;
export type SimulatorSettings = Static<typeof SimulatorSettingsSchema>;

/**
 * Rules the schema cannot say: a totp user needs a secret, and a user name is one account.
 * Returns the key path (`users.1.totpSecret`) and the problem, or null.
 */
export function simulatorSettingsProblem(settings: SimulatorSettings): { key: string; message: string } | null {
  const seen = new Set<string>();
  for (const [i, user] of settings.users.entries()) {
    if (user.twoFactor === 'totp' && !user.totpSecret) return { key: `users.${i}.totpSecret`, message: 'required when twoFactor is "totp" (a base32 secret)' };
    if (seen.has(user.username)) return { key: `users.${i}.username`, message: `"${user.username}" appears twice` };
    seen.add(user.username);
  }
  return null;
}
