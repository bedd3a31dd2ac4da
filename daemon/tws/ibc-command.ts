/**
 * One exchange with IBC's command server: connect, send a command line, read IBC's answer line
 * (`OK …` or `ERROR …`). IBC prints nothing on connect (SuppressInfoMessages defaults to yes)
 * and answers a command only when it is done with it, so every step is bounded: the command
 * server lives in the gateway's JVM and a hung JVM answers nothing.
 */
import { connect } from 'node:net';
import { ERR_TWS_COMMAND } from '../errors.js';

export interface IbcCommandOptions {
  host?: string;
  port: number;
  timeoutMs: number;
}

/** Resolves with the answer line; rejects with ERR_TWS_COMMAND (refused, closed, timed out, or ERROR …). */
export function ibcCommand(command: string, options: IbcCommandOptions): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: options.host ?? '127.0.0.1', port: options.port });
    let text = '';
    let settled = false;
    const done = (err: Error | null, line = '') => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      if (err) reject(err);
      else resolve(line);
    };
    const timer = setTimeout(() => done(ERR_TWS_COMMAND(command, `no answer within ${options.timeoutMs} ms`)), options.timeoutMs);
    socket.once('connect', () => socket.write(`${command}\n`));
    socket.on('data', (chunk: Buffer) => {
      text += chunk.toString('utf8');
      const nl = text.indexOf('\n');
      if (nl < 0) return;
      const line = text.slice(0, nl).replace(/\r$/, '');
      if (line.startsWith('OK')) done(null, line);
      else done(ERR_TWS_COMMAND(command, line || 'an empty answer'));
    });
    socket.once('close', () => done(ERR_TWS_COMMAND(command, 'the connection closed without an answer')));
    socket.once('error', (err) => done(ERR_TWS_COMMAND(command, err.message)));
  });
}
