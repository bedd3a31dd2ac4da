import { ERR_BAD_REQUEST } from '../../errors.js';
import type { NotifierStatus, TestResult } from '../../notify/index.js';
import { parseCommon } from '../args.js';
import { createApiClient } from '../client.js';
import { table } from '../format.js';

const USAGE = `usage: ibgw notify test CHANNEL      send a test message and show the receiver's answer
       ibgw notify status            channels, held and failed deliveries, the latest results`;

function printStatus(s: NotifierStatus): string {
  const channels = s.channels.map((c) => `  ${c.name.padEnd(14)} ${c.type.padEnd(8)} pending ${c.pending}  held ${c.held}  failed ${c.failed}${c.enabled === false ? '  (disabled)' : ''}`);
  const recent = s.recent.slice(0, 10).map((d) => `  ${d.createdAt.slice(0, 19)}  ${d.channel.padEnd(14)} ${d.state.padEnd(9)} ${d.title}${d.error ? `  [${d.error.code}]` : ''}`);
  return [
    `channels${channels.length ? '' : '  (none configured)'}`, ...channels,
    s.hold ? `on hold: ${s.hold.reason}` : '',
    'recent', ...(recent.length ? recent : ['  (none)']),
  ].filter(Boolean).join('\n') + '\n';
}

/** ibgw notify …: the daemon's notification channels through its API. */
export async function notifyCommand(argv: string[]): Promise<number> {
  const args = parseCommon(argv);
  const out = (data: unknown, text: string) => process.stdout.write(args.json ? JSON.stringify(data, null, 2) + '\n' : text);
  const [action, channel] = args.positionals;
  if (action === 'status') {
    const s = await createApiClient(args.config).request<NotifierStatus>('GET', '/api/v1/notifications');
    out(s, printStatus(s));
    return 0;
  }
  if (action !== 'test' || !channel) throw ERR_BAD_REQUEST(USAGE);
  const r = await createApiClient(args.config).request<TestResult>('POST', '/api/v1/notifications/test', { channel });
  out(r, table([
    ['channel', r.channel], ['result', r.ok ? 'delivered' : 'failed'], ['time', `${r.ms} ms`],
    ['answer', r.answer ? `${r.answer.status ?? ''} ${r.answer.text}`.trim() : null],
    ['error', r.error ? `${r.error.message} [${r.error.code}]` : null],
  ]) + '\n');
  return r.ok ? 0 : 1;
}
