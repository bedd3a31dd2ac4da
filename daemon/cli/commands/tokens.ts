import { ERR_BAD_REQUEST } from '../../errors.js';
import type { AppToken } from '../../tokens/app-tokens.js';
import { parseCommon } from '../args.js';
import { createApiClient } from '../client.js';

const USAGE = `usage: ibgw tokens create --name NAME --scope read|trade
       ibgw tokens list
       ibgw tokens revoke ID|NAME
read: status, portfolio, GET /api/v1/ibkr/*, events, metrics; trade: read plus orders
(non-GET /api/v1/ibkr/*, only with api.passThrough.allowTrading: true).`;

const when = (iso: string | null) => (iso ? iso.replace('T', ' ').replace(/\.\d+Z$/, 'Z') : 'never');

/**
 * ibgw tokens …: app tokens through the daemon API (admin token). `create` prints the new
 * token alone on its last line — `TOKEN=$(ibgw tokens create … | tail -1)` — and nothing
 * can show it again.
 */
export async function tokensCommand(argv: string[]): Promise<number> {
  const args = parseCommon(argv, { name: { type: 'string' }, scope: { type: 'string' } });
  const [action, target] = args.positionals;
  const api = createApiClient(args.config);
  switch (action) {
    case 'create': {
      const name = args.values.name as string | undefined;
      const scope = args.values.scope as string | undefined;
      if (!name || (scope !== 'read' && scope !== 'trade')) throw ERR_BAD_REQUEST(USAGE);
      const created = await api.request<AppToken & { token: string }>('POST', '/api/v1/tokens', { name, scope });
      if (args.json) process.stdout.write(JSON.stringify(created, null, 2) + '\n');
      else process.stdout.write(`app token ${created.name} (id ${created.id}, scope ${created.scope}); shown this once, keep it now:\n${created.token}\n`);
      return 0;
    }
    case 'list': {
      const { tokens } = await api.request<{ tokens: AppToken[] }>('GET', '/api/v1/tokens');
      if (args.json) process.stdout.write(JSON.stringify(tokens, null, 2) + '\n');
      else if (tokens.length === 0) process.stdout.write('no app tokens (ibgw tokens create --name NAME --scope read)\n');
      else {
        const rows = tokens.map((t) => [t.id, t.name, t.scope, when(t.createdAt), when(t.lastUsedAt) + (t.lastUsedFrom ? ` from ${t.lastUsedFrom}` : '')]);
        const head = ['ID', 'NAME', 'SCOPE', 'CREATED', 'LAST USED'];
        const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
        for (const r of [head, ...rows]) process.stdout.write(r.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd() + '\n');
      }
      return 0;
    }
    case 'revoke': {
      if (!target) throw ERR_BAD_REQUEST(USAGE);
      const { revoked } = await api.request<{ revoked: AppToken }>('DELETE', `/api/v1/tokens/${encodeURIComponent(target)}`);
      process.stdout.write(args.json ? JSON.stringify(revoked, null, 2) + '\n' : `revoked app token ${revoked.name} (id ${revoked.id})\n`);
      return 0;
    }
    default:
      throw ERR_BAD_REQUEST(USAGE);
  }
}
