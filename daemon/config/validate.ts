import type { ErrorObject } from 'ajv';
import { ERR_CONFIG_INVALID, type IbgwError } from '../errors.js';
import { notificationsProblem } from './notify-schema.js';
import { simulatorSettingsProblem } from '../../scripts/sim/simulator-settings.js';
import { configCheck } from './config-check.js';
import type { Config } from './types.js';

/** `/gateway/restart/maxRestarts` → `gateway.restart.maxRestarts`; the root is shown as `(root)`. */
function keyPath(error: ErrorObject): string {
  const base = error.instancePath.split('/').slice(1).join('.');
  if (error.keyword === 'additionalProperties') {
    const extra = (error.params as { additionalProperty: string }).additionalProperty;
    return base ? `${base}.${extra}` : extra;
  }
  if (error.keyword === 'required') {
    const missing = (error.params as { missingProperty: string }).missingProperty;
    return base ? `${base}.${missing}` : missing;
  }
  return base || '(root)';
}

function describe(error: ErrorObject): string {
  switch (error.keyword) {
    case 'additionalProperties': return 'unknown key';
    case 'required': return 'missing key';
    case 'enum': return `must be one of ${(error.params as { allowedValues: unknown[] }).allowedValues.map((v) => JSON.stringify(v)).join(', ')}`;
    case 'format': return (error.params as { format: string }).format === 'time-zone' ? 'not a known IANA time zone' : `${error.message}`;
    case 'minimum': return `${error.message} (got ${JSON.stringify(error.data)})`;
    default: return error.message ?? 'invalid';
  }
}

/**
 * ajv reports one error per union branch; the branch that says "must be null" is noise when the
 * user clearly meant a value, so the most specific error per key path wins.
 */
function pick(errors: ErrorObject[]): ErrorObject {
  const specific = errors.filter((e) => e.keyword !== 'anyOf' && !(e.keyword === 'type' && (e.params as { type: string }).type === 'null'));
  const unknown = specific.find((e) => e.keyword === 'additionalProperties');
  return unknown ?? specific[0] ?? errors[0];
}

export function validateConfig(value: unknown, file: string): { config: Config } | { error: IbgwError } {
  const check = configCheck().validate;
  if (check(value)) {
    const extra = semanticError(value);
    if (!extra) return { config: value };
    const err = ERR_CONFIG_INVALID(file, extra.key, extra.message);
    err.details = { file, key: extra.key, problem: extra.message };
    return { error: err };
  }
  const first = pick(check.errors ?? []);
  const key = keyPath(first);
  const problem = describe(first);
  const err = ERR_CONFIG_INVALID(file, key, problem);
  err.details = { file, key, problem };
  return { error: err };
}

/** Rules that a schema cannot say: relations between keys. */
function semanticError(config: Config): { key: string; message: string } | null {
  const b = config.gateway.restart.backoff;
  if (b.maxMs < b.initialMs) return { key: 'gateway.restart.backoff.maxMs', message: `must be >= initialMs (${b.initialMs})` };
  const rb = config.session.recoveryBackoff;
  if (rb.maxMs < rb.initialMs) return { key: 'session.recoveryBackoff.maxMs', message: `must be >= initialMs (${rb.initialMs})` };
  if (config.gateway.kind === 'command' && !config.gateway.command) return { key: 'gateway.command', message: 'required when gateway.kind is "command"' };
  if (config.gateway.kind === 'clientportal' && !config.gateway.home && !config.gateway.command) {
    return { key: 'gateway.home', message: 'required when gateway.kind is "clientportal" (the clientportal.gw folder)' };
  }
  if (config.gateway.kind === 'ibgateway' && !config.gateway.command) {
    if (!config.gateway.ibc.home) return { key: 'gateway.ibc.home', message: 'required when gateway.kind is "ibgateway" (the IBC folder)' };
    if (!config.gateway.ibgateway.home) return { key: 'gateway.ibgateway.home', message: 'required when gateway.kind is "ibgateway" (the IB Gateway install folder)' };
  }
  if (config.gateway.ibgateway.probe.timeoutMs >= config.gateway.ibgateway.probe.intervalMs) {
    return { key: 'gateway.ibgateway.probe.timeoutMs', message: `must be shorter than gateway.ibgateway.probe.intervalMs (${config.gateway.ibgateway.probe.intervalMs})` };
  }
  if (config.tls.mode === 'import' && !config.tls.import.pfx && !(config.tls.import.cert && config.tls.import.key)) {
    return { key: 'tls.import', message: 'mode import needs cert + key, or pfx' };
  }
  const simulator = simulatorSettingsProblem(config.gateway.simulator);
  if (simulator) return { key: `gateway.simulator.${simulator.key}`, message: simulator.message };
  if (config.session.requestTimeoutMs >= config.session.tickleIntervalMs) {
    return { key: 'session.requestTimeoutMs', message: `must be shorter than session.tickleIntervalMs (${config.session.tickleIntervalMs})` };
  }
  // A push waits on the phone inside one login attempt: the keeper must not give up first.
  const lg = config.login;
  const loginNeeds = lg.timeouts.pageLoadMs + lg.pushTimeoutMs + lg.timeouts.authenticatedMs;
  if (config.session.loginTimeoutMs <= loginNeeds) {
    return { key: 'session.loginTimeoutMs', message: `must be longer than login.timeouts.pageLoadMs + login.pushTimeoutMs + login.timeouts.authenticatedMs (${loginNeeds})` };
  }
  return notificationsProblem(config.notifications);
}
