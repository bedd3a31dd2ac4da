/**
 * The one catalog of errors. Every error the daemon raises on purpose has a stable `code`
 * (tests and API clients match on it, never on the message) and the HTTP status the API
 * answers with. Modeled on fastify core's lib/errors.js; written here rather than imported
 * from @fastify/error so the supervisor core stays free of Fastify packages.
 *
 * Add new codes to the section of the module that raises them. Never reuse or rename a code.
 */
import { format } from 'node:util';

export class IbgwError extends Error {
  readonly code: string;
  readonly statusCode: number;
  /** Extra machine-readable facts (key path, holder pid, ...), returned by the API as `details`. */
  details?: Record<string, unknown>;

  constructor(code: string, message: string, statusCode: number, options?: { cause?: unknown; details?: Record<string, unknown> }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'IbgwError';
    this.code = code;
    this.statusCode = statusCode;
    if (options?.details) this.details = options.details;
  }
}

export interface IbgwErrorFactory {
  (...args: unknown[]): IbgwError;
  readonly code: string;
  readonly statusCode: number;
  /** True when `err` was made by this factory. */
  is(err: unknown): err is IbgwError;
}

/** `message` is a util.format template: `%s` placeholders are filled from the call's arguments. */
export function createError(code: string, message: string, statusCode = 500): IbgwErrorFactory {
  const factory = ((...args: unknown[]) => new IbgwError(code, format(message, ...args), statusCode)) as IbgwErrorFactory;
  Object.defineProperties(factory, {
    code: { value: code },
    statusCode: { value: statusCode },
    is: { value: (err: unknown) => err instanceof IbgwError && err.code === code },
  });
  return factory;
}

export function isIbgwError(err: unknown): err is IbgwError {
  return err instanceof IbgwError;
}

// --- configuration -------------------------------------------------------------------------
export const ERR_CONFIG_INVALID = createError('IBGW_CONFIG_INVALID', '%s: %s: %s', 400); // file, key path, what
export const ERR_CONFIG_READ = createError('IBGW_CONFIG_READ', 'cannot read config file %s: %s', 400);
export const ERR_CONFIG_PARSE = createError('IBGW_CONFIG_PARSE', '%s: not valid YAML: %s', 400);

// --- supervisor ------------------------------------------------------------------------------
export const ERR_LAUNCH_NOT_FOUND = createError('IBGW_LAUNCH_NOT_FOUND', 'gateway command not found: %s', 500);
export const ERR_PORT_BUSY = createError('IBGW_PORT_BUSY', 'gateway port %s is already in use%s', 409);
export const ERR_START_TIMEOUT = createError('IBGW_START_TIMEOUT', 'gateway did not accept connections on port %s within %s ms', 500);
export const ERR_GATEWAY_FATAL = createError('IBGW_GATEWAY_FATAL', 'gateway is in fatal state: %s (start it again to clear)', 409);
export const ERR_STOP_INCOMPLETE = createError('IBGW_STOP_INCOMPLETE', 'process group %s still has members after SIGKILL: %s', 500);
export const ERR_INVALID_TRANSITION = createError('IBGW_INVALID_TRANSITION', 'cannot %s while the gateway is %s', 409);
export const ERR_LAUNCH_FAILED = createError('IBGW_LAUNCH_FAILED', 'could not prepare the gateway launch: %s', 500);
export const ERR_GATEWAY_EXITED = createError('IBGW_GATEWAY_EXITED', 'gateway exited %s (%s)', 500); // before ready | while running, code/signal
export const ERR_MEMORY_LIMIT = createError('IBGW_MEMORY_LIMIT', 'gateway group RSS %s MB is above the limit of %s MB', 500);

// --- lifecycle -------------------------------------------------------------------------------
export const ERR_SERVICE_START = createError('IBGW_SERVICE_START', 'service %s failed to start: %s', 500);
export const ERR_SERVICE_GRAPH = createError('IBGW_SERVICE_GRAPH', 'service list is inconsistent: %s', 500);

export const ERR_DAEMON_RUNNING = createError('IBGW_DAEMON_RUNNING', 'another daemon (pid %s) already uses data dir %s', 409);

// --- store -----------------------------------------------------------------------------------
export const ERR_STORE_CORRUPT = createError('IBGW_STORE_CORRUPT', 'state file %s was corrupt and was moved to %s', 500);

// --- api -------------------------------------------------------------------------------------
export const ERR_UNAUTHORIZED = createError('IBGW_UNAUTHORIZED', 'missing or invalid bearer token', 401);
export const ERR_LOCKED_OUT = createError('IBGW_LOCKED_OUT', 'too many failed authentications from %s; retry in %s s', 429);
export const ERR_NOT_FOUND = createError('IBGW_NOT_FOUND', 'no route %s %s', 404);
export const ERR_BAD_REQUEST = createError('IBGW_BAD_REQUEST', '%s', 400);
export const ERR_RATE_LIMITED = createError('IBGW_RATE_LIMITED', 'rate limit exceeded: %s', 429);
export const ERR_DAEMON_UNREACHABLE = createError('IBGW_DAEMON_UNREACHABLE', 'no daemon answering at %s: %s', 503);
export const ERR_BODY_TOO_LARGE = createError('IBGW_BODY_TOO_LARGE', 'request body larger than %s bytes', 413);
export const ERR_BAD_JSON = createError('IBGW_BAD_JSON', 'request body is not valid JSON: %s', 400);
export const ERR_UNSUPPORTED_MEDIA_TYPE = createError('IBGW_UNSUPPORTED_MEDIA_TYPE', 'unsupported content type %s (send application/json)', 415);
export const ERR_BAD_URL = createError('IBGW_BAD_URL', 'malformed URL: %s', 400);
export const ERR_FORBIDDEN = createError('IBGW_FORBIDDEN', 'token scope %s does not allow %s', 403);
export const ERR_EVENTS_FULL = createError('IBGW_EVENTS_FULL', 'too many live event streams open (%s); retry later', 503);
export const ERR_INTERNAL = createError('IBGW_INTERNAL', 'internal error (see the daemon log)', 500);

// --- gateway config: conf.yaml, TLS, allow/deny (issue 4) -----------------------------------
export const ERR_CONF_KEY_REJECTED = createError('IBGW_CONF_KEY_REJECTED', 'the gateway rejects conf.yaml key %s', 400);
export const ERR_CONF_INVALID = createError('IBGW_CONF_INVALID', 'gateway conf %s is invalid: %s', 400);
export const ERR_ACCESS_PATTERN = createError('IBGW_ACCESS_PATTERN', 'cannot use %s in the gateway allow/deny list: %s', 400);
export const ERR_ACCESS_LOCKOUT = createError('IBGW_ACCESS_LOCKOUT', '%s (pass force to do it anyway)', 409);
export const ERR_ACCESS_ENTRY_NOT_FOUND = createError('IBGW_ACCESS_ENTRY_NOT_FOUND', 'no %s entry %s', 404);
export const ERR_TLS_IMPORT = createError('IBGW_TLS_IMPORT', 'cannot import certificate: %s', 400);
export const ERR_TLS_KEYSTORE = createError('IBGW_TLS_KEYSTORE', 'keystore %s: %s', 500);
export const ERR_ACCESS_LIST_EMPTY = createError('IBGW_ACCESS_LIST_EMPTY', 'cannot remove the last %s entry: %s', 409);
export const ERR_GATEWAY_UNMANAGED = createError('IBGW_GATEWAY_UNMANAGED', 'the daemon does not manage %s for this gateway (%s)', 409);
export const ERR_GATEWAY_HOME = createError('IBGW_GATEWAY_HOME', 'gateway.home %s is not a Client Portal Gateway folder: %s', 400);

// --- session (issue 5) -----------------------------------------------------------------------
export const ERR_GATEWAY_TIMEOUT = createError('IBGW_GATEWAY_TIMEOUT', 'gateway did not answer %s within %s ms', 504);
export const ERR_GATEWAY_UNAVAILABLE = createError('IBGW_GATEWAY_UNAVAILABLE', 'gateway is not ready (%s)', 503);
export const ERR_SESSION_DISABLED = createError('IBGW_SESSION_DISABLED', 'the session keeper is off (session.enabled: false)', 409);
export const ERR_LOGIN_BUDGET = createError('IBGW_LOGIN_BUDGET', 'login budget spent: %s', 429);
export const ERR_GATEWAY_NETWORK = createError('IBGW_GATEWAY_NETWORK', 'cannot reach the gateway for %s: %s', 502);
export const ERR_GATEWAY_REFUSED = createError('IBGW_GATEWAY_REFUSED', 'the gateway refused %s: Access Denied (its allow/deny list does not admit this address)', 403);
export const ERR_GATEWAY_HTTP = createError('IBGW_GATEWAY_HTTP', 'gateway answered %s with HTTP %s', 502);
export const ERR_GATEWAY_RATE_LIMITED = createError('IBGW_GATEWAY_RATE_LIMITED', 'gateway answered %s with 429: rate limited', 429);
export const ERR_LOGIN_BLOCKED = createError('IBGW_LOGIN_BLOCKED', 'automated logins are stopped: %s (an operator must clear it)', 409);

// --- IBKR pass-through, portfolio and connection for apps (issue 11) ---------------------------
export const ERR_IBKR_UNAVAILABLE = createError('IBGW_IBKR_UNAVAILABLE', 'IBKR is not available through the gateway: %s', 503);
export const ERR_IBKR_PENALTY = createError('IBGW_IBKR_PENALTY', 'IBKR rate-limited the gateway (429): calls are held until %s', 503);
export const ERR_IBKR_BUSY = createError('IBGW_IBKR_BUSY', 'IBKR pacing: %s', 429);
export const ERR_IBKR_READ_ONLY = createError('IBGW_IBKR_READ_ONLY', 'the pass-through is read-only: %s %s needs api.passThrough.allowTrading: true and a token with scope trade', 403);
export const ERR_IBKR_SESSION_PATH = createError('IBGW_IBKR_SESSION_PATH', 'the daemon keeps the IBKR session: %s is not passed through', 403);
export const ERR_IBKR_PATH = createError('IBGW_IBKR_PATH', 'not a gateway API path: %s', 400);
export const ERR_IBKR_TOO_LARGE = createError('IBGW_IBKR_TOO_LARGE', 'the gateway answered %s with more than %s bytes', 502);
export const ERR_IBKR_UPSTREAM = createError('IBGW_IBKR_UPSTREAM', 'the gateway answered %s with HTTP %s', 502);
export const ERR_IBKR_ACCOUNT = createError('IBGW_IBKR_ACCOUNT', 'no account %s among %s', 404);
export const ERR_IBKR_CLOSED = createError('IBGW_IBKR_CLOSED', 'the pass-through is stopping', 503);
