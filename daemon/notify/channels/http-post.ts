/**
 * One POST over node:http(s) for the webhook channel. Not fetch: fetch is undici, ~3 MB of code
 * and heap that a daemon would keep resident from its first notification on (measured), for a
 * request now and then. Redirects are not followed (a signed body must not go where an answer
 * points); the answer's body is read up to a bound.
 */
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';

export interface PostAnswer {
  status: number;
  /** The body as text, at most `maxBytes` of it. */
  text: string;
  header(name: string): string | null;
}

/** Why a POST got no answer: the signal's reason when it was aborted, else the socket's or TLS's error (`code`). */
export type PostFailure = Error & { code?: string };

export function post(url: string, headers: Record<string, string>, body: string, signal: AbortSignal, maxBytes = 64 * 1024): Promise<PostAnswer> {
  return new Promise((resolve, reject) => {
    let target: URL;
    try {
      target = new URL(url);
    } catch (err) {
      return reject(err as PostFailure); // TypeError, code ERR_INVALID_URL
    }
    if (target.protocol !== 'http:' && target.protocol !== 'https:') {
      return reject(Object.assign(new TypeError(`not an http or https URL: ${target.protocol}`), { code: 'ERR_INVALID_URL' }));
    }
    if (signal.aborted) return reject(signal.reason as PostFailure);
    const send = target.protocol === 'https:' ? httpsRequest : httpRequest;
    const payload = Buffer.from(body);
    const req = send(target, { method: 'POST', headers: { ...headers, 'content-length': String(payload.length) } });
    // The signal's reason (a TimeoutError, the notifier's abort) is what the caller is told.
    const onAbort = (): void => {
      req.destroy(signal.reason as Error);
    };
    signal.addEventListener('abort', onAbort, { once: true });
    const done = (): void => signal.removeEventListener('abort', onAbort);
    req.on('error', (err) => {
      done();
      reject(err);
    });
    req.once('response', (res: IncomingMessage) => {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (chunk: Buffer) => {
        if (size >= maxBytes) return;
        chunks.push(chunk);
        size += chunk.length;
      });
      res.on('error', (err) => {
        done();
        reject(err);
      });
      res.once('end', () => {
        done();
        resolve({
          status: res.statusCode ?? 0,
          text: Buffer.concat(chunks).subarray(0, maxBytes).toString('utf8'),
          header: (name) => {
            const value = res.headers[name.toLowerCase()];
            return value === undefined ? null : Array.isArray(value) ? value.join(', ') : value;
          },
        });
      });
    });
    req.end(payload);
  });
}
