import { post } from '../api.js';
import * as f from '../format.js';
import { html, useState } from '../html.js';
import { refreshStatus, useLive, watchClosely } from '../live.js';
import { useCanChange } from '../session.js';
import { ActionButton, Card, ErrorNote, KeyValues, Note, PageHead, StatePill } from '../ui/components.js';
import { useConfirm } from '../ui/confirm.js';
import { HistoryCharts } from './dashboard-charts.js';

const REASON = 'from the admin UI';

function actionsFor(status) {
  const kind = status?.gateway?.info?.kind ?? 'gateway';
  return {
    start: {
      label: 'Start', title: 'Start the gateway?', confirmLabel: 'Start',
      body: `The daemon launches the ${kind} gateway and waits until it accepts connections; the session keeper then looks after the IBKR session. A gateway in "fatal" starts afresh (its restart count and backoff are cleared).`,
      run: () => post('/api/v1/gateway/start', { reason: `operator start ${REASON}` }),
    },
    stop: {
      label: 'Stop', title: 'Stop the gateway?', confirmLabel: 'Stop the gateway', danger: true,
      body: 'The gateway\'s whole process group gets SIGTERM, then SIGKILL after the grace period. Apps using it lose their connection, /readyz answers 503, and the gateway stays stopped — no automatic restart — until someone starts it.',
      run: () => post('/api/v1/gateway/stop', { reason: `operator stop ${REASON}` }),
    },
    restart: {
      label: 'Restart', title: 'Restart the gateway?', confirmLabel: 'Restart', danger: true,
      body: 'A planned restart: the gateway is stopped (TERM, grace, KILL) and started again. Apps lose their connection until it is back, and the IBKR session is established again — which may need a login.',
      run: () => post('/api/v1/gateway/restart', { reason: `operator restart ${REASON}` }),
    },
    relogin: {
      label: 'Re-login', title: 'Re-establish the IBKR session?', confirmLabel: 'Check and re-login',
      body: 'The session keeper looks at the IBKR session now instead of at its next tickle. If IBKR has logged the session out, it re-authenticates, and logs in again when credentials are stored and the login budget allows. The gateway process is not restarted for this.',
      run: () => post('/api/v1/session/check'),
    },
    unblock: {
      label: 'Allow logins again', title: 'Allow automated logins again?', confirmLabel: 'Allow logins',
      body: 'Automated logins were stopped after IBKR rejected the password (another try could lock the account). Clear the block only once the stored credentials are right: the keeper then logs in with them.',
      run: () => post('/api/v1/session/clear-login-block'),
    },
  };
}

function GatewayActions({ status }) {
  const confirm = useConfirm();
  const canChange = useCanChange();
  const [error, setError] = useState(null);
  const [done, setDone] = useState('');
  const state = status?.gateway?.state;
  const session = status?.session;
  const actions = actionsFor(status);
  const disabled = {
    start: state === 'running' || state === 'starting',
    stop: state === 'stopped',
    restart: state === 'stopped',
    relogin: !session || state !== 'running',
    unblock: !session?.loginBlocked,
  };
  const act = async (name) => {
    const a = actions[name];
    if (!(await confirm({ title: a.title, body: a.body, confirmLabel: a.confirmLabel, danger: a.danger }))) return;
    setError(null);
    setDone(`${a.label}: sent…`);
    watchClosely(60_000);
    try {
      await a.run();
      setDone(`${a.label}: done.`);
    } catch (err) {
      setDone('');
      setError(err);
    }
    await refreshStatus();
    watchClosely(5000);
  };
  if (!canChange) return html`<p class="muted">Signed in read-only: actions need the admin token.</p>`;
  return html`<div class="actions" role="group" aria-label="Gateway actions">
      ${['start', 'stop', 'restart', 'relogin'].map((n) => html`<${ActionButton} kind=${n === 'stop' || n === 'restart' ? 'danger' : ''} disabled=${disabled[n]} onClick=${() => act(n)}>${actions[n].label}<//>`)}
      ${session?.loginBlocked ? html`<${ActionButton} kind="primary" onClick=${() => act('unblock')}>${actions.unblock.label}<//>` : null}
    </div>
    <p class="muted" role="status" aria-live="polite">${done}</p>
    <${ErrorNote} error=${error} />`;
}

function exitText(e) {
  if (!e) return '—';
  const how = e.signal ? `signal ${e.signal}` : `code ${e.code}`;
  return `${how}${e.at ? `, ${f.since(e.at)}` : ''}${e.reason ? ` (${e.reason})` : ''}`;
}

/** The current or next window: from the live status when the daemon has maintenance, else IBKR's reset the keeper is in. */
function NextWindow({ status }) {
  const m = status?.maintenance;
  const reset = status?.session?.maintenanceWindow;
  if (m?.current) {
    return html`<p><${StatePill} state="maintenance" /> ${m.current.title} (${m.current.action}), until ${f.dateTime(m.current.end)}</p>`;
  }
  const items = [];
  if (reset) items.push(['IBKR reset now', `${reset.reason}, until ${f.dateTime(reset.end)}`]);
  if (m?.next) items.push(['Next window', `${m.next.title} (${m.next.action})`], ['Starts', `${f.dateTime(m.next.start)} (${f.since(m.next.start)})`], ['Ends', f.dateTime(m.next.end)]);
  if (m === undefined && !reset) return html`<p class="muted">This daemon has no maintenance service (IBKR's resets still pause the keeper).</p>`;
  if (items.length === 0) return html`<p>No window scheduled. <a href="#/maintenance">Plan one</a>.</p>`;
  return html`<${KeyValues} label="Maintenance" items=${items} />`;
}

export function DashboardPage() {
  const live = useLive();
  const s = live.status;
  const g = s?.gateway;
  const session = s?.session;
  const uptime = g?.state === 'running' && g.since ? f.since(g.since).replace(' ago', '') : '—';
  return html`
    <${PageHead} title="Dashboard">
      <span class="muted">${live.mode === 'stream' ? 'Live (event stream)' : 'Refreshed every 2 s'}${live.updatedAt ? `, ${f.time(live.updatedAt)}` : ''}</span>
    <//>
    ${live.error ? html`<${ErrorNote} error=${live.error} />` : null}
    ${!s && !live.error ? html`<p role="status">Loading…</p>` : null}
    ${s ? html`<div class="grid">
      <${Card} title="Gateway">
        <p class="big"><${StatePill} state=${g.state} label="Gateway" />${g.reason ? html` <span class="muted">${g.reason}</span>` : null}</p>
        <${KeyValues} label="Gateway" items=${[
          ['Kind', g.info?.kind], ['PID', g.pid], ['Uptime', uptime], ['Since', f.dateTime(g.since)],
          ['Restarts (this run / all time)', `${g.restartsSinceStart} / ${g.restartsAllTime ?? '—'}`],
          ['Last exit', exitText(g.lastExit)], ['CPU', f.percent(g.cpu)], ['Memory', f.bytes(g.memory)], ['Address', g.info?.baseUrl],
        ]} />
        <${GatewayActions} status=${s} />
      <//>
      <${Card} title="IBKR session">
        ${session ? html`
          <p class="big"><${StatePill} state=${session.state} label="Session" />${session.authenticated ? (session.state === 'authenticated' ? '' : ' authenticated') : ' not authenticated'}</p>
          <${KeyValues} label="Session" items=${[
            ['Since', f.dateTime(session.since)], ['Reason', session.reason],
            ['Last tickle', session.lastTickleAt ? `${f.ms(session.lastTickleMs)}, ${f.since(session.lastTickleAt)}` : '—'],
            ['Logins today', session.loginsToday],
            ['Automated logins', session.loginBlocked ? html`<strong class="bad-text">blocked</strong> — ${session.loginBlocked.reason ?? ''}` : 'allowed'],
            ['Recovery level', session.ladder?.name],
          ]} />` : html`<${Note}>The session keeper is off (session.enabled: false).<//>`}
      <//>
      <${Card} title="Maintenance"><${NextWindow} status=${s} /><//>
      <${Card} title="Daemon">
        <${KeyValues} label="Daemon" items=${[
          ['PID', s.daemon.pid], ['Version', s.daemon.version], ['Uptime', f.duration(s.daemon.uptime)],
          ['Config file', s.daemon.config?.file ?? 'embedded default'],
          ['Last config edit', s.daemon.config?.error ? html`<span class="bad-text">refused: ${s.daemon.config.error.message}</span>` : 'applied'],
        ]} />
      <//>
    </div>
    <${HistoryCharts} />` : null}
  `;
}
