/**
 * The one catalog of errors. Every error the daemon raises on purpose has a stable `code`
 * (tests and API clients match on it, never on the message) and the HTTP status the API
 * answers with. Modeled on fastify core's lib/errors.js; written here rather than imported
 * from @fastify/error so the supervisor core stays free of Fastify packages.
 *
 * Add new codes to the section of the module that raises them. Never reuse or rename a code.
 * Every code here is raised somewhere: test/errors.test.ts checks that each factory is used
 * outside this file, so a code nobody raises is deleted rather than left to look supported.
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

// --- api -------------------------------------------------------------------------------------
export const ERR_UNAUTHORIZED = createError('IBGW_UNAUTHORIZED', 'missing or invalid bearer token', 401);
export const ERR_AUTH_THROTTLED = createError('IBGW_AUTH_THROTTLED', 'too many failed authentications from %s; failed attempts are refused for %s s (a valid token is always accepted)', 429);
export const ERR_NOT_FOUND = createError('IBGW_NOT_FOUND', 'no route %s %s', 404);
export const ERR_BAD_REQUEST = createError('IBGW_BAD_REQUEST', '%s', 400);
export const ERR_INVALID_JSON = createError('IBGW_INVALID_JSON', 'the request body is not valid JSON: %s', 400);
export const ERR_UNSUPPORTED_MEDIA_TYPE = createError('IBGW_UNSUPPORTED_MEDIA_TYPE', 'unsupported content type: %s', 415);
export const ERR_BODY_TOO_LARGE = createError('IBGW_BODY_TOO_LARGE', 'the request body is too large: %s', 413);
/** A fault of the daemon, not of the request: the message says where to look and leaks nothing. */
export const ERR_INTERNAL = createError('IBGW_INTERNAL', 'internal error (see the daemon log)', 500);
export const ERR_DAEMON_UNREACHABLE = createError('IBGW_DAEMON_UNREACHABLE', 'no daemon answering at %s: %s', 503);
export const ERR_BAD_URL = createError('IBGW_BAD_URL', 'malformed URL: %s', 400);
export const ERR_FORBIDDEN = createError('IBGW_FORBIDDEN', 'token scope %s does not allow %s', 403);
export const ERR_EVENTS_FULL = createError('IBGW_EVENTS_FULL', 'too many live event streams open (%s); retry later', 503);

// --- gateway config: conf.yaml, TLS, allow/deny (issue 4) -----------------------------------
export const ERR_CONF_KEY_REJECTED = createError('IBGW_CONF_KEY_REJECTED', 'the gateway rejects conf.yaml key %s', 400);
export const ERR_CONF_INVALID = createError('IBGW_CONF_INVALID', 'gateway conf %s is invalid: %s', 400);
export const ERR_CONF_VERSION_NOT_FOUND = createError('IBGW_CONF_VERSION_NOT_FOUND', 'no conf version %s (see the version list)', 404);
export const ERR_ACCESS_PATTERN = createError('IBGW_ACCESS_PATTERN', 'cannot use %s in the gateway allow/deny list: %s', 400);
export const ERR_ACCESS_LOCKOUT = createError('IBGW_ACCESS_LOCKOUT', '%s (pass force to do it anyway)', 409);
export const ERR_ACCESS_ENTRY_NOT_FOUND = createError('IBGW_ACCESS_ENTRY_NOT_FOUND', 'no %s entry %s', 404);
export const ERR_TLS_IMPORT = createError('IBGW_TLS_IMPORT', 'cannot import certificate: %s', 400);
export const ERR_ACCESS_LIST_EMPTY = createError('IBGW_ACCESS_LIST_EMPTY', 'cannot remove the last %s entry: %s', 409);
export const ERR_GATEWAY_UNMANAGED = createError('IBGW_GATEWAY_UNMANAGED', 'the daemon does not manage %s for this gateway (%s)', 409);
export const ERR_GATEWAY_HOME = createError('IBGW_GATEWAY_HOME', 'gateway.home %s is not a Client Portal Gateway folder: %s', 400);

// --- session (issue 5) -----------------------------------------------------------------------
export const ERR_GATEWAY_TIMEOUT = createError('IBGW_GATEWAY_TIMEOUT', 'gateway did not answer %s within %s ms', 504);
export const ERR_SESSION_DISABLED = createError('IBGW_SESSION_DISABLED', 'the session keeper is off (session.enabled: false)', 409);
export const ERR_GATEWAY_NETWORK = createError('IBGW_GATEWAY_NETWORK', 'cannot reach the gateway for %s: %s', 502);
export const ERR_GATEWAY_REFUSED = createError('IBGW_GATEWAY_REFUSED', 'the gateway refused %s: Access Denied (its allow/deny list does not admit this address)', 403);
export const ERR_GATEWAY_HTTP = createError('IBGW_GATEWAY_HTTP', 'gateway answered %s with HTTP %s', 502);
export const ERR_GATEWAY_RATE_LIMITED = createError('IBGW_GATEWAY_RATE_LIMITED', 'gateway answered %s with 429: rate limited', 429);

// --- recovery speed (issue 15) ----------------------------------------------------------------
export const ERR_GATEWAY_SILENT = createError('IBGW_GATEWAY_SILENT', 'gateway accepted the connection for %s but sent nothing within %s ms (its process is stopped or frozen)', 504);

// --- notifications (issue 13) ---------------------------------------------------------------
export const ERR_NOTIFY_CHANNEL_UNKNOWN = createError('IBGW_NOTIFY_CHANNEL_UNKNOWN', 'no notification channel named %s', 404);
export const ERR_NOTIFY_SECRET_MISSING = createError('IBGW_NOTIFY_SECRET_MISSING', 'channel %s: vault secret %s is not available', 503);
export const ERR_NOTIFY_HTTP = createError('IBGW_NOTIFY_HTTP', 'channel %s: the receiver answered HTTP %s', 502);
export const ERR_NOTIFY_NETWORK = createError('IBGW_NOTIFY_NETWORK', 'channel %s: cannot reach the receiver: %s', 502);
export const ERR_NOTIFY_TIMEOUT = createError('IBGW_NOTIFY_TIMEOUT', 'channel %s: no answer within %s ms', 504);
export const ERR_NOTIFY_SMTP = createError('IBGW_NOTIFY_SMTP', 'channel %s: %s', 502);
export const ERR_NOTIFY_COMMAND = createError('IBGW_NOTIFY_COMMAND', 'channel %s: the command %s', 502);
export const ERR_NOTIFY_CHANNEL_REMOVED = createError('IBGW_NOTIFY_CHANNEL_REMOVED', 'channel %s is no longer configured', 410);
export const ERR_NOTIFY_STOPPED = createError('IBGW_NOTIFY_STOPPED', 'the notifier is stopped', 503);
// --- vault (issue 9) -------------------------------------------------------------------------
// Messages name files, key ids and sources, never a key, a password or a TOTP secret. A vault that
// cannot be opened as it is (no key, wrong key, damaged, loose file mode) is a 409: the request
// was fine, the daemon's state needs the operator; only I/O failures are 5xx.
export const ERR_VAULT_NO_KEY = createError('IBGW_VAULT_NO_KEY', 'Encryption failed: check encryption keys (ENCRYPTION_KEY). Looked in %s; make one with: ibgw keys generate', 409);
export const ERR_VAULT_KEY_INVALID = createError('IBGW_VAULT_KEY_INVALID', 'Encryption failed: the key in %s is not 32 bytes in hex or base64 (%s); make one with: ibgw keys generate', 409);
export const ERR_VAULT_WRONG_KEY = createError('IBGW_VAULT_WRONG_KEY', 'vault %s was encrypted with key %s, which is none of the keys given (%s): set ENCRYPTION_KEY to the key with id %s', 409);
export const ERR_VAULT_TAMPERED = createError('IBGW_VAULT_TAMPERED', 'vault %s fails its integrity check under its own key %s: the file was changed or damaged after it was written. Restore it from a backup, or delete it and set the credentials again', 409);
export const ERR_VAULT_CORRUPT = createError('IBGW_VAULT_CORRUPT', 'vault %s is not a vault file: %s', 409);
export const ERR_VAULT_FILE_MODE = createError('IBGW_VAULT_FILE_MODE', '%s holds a secret but is open to other users (mode %s); fix it with: chmod 600 %s', 409);
export const ERR_VAULT_BUSY = createError('IBGW_VAULT_BUSY', 'the vault is being changed by another process (pid %s, lock %s); try again', 409);
export const ERR_VAULT_ROTATE_SOURCE = createError('IBGW_VAULT_ROTATE_SOURCE', 'cannot rotate: %s', 409);
export const ERR_VAULT_IO = createError('IBGW_VAULT_IO', 'cannot %s %s: %s', 500); // read|write, path, errno code
export const ERR_VAULT_DISABLED = createError('IBGW_VAULT_DISABLED', 'this daemon has no credential vault', 409);
export const ERR_CREDENTIALS_INVALID = createError('IBGW_CREDENTIALS_INVALID', '%s: %s', 400); // field, what is wrong (never the value)
export const ERR_SECRET_NAME = createError('IBGW_SECRET_NAME', 'secret name %s: %s', 400);
export const ERR_LOGIN_BUDGET = createError('IBGW_LOGIN_BUDGET', 'login budget spent: %s', 429);
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
export const ERR_IBKR_NO_WEB_API = createError('IBGW_IBKR_NO_WEB_API', 'gateway.kind %s speaks the TWS API, not the Client Portal Web API that the pass-through, portfolio and connection check use', 409);

// --- app tokens (issue 11) -------------------------------------------------------------------
export const ERR_TOKEN_INVALID = createError('IBGW_TOKEN_INVALID', 'token %s: %s', 400); // field, what is wrong
export const ERR_TOKEN_NAME_TAKEN = createError('IBGW_TOKEN_NAME_TAKEN', 'a token named %s exists already', 409);
export const ERR_TOKEN_LIMIT = createError('IBGW_TOKEN_LIMIT', 'at most %s app tokens; revoke one first', 409);
export const ERR_TOKEN_NOT_FOUND = createError('IBGW_TOKEN_NOT_FOUND', 'no app token %s', 404);

// --- IB Gateway under IBC (issue 14) ---------------------------------------------------------
export const ERR_TWS_HOME = createError('IBGW_TWS_HOME', '%s %s is not usable: %s', 400); // key, path, why
export const ERR_TWS_CREDENTIALS = createError('IBGW_TWS_CREDENTIALS', 'no IBKR credentials for IB Gateway: %s', 400);
export const ERR_TWS_COMMAND = createError('IBGW_TWS_COMMAND', "IBC's command server did not take %s: %s", 502);
// --- maintenance: windows, pending changes, health gate, gateway versions (issue 10) ----------
export const ERR_MAINTENANCE_INVALID = createError('IBGW_MAINTENANCE_INVALID', 'maintenance window %s: %s', 400); // field, problem
export const ERR_MAINTENANCE_OVERLAP = createError('IBGW_MAINTENANCE_OVERLAP', 'overlaps maintenance window %s (%s) at %s', 409); // id, title, when
export const ERR_MAINTENANCE_NOT_FOUND = createError('IBGW_MAINTENANCE_NOT_FOUND', 'no maintenance window %s', 404);
export const ERR_MAINTENANCE_NOT_ACTIVE = createError('IBGW_MAINTENANCE_NOT_ACTIVE', 'no maintenance window is active%s', 409);
export const ERR_MAINTENANCE_BUSY = createError('IBGW_MAINTENANCE_BUSY', 'a maintenance action is running: %s', 409);
export const ERR_MAINTENANCE_UNAVAILABLE = createError('IBGW_MAINTENANCE_UNAVAILABLE', 'maintenance is not available: %s', 409);
export const ERR_PENDING_NOT_FOUND = createError('IBGW_PENDING_NOT_FOUND', 'no pending change %s', 404);
export const ERR_NO_ROLLBACK_POINT = createError('IBGW_NO_ROLLBACK_POINT', 'nothing to roll back to: %s', 409);
export const ERR_VERSION_LAYOUT = createError('IBGW_VERSION_LAYOUT', '%s is not a Client Portal Gateway distribution: %s', 400);
export const ERR_VERSION_ARCHIVE = createError('IBGW_VERSION_ARCHIVE', 'cannot read archive %s: %s', 400);
export const ERR_VERSION_NOT_FOUND = createError('IBGW_VERSION_NOT_FOUND', 'no installed gateway version %s', 404);
export const ERR_UPDATE_CHECK = createError('IBGW_UPDATE_CHECK', 'gateway update check %s failed: %s', 502);
// --- login: the browser login driver (issue 9) ------------------------------------------------
// Messages name no secret: at most the user name's absence, IBKR's words and what to do.
export const ERR_LOGIN_NO_CREDENTIALS = createError('IBGW_LOGIN_NO_CREDENTIALS', 'no stored credentials: %s', 409);
export const ERR_LOGIN_BROWSER_MISSING = createError('IBGW_LOGIN_BROWSER_MISSING', 'Chromium is not installed at %s: install the Debian package chromium (apt-get install chromium) or set login.chromiumPath', 503);
export const ERR_LOGIN_DRIVER_MISSING = createError('IBGW_LOGIN_DRIVER_MISSING', 'the browser driver playwright-core cannot be loaded: %s', 503);
export const ERR_LOGIN_BROWSER_FAILED = createError('IBGW_LOGIN_BROWSER_FAILED', 'the login browser failed: %s', 502);
export const ERR_LOGIN_CERTIFICATE = createError('IBGW_LOGIN_CERTIFICATE', 'the gateway certificate at %s is not trusted: %s', 502);
export const ERR_LOGIN_PAGE = createError('IBGW_LOGIN_PAGE', 'the login page did not show what was expected: %s (check login.selectors)', 502);
export const ERR_LOGIN_REJECTED = createError('IBGW_LOGIN_REJECTED', 'IBKR rejected the username or password: %s', 401);
export const ERR_LOGIN_LOCKED = createError('IBGW_LOGIN_LOCKED', 'IBKR says the account is locked: %s', 403);
export const ERR_LOGIN_CODE_REJECTED = createError('IBGW_LOGIN_CODE_REJECTED', 'IBKR rejected the authenticator code: %s (check the stored TOTP secret and the clock)', 401);
export const ERR_LOGIN_TOTP_MISSING = createError('IBGW_LOGIN_TOTP_MISSING', 'the login page asks for an authenticator code but no TOTP secret is stored', 409);
export const ERR_LOGIN_PUSH_DENIED = createError('IBGW_LOGIN_PUSH_DENIED', 'the login was denied on the device: %s', 401);
export const ERR_LOGIN_PUSH_TIMEOUT = createError('IBGW_LOGIN_PUSH_TIMEOUT', 'the login was not approved on the device in time: %s', 504);
export const ERR_LOGIN_EXPIRED = createError('IBGW_LOGIN_EXPIRED', 'the second-factor challenge expired: %s', 504);
export const ERR_LOGIN_UNRECOGNISED = createError('IBGW_LOGIN_UNRECOGNISED', 'the login page showed an error this driver does not know: %s (add it to login.errorTexts)', 502);
export const ERR_LOGIN_NOT_AUTHENTICATED = createError('IBGW_LOGIN_NOT_AUTHENTICATED', 'the page said the login succeeded but the gateway did not authenticate: %s', 502);
export const ERR_LOGIN_ABORTED = createError('IBGW_LOGIN_ABORTED', 'the login was stopped: %s', 503);
export const ERR_LOGIN_BUSY = createError('IBGW_LOGIN_BUSY', 'a login is already running', 409);
export const ERR_LOGIN_LEFTOVER = createError('IBGW_LOGIN_LEFTOVER', 'browser processes survived the login and were killed: %s', 500);

// --- admin UI (issue 12) ---------------------------------------------------------------------
export const ERR_LOGIN_SCREENSHOT_NOT_FOUND = createError('IBGW_LOGIN_SCREENSHOT_NOT_FOUND', 'no login screenshot %s (see GET /api/v1/login)', 404);
export const ERR_LOGIN_UNAVAILABLE = createError('IBGW_LOGIN_UNAVAILABLE', 'this daemon has no browser login', 409);
export const ERR_UI_CSRF = createError('IBGW_UI_CSRF', 'a change made with the admin UI\'s session cookie needs its x-csrf-token header (reload the page)', 403);
