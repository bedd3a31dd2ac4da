/**
 * Reading a password without it ever being an argument (visible to every user in `ps` and
 * /proc/<pid>/cmdline) or echoed to the terminal: a hidden prompt on a TTY, or lines on stdin
 * for scripts.
 */
import { createInterface } from 'node:readline/promises';
import { ERR_BAD_REQUEST } from '../errors.js';

export async function readStdinLines(stream: NodeJS.ReadableStream = process.stdin): Promise<string[]> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk)));
  // Windows line ends from a pasted file would put a \\r at the end of the password.
  return Buffer.concat(chunks).toString('utf8').split('\n').map((line) => line.replace(/\r$/, ''));
}

export async function askVisible(question: string): Promise<string> {
  const rl = createInterface({ input: process.stdin, output: process.stderr, terminal: true });
  try {
    return (await rl.question(question)).trim();
  } finally {
    rl.close();
  }
}

/**
 * Raw mode turns the terminal's echo off; each key is handled here. Pasted text arrives as one
 * chunk of many characters. Ctrl-C and Ctrl-D (on an empty line) abort.
 */
export async function askHidden(question: string, input: NodeJS.ReadStream = process.stdin, output: NodeJS.WritableStream = process.stderr): Promise<string> {
  // Echo goes off before the prompt shows: a password typed (or sent by a script) as soon as the
  // prompt appears would otherwise reach a terminal still in its echoing mode and be printed.
  input.setRawMode(true);
  output.write(question);
  input.resume();
  input.setEncoding('utf8');
  try {
    return await new Promise<string>((resolve, reject) => {
      let value = '';
      const onData = (chunk: string) => {
        for (const ch of chunk) {
          if (ch === '\r' || ch === '\n') return done(() => resolve(value));
          if (ch === '\u0003' || (ch === '\u0004' && value === '')) return done(() => reject(ERR_BAD_REQUEST('cancelled')));
          if (ch === '\u007f' || ch === '\b') value = value.slice(0, -1);
          else if (ch >= ' ') value += ch;
        }
      };
      const done = (settle: () => void) => {
        input.off('data', onData);
        settle();
      };
      input.on('data', onData);
    });
  } finally {
    input.setRawMode(false);
    input.pause();
    output.write('\n');
  }
}
