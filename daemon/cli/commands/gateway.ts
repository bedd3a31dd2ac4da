import { resolve } from 'node:path';
import { ERR_BAD_REQUEST } from '../../errors.js';
import { parseCommon } from '../args.js';
import { createApiClient } from '../client.js';

const ACTIONS = ['start', 'stop', 'restart'] as const;

const USAGE = `usage: ibgw gateway start|stop|restart [--reason TEXT]
       ibgw gateway install ZIP|FOLDER     stage a Client Portal Gateway distribution (kind clientportal)
       ibgw gateway versions               installed versions, the active and the staged one
       ibgw gateway use ID [--next-window] switch now (health gate, rollback on failure) or in the next window
       ibgw gateway check                  run the update check now (maintenance.updateCheck.url)`;

interface Version { id: string; build: string | null; builtAt: string | null; installedAt: string; active?: boolean; failed?: { reason: string } }

async function versionsCommand(action: string, arg: string | undefined, args: ReturnType<typeof parseCommon>): Promise<number> {
  const api = createApiClient(args.config);
  const out = (data: unknown, text: string) => process.stdout.write(args.json ? JSON.stringify(data, null, 2) + '\n' : text);
  switch (action) {
    case 'install': {
      if (!arg) throw ERR_BAD_REQUEST(USAGE);
      // The daemon reads the file itself: it gets an absolute path (same host, see api.host).
      const r = await api.request<{ version: Version; installed: boolean }>('POST', '/api/v1/gateway/versions', { path: resolve(arg) });
      out(r, r.installed ? `installed ${r.version.id}${r.version.build ? ` (build ${r.version.build}, built ${r.version.builtAt ?? '?'})` : ''}; an update window or \`ibgw gateway use ${r.version.id}\` switches to it\n` : `${r.version.id} is already installed\n`);
      return 0;
    }
    case 'versions': {
      const r = await api.request<{ active: string | null; staged: string | null; versions: Version[] }>('GET', '/api/v1/gateway/versions');
      const lines = r.versions.map((v) => `${v.active ? '*' : ' '} ${v.id.padEnd(16)} ${v.builtAt ?? '-'}  installed ${v.installedAt}${v.id === r.staged ? '  (staged)' : ''}${v.failed ? `  FAILED: ${v.failed.reason}` : ''}`);
      out(r, (lines.length ? lines.join('\n') : 'no versions installed') + `\nactive: ${r.active ?? 'gateway.home from the config'}\n`);
      return 0;
    }
    case 'use': {
      if (!arg) throw ERR_BAD_REQUEST(USAGE);
      const when = args.values['next-window'] ? 'next-window' : 'now';
      const r = await api.request<{ started?: string; staged?: { id: string } }>('POST', '/api/v1/gateway/versions/use', { id: arg, when });
      out(r, r.staged ? `staged (${r.staged.id}) for the next apply, update or restart window\n` : `${r.started}: started (health gate, rollback on failure; see ibgw maintenance status)\n`);
      return 0;
    }
    case 'check': {
      const r = await api.request<{ status: string; id?: string }>('POST', '/api/v1/gateway/versions/check', {});
      out(r, `${r.status}${r.id ? ` ${r.id}` : ''}\n`);
      return 0;
    }
    default:
      throw ERR_BAD_REQUEST(USAGE);
  }
}

export async function gatewayCommand(argv: string[]): Promise<number> {
  const args = parseCommon(argv, { reason: { type: 'string' }, 'next-window': { type: 'boolean' } });
  const [action, arg] = args.positionals;
  if (action && ['install', 'versions', 'use', 'check'].includes(action)) return versionsCommand(action, arg, args);
  if (!action || !(ACTIONS as readonly string[]).includes(action)) throw ERR_BAD_REQUEST(USAGE);
  const reason = (args.values.reason as string | undefined) ?? `operator ${action} via CLI`;
  const status = await createApiClient(args.config).request<{ state: string; pid: number | null }>('POST', `/api/v1/gateway/${action}`, { reason });
  process.stdout.write(args.json ? JSON.stringify(status, null, 2) + '\n' : `gateway ${status.state}${status.pid ? ` (pid ${status.pid})` : ''}\n`);
  return 0;
}
