/**
 * What the supervisor spawns. Structurally identical to the supervisor's own LaunchSpec
 * (docs/ARCHITECTURE.md), declared here so daemon/gateway does not depend on the supervisor.
 */
export interface LaunchSpec {
  command: string[];
  cwd: string;
  /** Extra environment (gateway.env); the supervisor merges it over its own. */
  env: Record<string, string>;
  /** Where readiness is probed: a TLS connection to host:port. */
  host: string;
  port: number;
}
