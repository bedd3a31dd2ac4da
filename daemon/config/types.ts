/**
 * The daemon's configuration types, derived from the schema (schema.ts) so that a key's name,
 * type and range are written once. What each key means is in its schema description and in
 * config/default.yaml.
 */
import type { Static } from '@sinclair/typebox';
import type { backoffSchema, configSchema, GATEWAY_KINDS } from './schema.js';

export type Config = Static<typeof configSchema>;
export type GatewayKind = (typeof GATEWAY_KINDS)[number];
export type BackoffConfig = Static<typeof backoffSchema>;
export type ApiConfig = Config['api'];
export type PassThroughConfig = Config['api']['passThrough'];
export type GatewayConfig = Config['gateway'];
export type ConfFileConfig = Config['conf'];
export type TlsConfig = Config['tls'];
export type AccessConfig = Config['access'];
export type SessionConfig = Config['session'];
export type LoggingConfig = Config['logging'];
export type StoreConfig = Config['store'];
export type VaultConfig = Config['vault'];
export type UiConfig = Config['ui'];
export type { IbcConfig, IbGatewayConfig } from './tws-schema.js';
export type MaintenanceConfig = Config['maintenance'];
export type LoginConfig = Config['login'];

/** A config together with where it came from, for error messages and the watcher. */
export interface LoadedConfig {
  config: Config;
  /** User file, or null when running on the embedded default. */
  file: string | null;
}
