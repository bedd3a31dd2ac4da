import { pino, type Logger } from 'pino';

/**
 * Paths pino censors wherever they appear in a log object. Secrets that travel inside free
 * text (the gateway's start log prints sslPwd) are redacted line by line before logging, by
 * the gateway kind's redactLine.
 */
export const REDACT_PATHS = [
  'password', '*.password', 'passphrase', '*.passphrase', 'token', '*.token', 'adminToken', '*.adminToken',
  'sslPwd', '*.sslPwd', 'authorization', '*.authorization', 'req.headers.authorization', 'headers.authorization',
  'req.headers.cookie', 'res.headers["set-cookie"]', 'credentials', '*.credentials', 'key', '*.keyPem', 'keyPem',
];

export function createLogger(level: string = 'info', destination?: NodeJS.WritableStream): Logger {
  const options = { level, base: { name: 'ibgw' }, redact: { paths: REDACT_PATHS, censor: '[redacted]' } };
  return destination ? pino(options, destination as never) : pino(options);
}

export const silentLogger: Logger = pino({ level: 'silent' });

export type { Logger };
