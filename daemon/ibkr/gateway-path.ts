/**
 * The path an app asks for below /api/v1/ibkr, made canonical before anything else looks at
 * it. The gateway decodes percent-escapes, so `/portfolio/%61ccounts` *is* /portfolio/accounts
 * to IBKR: pacing, the cache and the session-path rule must see the decoded form, or an
 * encoding would slip a request past its endpoint's limit and into IBKR's penalty box.
 */
import { ERR_IBKR_PATH, ERR_IBKR_SESSION_PATH } from '../errors.js';

const MAX_PATH = 1024;
const MAX_QUERY = 4096;

/** Calls that belong to the session keeper alone: an app logging out would log out every app. */
const SESSION_PATHS = ['/logout', '/iserver/reauthenticate', '/iserver/auth/ssodh/init', '/sso/Login'];

export interface GatewayPath {
  /** Decoded segments joined by '/': what pacing, the cache and the rules match on. */
  path: string;
  /** Re-encoded segment by segment: what is sent to the gateway. */
  wire: string;
  query: string;
}

/** `raw` is the request URL after the route's prefix, still percent-encoded (`/portfolio/x/summary?a=1`). */
export function parseGatewayPath(raw: string): GatewayPath {
  const q = raw.indexOf('?');
  const rawPath = q >= 0 ? raw.slice(0, q) : raw;
  const query = q >= 0 ? raw.slice(q + 1) : '';
  if (rawPath.length === 0 || rawPath === '/') throw ERR_IBKR_PATH('empty path');
  if (rawPath.length > MAX_PATH) throw ERR_IBKR_PATH(`longer than ${MAX_PATH} characters`);
  if (query.length > MAX_QUERY) throw ERR_IBKR_PATH(`query longer than ${MAX_QUERY} characters`);
  // Control characters and spaces never belong in a query the gateway should see either.
  if (/[\s#]/.test(query) || hasControl(query)) throw ERR_IBKR_PATH('control character or space in the query');
  const segments = rawPath.replace(/^\//, '').split('/').map((segment) => decodeSegment(segment));
  const path = '/' + segments.join('/');
  return { path, wire: '/' + segments.map((s) => encodeURIComponent(s)).join('/'), query };
}

function hasControl(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x20 || c === 0x7f) return true;
  }
  return false;
}

function decodeSegment(segment: string): string {
  if (segment === '') throw ERR_IBKR_PATH('empty path segment');
  let decoded: string;
  try {
    decoded = decodeURIComponent(segment);
  } catch {
    throw ERR_IBKR_PATH(`bad percent-encoding in ${JSON.stringify(segment.slice(0, 50))}`);
  }
  if (decoded === '.' || decoded === '..') throw ERR_IBKR_PATH('dot segment');
  // An encoded slash or backslash would make one segment two on the gateway's side.
  if (/[/\\\s?#]/.test(decoded) || hasControl(decoded)) throw ERR_IBKR_PATH(`forbidden character in segment ${JSON.stringify(decoded.slice(0, 50))}`);
  return decoded;
}

/** Refuses the keeper's own calls whatever the token: apps share one IBKR session. */
export function assertNotSessionPath(path: string): void {
  const lower = path.toLowerCase();
  if (SESSION_PATHS.some((p) => lower === p.toLowerCase() || lower.startsWith(`${p.toLowerCase()}/`))) throw ERR_IBKR_SESSION_PATH(path);
}
