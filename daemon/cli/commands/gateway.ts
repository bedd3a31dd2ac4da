import { ERR_BAD_REQUEST } from '../../errors.js';
import { parseCommon } from '../args.js';
import { createApiClient } from '../client.js';

const ACTIONS = ['start', 'stop', 'restart'] as const;

export async function gatewayCommand(argv: string[]): Promise<number> {
  const args = parseCommon(argv, { reason: { type: 'string' } });
  const action = args.positionals[0] as (typeof ACTIONS)[number] | undefined;
  if (!action || !ACTIONS.includes(action)) throw ERR_BAD_REQUEST(`usage: ibgw gateway ${ACTIONS.join('|')} [--reason TEXT]`);
  const reason = (args.values.reason as string | undefined) ?? `operator ${action} via CLI`;
  const status = await createApiClient(args.config).request<{ state: string; pid: number | null }>('POST', `/api/v1/gateway/${action}`, { reason });
  process.stdout.write(args.json ? JSON.stringify(status, null, 2) + '\n' : `gateway ${status.state}${status.pid ? ` (pid ${status.pid})` : ''}\n`);
  return 0;
}
