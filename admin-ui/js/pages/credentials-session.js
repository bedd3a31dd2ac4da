import { get, isMissingRoute, post } from '../api.js';
import * as f from '../format.js';
import { html, useState } from '../html.js';
import { refreshStatus, useLive } from '../live.js';
import { useCanChange } from '../session.js';
import { ActionButton, Card, ErrorNote, KeyValues, Note } from '../ui/components.js';
import { useConfirm } from '../ui/confirm.js';
import { usePoll } from '../ui/poll.js';

/** How many logins the keeper used today and whether automated logins are stopped. */
export function LoginBudget() {
  const live = useLive();
  const confirm = useConfirm();
  const canChange = useCanChange();
  const [error, setError] = useState(null);
  const s = live.status?.session;
  const unblock = async () => {
    const ok = await confirm({
      title: 'Allow automated logins again?',
      body: 'Only once the stored credentials are right: another rejected password can get the IBKR account locked.',
      confirmLabel: 'Allow logins',
    });
    if (!ok) return;
    setError(null);
    try {
      await post('/api/v1/session/clear-login-block');
      await refreshStatus();
    } catch (err) {
      setError(err);
    }
  };
  return html`<${Card} title="Logins">
    ${!live.status ? html`<p class="muted">Loading…</p>` : !s ? html`<${Note}>The session keeper is off.<//>` : html`
      <${KeyValues} label="Login budget" items=${[
        ['Logins today', s.loginsToday],
        ['Automated logins', s.loginBlocked ? html`<strong class="bad-text">blocked since ${f.dateTime(s.loginBlocked.at)}</strong>: ${s.loginBlocked.reason}` : 'allowed'],
        ['Session', s.state],
      ]} />
      ${s.loginBlocked && canChange ? html`<div class="actions"><${ActionButton} kind="primary" onClick=${unblock}>Allow logins again<//></div>` : null}`}
    <${ErrorNote} error=${error} />
  <//>`;
}

/** GET /api/v1/connection: gateway running, session authenticated, a brokerage call answered. */
export function ConnectionTest() {
  const [result, setResult] = useState(null);
  const [error, setError] = useState(null);
  const test = async () => {
    setError(null);
    setResult(null);
    try {
      setResult(await get('/api/v1/connection'));
    } catch (err) {
      setError(err);
    }
  };
  return html`<${Card} title="Test the connection">
    <p>Asks the gateway for a brokerage answer through the daemon, as an app would.</p>
    <div class="actions"><${ActionButton} onClick=${test}>Test connection<//></div>
    ${error && isMissingRoute(error) ? html`<${Note}>This daemon has no connection test yet (<code>GET /api/v1/connection</code>): ${error.message}.<//>` : html`<${ErrorNote} error=${error} />`}
    ${result ? html`<div role="status">${result.success
      ? html`<${Note} kind="ok">Connected: the gateway answered a brokerage call.<//>`
      : html`<${Note} kind="error">${result.error ?? 'Not connected.'}${result.code ? html` <code class="code">${result.code}</code>` : null}<//>`}
      <${KeyValues} label="Connection test" items=${[['Gateway', result.gateway], ['Session', result.session], ['Checked', f.dateTime(result.checkedAt)]]} /></div>` : null}
  <//>`;
}

/** The browser login: can it run, how the last attempt went, and the screenshot of the last failure. */
export function LastLogin() {
  const login = usePoll(() => get('/api/v1/login'), 5000);
  const d = login.data;
  const last = d?.last;
  const shot = last?.screenshot ?? d?.screenshots?.at(-1) ?? null;
  return html`<${Card} title="Automated login">
    ${login.error && isMissingRoute(login.error) ? html`<${Note}>This daemon has no browser login.<//>` : html`<${ErrorNote} error=${login.error} />`}
    ${d ? html`
      ${d.unavailable ? html`<${Note} kind="warn">Automated logins cannot run: ${d.unavailable}.<//>` : null}
      <${KeyValues} label="Last login attempt" items=${last ? [
        ['Result', d.running ? 'running…' : last.result], ['When', `${f.dateTime(last.at)} (${Math.round(last.ms / 100) / 10} s)`],
        ['Why', last.code ? html`${last.detail.replace(/\s*\[IBGW_[A-Z0-9_]+\]$/, '')} <code class="code">${last.code}</code>` : last.detail || '—'],
        ['IBKR said', last.pageText], ['Second factor', last.secondFactor],
      ] : [['Last attempt', d.running ? 'running…' : 'none since the daemon started']]} />
      ${shot ? html`<figure class="shot">
        <img src=${`/api/v1/login/screenshots/${encodeURIComponent(shot)}`} alt="The gateway's login page as the failed login left it (password field emptied)" />
        <figcaption class="muted">${shot} — taken after the password field was emptied.</figcaption>
      </figure>` : null}` : null}
  <//>`;
}
