import { ERR_BAD_REQUEST } from '../../errors.js';
import { parseCommon, readFileArg } from '../args.js';
import { createApiClient } from '../client.js';

const USAGE = `usage: ibgw conf show                      the managed gateway conf.yaml (secrets redacted)
       ibgw conf diff FILE                 what applying FILE would change
       ibgw conf apply FILE [--reason T]   write it and restart the gateway (it reads conf only at start)
       ibgw conf versions                  earlier versions kept for rollback
       ibgw conf rollback ID               go back to version ID`;

interface Preview { diff: string; changed: boolean; problems: Array<{ key?: string; message?: string }>; adjusted: string[] }
interface Change { changed: boolean; version: number | null; diff: string }

/** ibgw conf …: the managed gateway conf.yaml through the daemon API. */
export async function confCommand(argv: string[]): Promise<number> {
  const args = parseCommon(argv, { reason: { type: 'string' } });
  const [action, arg] = args.positionals;
  const api = createApiClient(args.config);
  const out = (data: unknown, text: string) => process.stdout.write(args.json ? JSON.stringify(data, null, 2) + '\n' : text);
  const file = () => {
    if (!arg) throw ERR_BAD_REQUEST(USAGE);
    return readFileArg(arg).toString('utf8');
  };
  switch (action) {
    case 'show': {
      const r = await api.request<{ text: string }>('GET', '/api/v1/conf');
      out(r, r.text);
      return 0;
    }
    case 'diff': {
      const r = await api.request<Preview>('POST', '/api/v1/conf/preview', { text: file() });
      const notes = [...r.problems.map((p) => `problem: ${p.key ?? ''} ${p.message ?? ''}`), ...r.adjusted.map((k) => `kept by the daemon: ${k}`)];
      out(r, (r.changed ? r.diff : 'no change\n') + (notes.length ? notes.join('\n') + '\n' : ''));
      return r.problems.length ? 1 : 0;
    }
    case 'apply': {
      const reason = (args.values.reason as string | undefined) ?? 'conf applied via CLI';
      const r = await api.request<Change>('POST', '/api/v1/conf/apply', { text: file(), reason });
      out(r, r.changed ? `${r.diff}applied (previous version ${r.version}); gateway restart requested\n` : 'no change\n');
      return 0;
    }
    case 'versions': {
      const r = await api.request<{ versions: Array<{ id: number; writtenAt: string; replacedAt: string; reason: string }> }>('GET', '/api/v1/conf/versions');
      out(r, r.versions.map((v) => `${String(v.id).padStart(4)}  ${v.writtenAt} → ${v.replacedAt}  ${v.reason}`).join('\n') + '\n');
      return 0;
    }
    case 'rollback': {
      const id = Number(arg);
      if (!Number.isInteger(id) || id < 1) throw ERR_BAD_REQUEST(USAGE);
      const r = await api.request<Change>('POST', `/api/v1/conf/rollback/${id}`, {});
      out(r, r.changed ? `${r.diff}rolled back; gateway restart requested\n` : 'no change\n');
      return 0;
    }
    default:
      throw ERR_BAD_REQUEST(USAGE);
  }
}
