import type { AccessChangeResult, AccessLists } from '../../access/access-service.js';
import type { AccessExplanation } from '../../access/matcher.js';
import type { AccessSuggestion } from '../../access/suggestions.js';
import { ERR_BAD_REQUEST } from '../../errors.js';
import { parseCommon } from '../args.js';
import { createApiClient } from '../client.js';

const USAGE = `usage: ibgw access list
       ibgw access add allow|deny ENTRY [--label TEXT] [--force] [--dry-run]
       ibgw access remove allow|deny ENTRY [--force] [--dry-run]
       ibgw access explain ADDRESS
       ibgw access suggest
ENTRY: a.*, a.b.*, a.b.c.*, a.b.c.d, a CIDR (10.0.0.0/8) or a range (10.0.0.0-10.0.0.255).`;

function printLists(lists: AccessLists): string {
  const lines: string[] = [];
  for (const name of ['allow', 'deny'] as const) {
    lines.push(`${name}:`);
    for (const e of lists[name]) lines.push(`  ${e.pattern.padEnd(18)}${e.valid ? '' : ' (never matches)'}${e.label ? `  # ${e.label}` : ''}`);
  }
  lines.push(`probe ${lists.probeAddress}: ${lists.probe.allowed ? 'allowed' : `REFUSED (${lists.probe.reason})`}`);
  return lines.join('\n') + '\n';
}

function printChange(res: AccessChangeResult, dryRun: boolean): string {
  const what = res.translatedFrom ? `${res.pattern} (from ${res.translatedFrom})` : res.pattern;
  const head = dryRun ? `would change ${res.list} ${what}:` : res.applied ? `${res.list} ${what}: applied, gateway restart requested` : `${res.list} ${what}: nothing to change`;
  return `${head}\n${res.diff}`;
}

/** ibgw access …: the gateway's IP allow/deny lists through the daemon API. */
export async function accessCommand(argv: string[]): Promise<number> {
  const args = parseCommon(argv, { label: { type: 'string' }, force: { type: 'boolean' }, 'dry-run': { type: 'boolean' } });
  const [action, list, entry] = args.positionals;
  const api = createApiClient(args.config);
  const out = (data: unknown, text: string) => process.stdout.write(args.json ? JSON.stringify(data, null, 2) + '\n' : text);
  switch (action) {
    case 'list': {
      const lists = await api.request<AccessLists>('GET', '/api/v1/access');
      out(lists, printLists(lists));
      return 0;
    }
    case 'add':
    case 'remove': {
      if ((list !== 'allow' && list !== 'deny') || !entry) throw ERR_BAD_REQUEST(USAGE);
      const dryRun = Boolean(args.values['dry-run']);
      const body = { entry, force: Boolean(args.values.force), dryRun, ...(action === 'add' && args.values.label !== undefined ? { label: args.values.label } : {}) };
      const res = await api.request<AccessChangeResult>('POST', `/api/v1/access/${list}${action === 'remove' ? '/remove' : ''}`, body);
      out(res, printChange(res, dryRun));
      return 0;
    }
    case 'explain': {
      if (!list) throw ERR_BAD_REQUEST(USAGE);
      const res = await api.request<AccessExplanation>('GET', `/api/v1/access/explain?address=${encodeURIComponent(list)}`);
      out(res, `${res.address}: HTTP ${res.status}${res.status === 404 ? ' Access Denied' : ''} — ${res.reason}\n`);
      return res.allowed ? 0 : 1;
    }
    case 'suggest': {
      const res = await api.request<{ suggestions: AccessSuggestion[] }>('GET', '/api/v1/access/suggestions');
      out(res, res.suggestions.map((s) => `${s.pattern.padEnd(16)} ${s.interface} ${s.network}: ${s.reason}`).join('\n') + '\n');
      return 0;
    }
    default:
      throw ERR_BAD_REQUEST(USAGE);
  }
}
