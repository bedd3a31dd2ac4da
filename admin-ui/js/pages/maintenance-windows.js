import { del, post } from '../api.js';
import * as f from '../format.js';
import { html, useState } from '../html.js';
import { useCanChange } from '../session.js';
import { ActionButton, Card, ErrorNote, TableWrap } from '../ui/components.js';
import { useConfirm } from '../ui/confirm.js';
import { WindowForm } from './maintenance-form.js';

const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];

export function scheduleText(s) {
  if (s.kind === 'once') return `${f.dateTime(s.start)} → ${f.dateTime(s.end)}`;
  if (s.kind === 'weekly') return `${s.days.map((d) => DAYS[d]).join(', ')} at ${s.time} ${s.timeZone}, ${s.durationMinutes} min`;
  if (s.kind === 'cron') return `cron "${s.cron}" ${s.timeZone}, ${s.durationMinutes} min`;
  return JSON.stringify(s);
}

/** The admin's windows, with edit, skip-next and delete; and the form to add one. */
export function WindowsCard({ windows, error, onChanged }) {
  const confirm = useConfirm();
  const canChange = useCanChange();
  const [editing, setEditing] = useState(null);
  const [actionError, setActionError] = useState(null);
  const run = async (question, call) => {
    if (!(await confirm(question))) return;
    setActionError(null);
    try {
      await call();
      onChanged();
    } catch (err) {
      setActionError(err);
    }
  };
  const skip = (w) => run({ title: `Skip the next "${w.title}"?`, body: `Its next occurrence (${w.next ? f.dateTime(w.next.start) : 'none scheduled'}) will not happen; later ones will.`, confirmLabel: 'Skip it' },
    () => post(`/api/v1/maintenance/windows/${encodeURIComponent(w.id)}/skip`));
  const remove = (w) => run({ title: `Delete "${w.title}"?`, body: 'The window and all its future occurrences are removed. A window in progress ends.', confirmLabel: 'Delete window', danger: true },
    () => del(`/api/v1/maintenance/windows/${encodeURIComponent(w.id)}`));

  return html`<${Card} title="Windows">
    <${ErrorNote} error=${error} />
    <${ErrorNote} error=${actionError} />
    ${windows.length === 0 ? html`<p class="muted">No admin window yet.</p>` : html`<${TableWrap} label="Maintenance windows"><table>
      <thead><tr><th scope="col">Title</th><th scope="col">Action</th><th scope="col">Schedule</th><th scope="col">Next</th>${canChange ? html`<th scope="col"><span class="sr-only">Actions</span></th>` : null}</tr></thead>
      <tbody>${windows.map((w) => html`<tr>
        <td>${w.title}${w.reason ? html`<br /><span class="muted">${w.reason}</span>` : null}</td>
        <td>${w.action}</td>
        <td>${scheduleText(w.schedule)}</td>
        <td class="nowrap">${w.next ? f.dateTime(w.next.start) : '—'}</td>
        ${canChange ? html`<td><div class="windows-actions">
          <button type="button" class="btn small" aria-label=${`Edit ${w.title}`} onClick=${() => setEditing(w)}>Edit</button>
          <${ActionButton} kind="small" label=${`Skip the next ${w.title}`} disabled=${!w.next} onClick=${() => skip(w)}>Skip next<//>
          <${ActionButton} kind="small danger" label=${`Delete ${w.title}`} onClick=${() => remove(w)}>Delete<//>
        </div></td>` : null}
      </tr>`)}</tbody></table><//>`}
    ${canChange ? html`<${WindowForm} key=${editing?.id ?? 'new'} editing=${editing} onDone=${() => { setEditing(null); onChanged(); }} onCancel=${() => setEditing(null)} />` : null}
  <//>`;
}
