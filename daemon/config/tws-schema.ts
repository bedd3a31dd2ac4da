/**
 * The keys of the IB Gateway kinds (gateway.kind ibgateway and simulated-tws), as TypeBox
 * schemas: one definition gives both the JSON schema ajv checks (schema.ts embeds these under
 * `gateway`) and the TypeScript types (types.ts). Every object is closed, like the rest of the
 * configuration: a misspelled key is an error naming the key.
 */
import type { Static } from '@sinclair/typebox';
import { Type } from '../json-schema/type-builder.js';

const nullablePath = Type.Union([Type.Null(), Type.String({ minLength: 1 })]);
const port = Type.Integer({ minimum: 0, maximum: 65535 });

/** IBC: the program that types the credentials into IB Gateway's login window. */
export const ibcSchema = Type.Object({
  /** IBC's folder (scripts/ibcstart.sh, config.ini). Kind ibgateway only; simulated-tws uses the bundled one. */
  home: nullablePath,
  /** Template of the managed config.ini; null: <ibc.home>/config.ini, else the bundled minimal one. */
  template: nullablePath,
  /** IBC's command server (STOP, RESTART); 0 = none (stop is then the group TERM only). */
  commandServerPort: port,
  /** How long a STOP through the command server may take before the group gets TERM. */
  stopTimeoutMs: Type.Integer({ minimum: 0 }),
  /**
   * IBC's AutoRestartTime (a daily restart without a second factor): `auto` puts it inside
   * IBKR's daily reset window of the maintenance calendar; `off` leaves the gateway's own
   * setting; or a fixed `hh:mm AM|PM` in the daemon host's local time.
   */
  autoRestart: Type.Union([Type.Literal('auto'), Type.Literal('off'), Type.String({ pattern: '^(0[1-9]|1[0-2]):[0-5][0-9] (AM|PM)$' })]),
  /** The GUI's display: xvfb (a virtual display started inside the gateway's process group) or inherit ($DISPLAY as is). */
  display: Type.Union([Type.Literal('xvfb'), Type.Literal('inherit')]),
  /** The Xvfb program (a name on PATH or a path). */
  xvfb: Type.String({ minLength: 1 }),
}, { additionalProperties: false });

/** IB Gateway itself: the install, its settings folder, the API. */
export const ibgatewaySchema = Type.Object({
  /** The install folder holding jars/ and ibgateway.vmoptions (e.g. ~/Jts/ibgateway/1030). Kind ibgateway only. */
  home: nullablePath,
  /** TWS settings folder (jts.ini, per-user settings); null: <dataDir>/ibgateway/settings. */
  settingsPath: nullablePath,
  /** live or paper; the vault's credentials may name their own. */
  tradingMode: Type.Union([Type.Literal('live'), Type.Literal('paper')]),
  /** API clients cannot place, modify or cancel orders (IBC ReadOnlyApi). */
  readOnlyApi: Type.Boolean(),
  /** jts.ini TrustedIPs: exact IPv4 addresses (IB Gateway knows no ranges); access.probeAddress is always kept. */
  trustedIps: Type.Array(Type.String({ pattern: '^\\d{1,3}\\.\\d{1,3}\\.\\d{1,3}\\.\\d{1,3}$' })),
  /** IBC's --java-path (the folder holding java); null: IBC's own search. */
  javaPath: nullablePath,
  /** The daemon's own API connection: a client id no application uses, the reqCurrentTime pace and timeout. */
  probe: Type.Object({
    clientId: Type.Integer({ minimum: 0, maximum: 2147483647 }),
    intervalMs: Type.Integer({ minimum: 100 }),
    timeoutMs: Type.Integer({ minimum: 50 }),
  }, { additionalProperties: false }),
}, { additionalProperties: false });

export type IbcConfig = Static<typeof ibcSchema>;
export type IbGatewayConfig = Static<typeof ibgatewaySchema>;

/** Kinds that run IB Gateway (the TWS API) instead of the Client Portal Gateway. */
export const TWS_KINDS = ['ibgateway', 'simulated-tws'] as const;
export const isTwsKind = (kind: string): kind is (typeof TWS_KINDS)[number] => (TWS_KINDS as readonly string[]).includes(kind);

/** Paths (dotted) resolved against the folder of the file that set them (joins schema.ts PATH_KEYS). */
export const TWS_PATH_KEYS = ['gateway.ibc.home', 'gateway.ibc.template', 'gateway.ibgateway.home', 'gateway.ibgateway.settingsPath', 'gateway.ibgateway.javaPath'] as const;
