import { parseCommon } from '../args.js';
import { createApiClient } from '../client.js';
import { formatBytes, formatDuration, formatRestarts, table } from '../format.js';

interface StatusAnswer {
  daemon: { pid: number; version: string; uptime: number; config?: { file: string | null; error?: { message: string } | null } };
  gateway: { state: string; pid: number | null; since: string | null; restartsSinceStart: number; restartsAllTime: number; lastExit: { code: number | null; signal: string | null } | null; cpu: number | null; memory: number | null; reason?: string | null };
  session: { state: string; loginUrl?: string } | null;
}

export async function statusCommand(argv: string[]): Promise<number> {
  const args = parseCommon(argv);
  const status = await createApiClient(args.config).request<StatusAnswer>('GET', '/api/v1/status');
  if (args.json) {
    process.stdout.write(JSON.stringify(status, null, 2) + '\n');
    return 0;
  }
  const g = status.gateway;
  const exit = g.lastExit ? (g.lastExit.signal ? `signal ${g.lastExit.signal}` : `code ${g.lastExit.code}`) : null;
  process.stdout.write(table([
    ['daemon', `pid ${status.daemon.pid}, v${status.daemon.version}, up ${formatDuration(status.daemon.uptime)}`],
    ['config', (status.daemon.config?.file ?? 'embedded default') + (status.daemon.config?.error ? ` — EDIT REFUSED, running on the last good config: ${status.daemon.config.error.message}` : '')],
    ['gateway', g.state + (g.reason ? ` (${g.reason})` : '')],
    ['pid', g.pid],
    ['since', g.since],
    ['restarts', formatRestarts(g.restartsSinceStart, g.restartsAllTime)],
    ['last exit', exit],
    ['cpu', g.cpu === null ? null : `${g.cpu.toFixed(1)} %`],
    ['memory', formatBytes(g.memory)],
    ['session', status.session ? status.session.state + (status.session.loginUrl && status.session.state === 'needs-login' ? ` — log in at ${status.session.loginUrl}` : '') : null],
  ]) + '\n');
  return 0;
}
