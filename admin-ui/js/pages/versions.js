import { get, post } from '../api.js';
import * as f from '../format.js';
import { html, useState } from '../html.js';
import { useCanChange } from '../session.js';
import { ActionButton, Card, ErrorNote, Field, KeyValues, PageHead, TableWrap } from '../ui/components.js';
import { useConfirm } from '../ui/confirm.js';
import { usePoll } from '../ui/poll.js';

const HISTORY = ['gateway.version-installed', 'gateway.version-switched', 'gateway.version-pruned', 'gateway.update-available', 'gateway.update-check-failed', 'maintenance.rolled-back', 'maintenance.rollback-failed'];

function Install({ onDone }) {
  const [path, setPath] = useState('');
  const [error, setError] = useState(null);
  const [note, setNote] = useState('');
  const install = async (e) => {
    e.preventDefault();
    setError(null);
    setNote('');
    try {
      const r = await post('/api/v1/gateway/versions', { path: path.trim() });
      setNote(r.installed ? `Installed ${r.version.id}${r.version.build ? ` (build ${r.version.build})` : ''}.` : `${r.version.id} was installed already.`);
      setPath('');
      onDone();
    } catch (err) {
      setError(err);
      document.getElementById('version-path')?.focus();
    }
  };
  return html`<form class="form" onSubmit=${install} aria-label="Install a gateway version" novalidate>
    <${Field} id="version-path" label="clientportal.gw zip or folder on the daemon's host" value=${path} onInput=${setPath} required
      placeholder="/opt/downloads/clientportal.gw.zip" error=${error?.message ?? null} hint="Installing stages it: nothing runs it until you switch to it (now or in an update window)." />
    <div class="actions"><button type="submit" class="btn">Install</button></div>
    <p class="muted" role="status" aria-live="polite">${note}</p>
  </form>`;
}

/** Client Portal Gateway distributions: installed, active, staged; switching and its history. */
export function VersionsPage() {
  const confirm = useConfirm();
  const canChange = useCanChange();
  const list = usePoll(() => get('/api/v1/gateway/versions'), 10_000);
  const history = usePoll(async () => (await get('/api/v1/events?limit=1000')).events.filter((e) => HISTORY.includes(e.type)).reverse(), 10_000);
  const [error, setError] = useState(null);
  const [note, setNote] = useState('');
  const d = list.data;
  const reload = () => { list.reload(); history.reload(); };

  const use = async (v, when) => {
    const now = when === 'now';
    const ok = await confirm({
      title: now ? `Switch to ${v.id} now?` : `Switch to ${v.id} in the next update window?`,
      body: now
        ? 'The gateway restarts on this version at once. If it is not healthy within the health gate\'s time, the daemon switches back to the current version by itself.'
        : 'The switch is staged: the next maintenance window with action "update" makes it, checked by the health gate.',
      confirmLabel: now ? 'Switch and restart' : 'Stage it', danger: now,
    });
    if (!ok) return;
    setError(null);
    try {
      const r = await post('/api/v1/gateway/versions/use', { id: v.id, when });
      setNote(r.started ? `Started: ${r.started}.` : 'Staged for the next update window.');
      reload();
    } catch (err) {
      setError(err);
    }
  };
  const check = async () => {
    setError(null);
    try {
      const r = await post('/api/v1/gateway/versions/check');
      setNote(`Update check: ${JSON.stringify(r)}`);
      reload();
    } catch (err) {
      setError(err);
    }
  };

  return html`
    <${PageHead} title="Gateway versions">${canChange && d ? html`<${ActionButton} onClick=${check}>Check for an update<//>` : null}<//>
    <${ErrorNote} error=${list.error} />
    <${ErrorNote} error=${error} />
    <p class="muted" role="status" aria-live="polite">${note}</p>
    ${d ? html`<div class="grid two">
      <${Card} title="Now">
        <${KeyValues} label="Versions" items=${[['Active', d.active ?? 'gateway.home'], ['Previous', d.previous], ['Staged', d.staged]]} />
      <//>
      ${canChange ? html`<${Card} title="Install"><${Install} onDone=${reload} /><//>` : null}
    </div>
    <${Card} title="Installed">
      ${d.versions.length === 0 ? html`<p class="muted">None installed: the gateway runs from gateway.home.</p>` : html`<${TableWrap} label="Installed versions"><table>
        <thead><tr><th scope="col">Version</th><th scope="col">Build</th><th scope="col">Installed</th><th scope="col">State</th>${canChange ? html`<th scope="col"><span class="sr-only">Actions</span></th>` : null}</tr></thead>
        <tbody>${d.versions.map((v) => html`<tr>
          <td><code>${v.id}</code></td>
          <td>${v.build ?? '—'}${v.implementationVersion ? html` <span class="muted">${v.implementationVersion}</span>` : null}</td>
          <td class="nowrap">${f.dateTime(v.installedAt)}</td>
          <td>${v.id === d.active ? html`<strong>active</strong>` : v.id === d.staged ? 'staged' : v.id === d.previous ? 'previous' : ''}
            ${v.failed ? html`<span class="bad-text"> failed ${f.since(v.failed.at)}: ${v.failed.reason}</span>` : null}</td>
          ${canChange ? html`<td><div class="windows-actions">${v.id === d.active ? null : html`
            <${ActionButton} kind="small danger" label=${`Switch to ${v.id} now`} onClick=${() => use(v, 'now')}>Use now<//>
            <${ActionButton} kind="small" label=${`Switch to ${v.id} in the next window`} onClick=${() => use(v, 'next-window')}>Next window<//>`}</div></td>` : null}
        </tr>`)}</tbody></table><//>`}
    <//>` : null}
    <${Card} title="Update and rollback history">
      ${history.data?.length ? html`<${TableWrap} label="Version history"><table>
        <thead><tr><th scope="col">When</th><th scope="col">What</th></tr></thead>
        <tbody>${history.data.slice(0, 30).map((e) => html`<tr><td class="nowrap">${f.dateTime(e.at)}</td><td><code>${e.type}</code> ${e.message}</td></tr>`)}</tbody>
      </table><//>` : html`<p class="muted">No version installed, switched or rolled back yet.</p>`}
    <//>
  `;
}
