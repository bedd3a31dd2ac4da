import { ERR_BAD_REQUEST } from '../../errors.js';
import { parseCommon } from '../args.js';
import { createApiClient } from '../client.js';

const USAGE = `usage: ibgw maintenance list
       ibgw maintenance add --title T --action restart|stop|quiet|apply|update
            (--start ISO --end ISO | --cron "0 3 * * *" | --days mon-fri --time 02:30)
            [--tz America/New_York] [--duration MIN] [--reason T] [--run-if-missed] [--notice MIN]
       ibgw maintenance rm ID | skip ID
       ibgw maintenance now MINUTES [--action quiet] [--title T] [--reason T]
       ibgw maintenance end
       ibgw maintenance calendar [--days N]
       ibgw maintenance plan | pending [rm ID] | rollback | status`;

const DAY_NAMES = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];

/** "mon-fri", "sat,sun", "1,3,5" → [1..5], [6,0], [1,3,5]. */
export function parseDays(text: string): number[] {
  const day = (s: string): number => {
    const n = /^\d$/.test(s) ? Number(s) : DAY_NAMES.indexOf(s.toLowerCase().slice(0, 3));
    if (n < 0 || n > 6) throw ERR_BAD_REQUEST(`--days: unknown day ${JSON.stringify(s)} (sun..sat or 0..6)`);
    return n;
  };
  const out = new Set<number>();
  for (const part of text.split(',').map((p) => p.trim()).filter(Boolean)) {
    const [a, b] = part.split('-');
    if (b === undefined) out.add(day(a));
    else for (let d = day(a); ; d = (d + 1) % 7) { out.add(d); if (d === day(b)) break; }
  }
  return [...out];
}

interface Window { id: string; title: string; action: string; schedule: Record<string, unknown>; next: { start: string; end: string } | null; runIfMissed: boolean }

function describeSchedule(s: Record<string, unknown>): string {
  if (s.kind === 'once') return `${s.start} → ${s.end}`;
  if (s.kind === 'cron') return `cron "${s.cron}" ${s.timeZone}, ${s.durationMinutes} min`;
  return `${(s.days as number[]).map((d) => DAY_NAMES[d]).join(',')} ${s.time} ${s.timeZone}, ${s.durationMinutes} min`;
}

function windowBody(v: Record<string, string | boolean | undefined>): Record<string, unknown> {
  const num = (flag: string): number | undefined => {
    const raw = v[flag];
    if (raw === undefined) return undefined;
    const n = Number(raw);
    if (!Number.isInteger(n)) throw ERR_BAD_REQUEST(`--${flag} must be a whole number of minutes`);
    return n;
  };
  const body: Record<string, unknown> = {
    title: v.title, action: v.action, reason: v.reason, start: v.start, end: v.end, cron: v.cron, time: v.time,
    timeZone: v.tz, durationMinutes: num('duration'), noticeMinutes: num('notice'),
    days: typeof v.days === 'string' ? parseDays(v.days) : undefined,
    runIfMissed: v['run-if-missed'] ? true : undefined,
  };
  for (const k of Object.keys(body)) if (body[k] === undefined) delete body[k];
  return body;
}

type Args = ReturnType<typeof parseCommon>;
type Out = (data: unknown, text: string) => void;

/** list, add, rm, skip, now, end, calendar: the windows themselves. */
async function windowsCommand(action: string, arg: string | undefined, args: Args, out: Out): Promise<number | null> {
  const api = createApiClient(args.config);
  const v = args.values;
  switch (action) {
    case 'list': {
      const r = await api.request<{ windows: Window[] }>('GET', '/api/v1/maintenance/windows');
      out(r, r.windows.map((w) => `${w.id}  ${w.action.padEnd(7)} ${w.title} — ${describeSchedule(w.schedule)}${w.next ? `; next ${w.next.start}` : ''}`).join('\n') + (r.windows.length ? '\n' : 'no maintenance windows\n'));
      return 0;
    }
    case 'add': {
      const w = await api.request<Window>('POST', '/api/v1/maintenance/windows', windowBody(v));
      out(w, `added ${w.id}: ${w.action} ${w.title} — ${describeSchedule(w.schedule)}${w.next ? `; next ${w.next.start}` : ''}\n`);
      return 0;
    }
    case 'rm':
    case 'skip': {
      if (!arg) throw ERR_BAD_REQUEST(USAGE);
      const r = action === 'rm'
        ? await api.request<{ removed: Window }>('DELETE', `/api/v1/maintenance/windows/${encodeURIComponent(arg)}`)
        : await api.request<{ start: string }>('POST', `/api/v1/maintenance/windows/${encodeURIComponent(arg)}/skip`, {});
      out(r, action === 'rm' ? `removed ${arg}\n` : `skipping the occurrence at ${(r as { start: string }).start}\n`);
      return 0;
    }
    case 'now': {
      const minutes = Number(arg);
      if (!Number.isInteger(minutes)) throw ERR_BAD_REQUEST(USAGE);
      const body = { minutes, ...(v.action ? { action: v.action } : {}), ...(v.title ? { title: v.title } : {}), ...(v.reason ? { reason: v.reason } : {}) };
      const w = await api.request<Window>('POST', '/api/v1/maintenance/now', body);
      out(w, `maintenance (${w.action}) now until ${(w.schedule as { end: string }).end}\n`);
      return 0;
    }
    case 'end': {
      const r = await api.request<{ title: string; end: string }>('POST', '/api/v1/maintenance/end', {});
      out(r, `ended "${r.title}" at ${r.end}\n`);
      return 0;
    }
    case 'calendar': {
      const days = v.days === undefined ? 7 : Number(v.days);
      const r = await api.request<{ occurrences: Array<{ source: string; start: string; end: string; title?: string; action?: string; reason: string }> }>('GET', `/api/v1/maintenance/calendar?days=${days}`);
      out(r, r.occurrences.map((o) => `${o.start} → ${o.end}  ${o.source.padEnd(5)} ${o.source === 'admin' ? `${o.action} ${o.title}` : o.reason}`).join('\n') + '\n');
      return 0;
    }
    default:
      return null;
  }
}

/** plan, status, pending, rollback: what the windows change. */
async function changesCommand(action: string, arg: string | undefined, arg2: string | undefined, args: Args, out: Out): Promise<number> {
  const api = createApiClient(args.config);
  switch (action) {
    case 'plan':
    case 'status': {
      const r = await api.request<Record<string, unknown>>('GET', `/api/v1/maintenance/${action}`);
      out(r, JSON.stringify(r, null, 2) + '\n');
      return 0;
    }
    case 'pending': {
      if (arg === 'rm') {
        if (!arg2) throw ERR_BAD_REQUEST(USAGE);
        const r = await api.request('DELETE', `/api/v1/maintenance/pending/${encodeURIComponent(arg2)}`);
        out(r, `dropped ${arg2}\n`);
        return 0;
      }
      const r = await api.request<{ pending: Array<{ id: string; summary: string; createdAt: string }> }>('GET', '/api/v1/maintenance/pending');
      out(r, r.pending.map((p) => `${p.id}  ${p.createdAt}  ${p.summary}`).join('\n') + (r.pending.length ? '\n' : 'nothing staged\n'));
      return 0;
    }
    case 'rollback': {
      const r = await api.request<{ started: string }>('POST', '/api/v1/maintenance/rollback', {});
      out(r, `${r.started}: started (the outcome is the event maintenance.rolled-back or maintenance.rollback-failed)\n`);
      return 0;
    }
    default:
      throw ERR_BAD_REQUEST(USAGE);
  }
}

/** ibgw maintenance …: admin maintenance windows through the daemon API. */
export async function maintenanceCommand(argv: string[]): Promise<number> {
  const flags = ['title', 'action', 'start', 'end', 'cron', 'days', 'time', 'tz', 'duration', 'reason', 'notice'] as const;
  const args = parseCommon(argv, { ...Object.fromEntries(flags.map((f) => [f, { type: 'string' as const }])), 'run-if-missed': { type: 'boolean' } });
  const [action, arg, arg2] = args.positionals;
  const out: Out = (data, text) => process.stdout.write(args.json ? JSON.stringify(data, null, 2) + '\n' : text);
  if (!action) throw ERR_BAD_REQUEST(USAGE);
  return (await windowsCommand(action, arg, args, out)) ?? changesCommand(action, arg, arg2, args, out);
}
