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

/**
 * The daemon's logger. On a terminal, one readable line per event (pino-pretty, loaded only
 * then and run in this thread: no worker, no extra memory at idle under a service manager);
 * otherwise JSON lines, which pm2, journald and log shippers read.
 */
export async function createDaemonLogger(logging: { level: string; format: 'auto' | 'pretty' | 'json' }, stream: NodeJS.WriteStream = process.stdout): Promise<Logger> {
  const pretty = logging.format === 'pretty' || (logging.format === 'auto' && stream.isTTY === true);
  if (!pretty) return createLogger(logging.level, stream === process.stdout ? undefined : stream);
  const { default: prettyStream } = await import('pino-pretty');
  return createLogger(logging.level, prettyStream({
    destination: stream, sync: true, singleLine: true, colorize: stream.isTTY === true,
    translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname,name',
    // The event type leads the line: it is what a reader scans for.
    messageFormat: '{if event}[{event}] {end}{if component}{component}: {end}{msg}',
  }));
}
