import { del, get, post } from '../api.js';
import * as f from '../format.js';
import { html, useState } from '../html.js';
import { useCanChange } from '../session.js';
import { ActionButton, Card, ErrorNote, KeyValues, TableWrap } from '../ui/components.js';
import { useConfirm } from '../ui/confirm.js';
import { usePoll } from '../ui/poll.js';

const HISTORY_TYPES = ['maintenance.applied', 'maintenance.rolled-back', 'maintenance.rollback-failed', 'maintenance.action-failed', 'maintenance.staged'];

/** What the next window will change, what a rollback returns to, and what happened to changes so far. */
export function MaintenanceChanges() {
  const confirm = useConfirm();
  const canChange = useCanChange();
  const plan = usePoll(() => get('/api/v1/maintenance/plan'), 15_000);
  const pending = usePoll(() => get('/api/v1/maintenance/pending'), 15_000);
  const history = usePoll(async () => (await get('/api/v1/events?type=maintenance&limit=500')).events.filter((e) => HISTORY_TYPES.includes(e.type)).reverse(), 15_000);
  const [error, setError] = useState(null);
  const [note, setNote] = useState('');
  const last = plan.data?.lastChange;

  const rollback = async () => {
    const ok = await confirm({
      title: 'Roll back the last change?',
      body: html`<p>"${last?.label}" is undone: ${last?.rollbackTo?.join('; ') || 'what ran before it'} is restored and the gateway restarts, checked by the health gate.</p>`,
      confirmLabel: 'Roll back', danger: true,
    });
    if (!ok) return;
    setError(null);
    try {
      const r = await post('/api/v1/maintenance/rollback');
      setNote(`Started: ${r.started}. The outcome appears below as an event.`);
      plan.reload();
      history.reload();
    } catch (err) {
      setError(err);
    }
  };
  const drop = async (p) => {
    if (!(await confirm({ title: 'Drop this staged change?', body: p.summary, confirmLabel: 'Drop it', danger: true }))) return;
    try {
      await del(`/api/v1/maintenance/pending/${encodeURIComponent(p.id)}`);
      pending.reload();
    } catch (err) {
      setError(err);
    }
  };

  return html`<${Card} title="Changes and rollback">
    <${ErrorNote} error=${plan.error ?? pending.error} />
    ${pending.data ? html`<h3>Staged for the next window</h3>${pending.data.pending.length === 0 ? html`<p class="muted">Nothing staged.</p>` : html`<ul class="plain">
      ${pending.data.pending.map((p) => html`<li>${p.summary} <span class="muted">(${p.kind}, ${f.since(p.createdAt)})</span>
        ${canChange ? html` <${ActionButton} kind="small" label=${`Drop ${p.summary}`} onClick=${() => drop(p)}>Drop<//>` : null}</li>`)}
    </ul>`}` : null}
    <h3>Last change</h3>
    ${last ? html`<${KeyValues} label="Last change" items=${[['Change', last.label], ['Status', last.status], ['When', f.dateTime(last.at)], ['Rollback restores', last.rollbackTo?.join('; ') || '—']]} />
      ${canChange && last.status === 'applied' ? html`<div class="actions"><${ActionButton} kind="danger" onClick=${rollback}>Roll back<//></div>` : null}`
    : html`<p class="muted">No change applied through a window yet.</p>`}
    <p class="muted" role="status" aria-live="polite">${note}</p>
    <${ErrorNote} error=${error} />
    <h3>History</h3>
    ${history.data?.length ? html`<${TableWrap} label="Change history"><table>
      <thead><tr><th scope="col">When</th><th scope="col">What</th></tr></thead>
      <tbody>${history.data.slice(0, 20).map((e) => html`<tr><td class="nowrap">${f.dateTime(e.at)}</td><td><code>${e.type.replace('maintenance.', '')}</code> ${e.message}</td></tr>`)}</tbody>
    </table><//>` : html`<p class="muted">No applied or rolled-back change yet.</p>`}
  <//>`;
}
