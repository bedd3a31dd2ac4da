// The daemon's public API as the UI uses it. The session cookie goes along by itself
// (same origin, HttpOnly: this code never sees it); every change carries the session's CSRF
// value. A failure always becomes an ApiError with the API's own code and message.

let csrf = null;
let onSignedOut = () => {};

export class ApiError extends Error {
  constructor(status, code, message, details) {
    super(message);
    this.status = status;
    this.code = code;
    this.details = details ?? null;
  }
}

export function setCsrf(value) {
  csrf = value;
}

/** Called when an API answer says the session is gone (401): the UI shows the sign-in again. */
export function onSessionLost(handler) {
  onSignedOut = handler;
}

function parseJson(text) {
  try {
    return text ? JSON.parse(text) : null;
  } catch {
    return null;
  }
}

const CHANGES = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

export async function api(method, path, body) {
  const headers = { accept: 'application/json' };
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (CHANGES.has(method) && csrf) headers['x-csrf-token'] = csrf;
  let res;
  try {
    res = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), credentials: 'same-origin', cache: 'no-store' });
  } catch (err) {
    throw new ApiError(0, 'NETWORK', `The daemon did not answer (${err.message}). Is it running?`);
  }
  const text = await res.text();
  const data = parseJson(text);
  if (!res.ok) {
    const code = typeof data?.code === 'string' ? data.code : `HTTP_${res.status}`;
    const message = typeof data?.message === 'string' ? data.message : (text.trim().slice(0, 300) || `HTTP ${res.status} ${res.statusText}`);
    const err = new ApiError(res.status, code, message, data?.details);
    if (res.status === 401 && path !== '/api/v1/ui/session') onSignedOut(err);
    throw err;
  }
  return data ?? (res.status === 204 ? null : text);
}

export const get = (path) => api('GET', path);
export const post = (path, body = {}) => api('POST', path, body);
export const put = (path, body) => api('PUT', path, body);
export const del = (path) => api('DELETE', path);

/** A 404 for the route itself (not for a thing it looks up): this daemon has no such API yet. */
export const isMissingRoute = (err) => err instanceof ApiError && err.status === 404 && /^no route /.test(err.message);
