import { get, post } from '../api.js';
import * as f from '../format.js';
import { html, useState } from '../html.js';
import { refreshStatus, useLive } from '../live.js';
import { useCanChange } from '../session.js';
import { ActionButton, Card, ErrorNote, Field, KeyValues, Note, PageHead, Select } from '../ui/components.js';
import { useConfirm } from '../ui/confirm.js';
import { fieldOf, problemOf } from '../ui/field-errors.js';
import { usePoll } from '../ui/poll.js';
import { MaintenanceCalendar } from './maintenance-calendar.js';
import { MaintenanceChanges } from './maintenance-changes.js';
import { ACTIONS } from './maintenance-actions.js';
import { WindowsCard } from './maintenance-windows.js';

/** "Maintenance now" for N minutes, and "end now" while a window is active. */
function NowCard({ status, onChanged }) {
  const confirm = useConfirm();
  const canChange = useCanChange();
  const [minutes, setMinutes] = useState('30');
  const [action, setAction] = useState('quiet');
  const [reason, setReason] = useState('');
  const [error, setError] = useState(null);
  const current = status?.current;
  const field = fieldOf(error, ['minutes', 'action', 'reason']);

  const start = async (e) => {
    e.preventDefault();
    const what = ACTIONS.find((a) => a.value === action);
    const ok = await confirm({
      title: `Maintenance now for ${minutes} minutes?`,
      body: `A window starts at once: ${what?.effect ?? action}. The session keeper pauses like during IBKR's resets, and apps see the window in /api/v1/maintenance/next.`,
      confirmLabel: 'Start maintenance', danger: action === 'stop' || action === 'restart',
    });
    if (!ok) return;
    setError(null);
    try {
      await post('/api/v1/maintenance/now', { minutes: Number(minutes), action, ...(reason.trim() ? { reason: reason.trim() } : {}) });
      onChanged();
    } catch (err) {
      setError(err);
    }
  };
  const end = async () => {
    if (!(await confirm({ title: 'End the maintenance window now?', body: 'The window ends at once; a gateway it stopped is started again, and the keeper resumes.', confirmLabel: 'End now' }))) return;
    setError(null);
    try {
      await post('/api/v1/maintenance/end');
      onChanged();
    } catch (err) {
      setError(err);
    }
  };

  return html`<${Card} title="Now">
    ${current ? html`<${KeyValues} label="Current window" items=${[
      ['Window', current.title], ['Action', current.action], ['Phase', current.phase], ['Until', f.dateTime(current.end)],
      current.actionSkipped ? ['Action skipped', current.actionSkipped] : null,
    ]} />` : html`<p>No maintenance window is active.</p>`}
    ${status?.next ? html`<p class="muted">Next: ${status.next.title} (${status.next.action}) ${f.dateTime(status.next.start)}, ${f.since(status.next.start)}.</p>` : null}
    ${canChange ? (current
      ? html`<div class="actions"><${ActionButton} kind="primary" onClick=${end}>End now<//></div>`
      : html`<form class="form" onSubmit=${start} aria-label="Maintenance now" novalidate>
        <div class="row">
          <${Field} id="now-minutes" label="Minutes" type="number" min="1" value=${minutes} onInput=${setMinutes} required error=${field === 'minutes' ? problemOf(error) : null} />
          <${Select} id="now-action" label="Action" value=${action} onInput=${setAction} options=${ACTIONS} error=${field === 'action' ? problemOf(error) : null} />
        </div>
        <${Field} id="now-reason" label="Reason" value=${reason} onInput=${setReason} />
        <div class="actions"><button type="submit" class="btn primary">Maintenance now</button></div>
      </form>`) : null}
    ${error && !field ? html`<${ErrorNote} error=${error} />` : null}
  <//>`;
}

/**
 * Maintenance windows: the calendar of the next weeks (IBKR's resets and the admin's own
 * windows), the windows with create/edit/skip/delete, maintenance now, and what changes
 * apply in the next window and how to roll the last one back.
 */
export function MaintenancePage() {
  const live = useLive();
  const calendar = usePoll(() => get('/api/v1/maintenance/calendar?days=28'), 60_000);
  const windows = usePoll(() => get('/api/v1/maintenance/windows'), 0);
  const status = live.status?.maintenance ?? null;
  const changed = () => {
    calendar.reload();
    windows.reload();
    void refreshStatus();
  };
  const missing = live.status && live.status.maintenance === undefined;
  return html`
    <${PageHead} title="Maintenance" />
    ${missing ? html`<${Note}>This daemon has no maintenance service.<//>` : null}
    <div class="grid two">
      <${NowCard} status=${status} onChanged=${changed} />
      <${MaintenanceChanges} />
    </div>
    <${MaintenanceCalendar} occurrences=${calendar.data?.occurrences ?? []} error=${calendar.error} loading=${calendar.loading} />
    <${WindowsCard} windows=${windows.data?.windows ?? []} error=${windows.error} onChanged=${changed} />
  `;
}
