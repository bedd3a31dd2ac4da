import { post, put } from '../api.js';
import { zoneName } from '../format.js';
import { html, useState } from '../html.js';
import { Check, ErrorNote, Field, Select } from '../ui/components.js';
import { fieldOf, problemOf } from '../ui/field-errors.js';
import { ACTIONS } from './maintenance-actions.js';

const FIELDS = ['title', 'action', 'start', 'end', 'cron', 'days', 'time', 'timeZone', 'durationMinutes', 'reason', 'noticeMinutes', 'runIfMissed'];
const SHOWN = { once: ['start', 'end'], weekly: ['days', 'time', 'durationMinutes'], cron: ['cron', 'durationMinutes'] };
const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const ZONES = typeof Intl.supportedValuesOf === 'function' ? Intl.supportedValuesOf('timeZone') : [];

const pad = (n) => String(n).padStart(2, '0');
/** An ISO instant as the browser's wall time for a datetime-local input. */
const localInput = (iso) => {
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? '' : `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
};

function initial(w) {
  const s = w?.schedule ?? { kind: 'once' };
  return {
    title: w?.title ?? '', action: w?.action ?? 'restart', kind: s.kind, reason: w?.reason ?? '',
    start: s.kind === 'once' ? localInput(s.start) : '', end: s.kind === 'once' ? localInput(s.end) : '',
    days: s.days ?? [6], time: s.time ?? '06:00', cron: s.cron ?? '', durationMinutes: String(s.durationMinutes ?? 30),
    timeZone: s.kind === 'once' ? zoneName() : s.timeZone ?? zoneName(),
    noticeMinutes: w?.noticeMinutes === null || w?.noticeMinutes === undefined ? '' : String(w.noticeMinutes), runIfMissed: w?.runIfMissed ?? false,
  };
}

/** The API's flat window shape: one field per fact, so a refusal names one field. */
function body(v) {
  const common = { title: v.title.trim(), action: v.action, timeZone: v.timeZone.trim(), runIfMissed: v.runIfMissed };
  if (v.reason.trim()) common.reason = v.reason.trim();
  if (v.noticeMinutes.trim() !== '') common.noticeMinutes = Number(v.noticeMinutes);
  if (v.kind === 'once') return { ...common, start: v.start, end: v.end };
  const durationMinutes = Number(v.durationMinutes);
  if (v.kind === 'weekly') return { ...common, days: v.days, time: v.time, durationMinutes };
  return { ...common, cron: v.cron.trim(), durationMinutes };
}

export function WindowForm({ editing, onDone, onCancel }) {
  const [v, setV] = useState(() => initial(editing));
  const [error, setError] = useState(null);
  const [saved, setSaved] = useState('');
  const set = (k) => (value) => setV((old) => ({ ...old, [k]: value }));
  const field = fieldOf(error, FIELDS);
  const visible = field && (!['start', 'end', 'cron', 'days', 'time', 'durationMinutes'].includes(field) || SHOWN[v.kind].includes(field));
  const errorFor = (name) => (visible && field === name ? problemOf(error) : null);
  const toggleDay = (d, on) => set('days')(on ? [...new Set([...v.days, d])].sort() : v.days.filter((x) => x !== d));

  const submit = async (e) => {
    e.preventDefault();
    setError(null);
    setSaved('');
    try {
      const w = editing
        ? await put(`/api/v1/maintenance/windows/${encodeURIComponent(editing.id)}`, body(v))
        : await post('/api/v1/maintenance/windows', body(v));
      setSaved(`Saved "${w.title}".`);
      if (!editing) setV(initial(null));
      onDone(w);
    } catch (err) {
      setError(err);
      const name = fieldOf(err, FIELDS);
      // The field the API named gets the focus, so its message is read out next.
      if (name) setTimeout(() => document.getElementById(`win-${name}`)?.focus(), 0);
    }
  };

  return html`<form class="form window-form" onSubmit=${submit} aria-labelledby="window-form-title" novalidate>
    <h3 id="window-form-title">${editing ? `Edit "${editing.title}"` : 'New window'}</h3>
    <div class="row">
      <${Field} id="win-title" label="Title" value=${v.title} onInput=${set('title')} required error=${errorFor('title')} />
      <${Select} id="win-action" label="Action" value=${v.action} onInput=${set('action')} options=${ACTIONS} error=${errorFor('action')} />
    </div>
    <fieldset>
      <legend>When</legend>
      <div class="check-row" role="radiogroup" aria-label="Kind of window">
        ${[['once', 'One-off'], ['weekly', 'Weekly'], ['cron', 'Cron']].map(([k, label]) => html`<span class="check">
          <input type="radio" id=${`win-kind-${k}`} name="win-kind" value=${k} checked=${v.kind === k} onChange=${() => set('kind')(k)} />
          <label for=${`win-kind-${k}`}>${label}</label></span>`)}
      </div>
      ${v.kind === 'once' ? html`<div class="row">
        <${Field} id="win-start" label="Start" type="datetime-local" value=${v.start} onInput=${set('start')} required error=${errorFor('start')} />
        <${Field} id="win-end" label="End" type="datetime-local" value=${v.end} onInput=${set('end')} required error=${errorFor('end')} />
      </div>` : null}
      ${v.kind === 'weekly' ? html`<fieldset aria-describedby=${errorFor('days') ? 'win-days-error' : undefined}>
          <legend>Days</legend>
          <div class="check-row">${DAYS.map((d, i) => html`<${Check} id=${i === 0 ? 'win-days' : `win-day-${i}`} label=${d} checked=${v.days.includes(i)} onInput=${(on) => toggleDay(i, on)} />`)}</div>
          ${errorFor('days') ? html`<p class="field-error" id="win-days-error">${errorFor('days')}</p>` : null}
        </fieldset>
        <${Field} id="win-time" label="Time" type="time" value=${v.time} onInput=${set('time')} required error=${errorFor('time')} />` : null}
      ${v.kind === 'cron' ? html`<${Field} id="win-cron" label="Cron expression" value=${v.cron} onInput=${set('cron')} required placeholder="0 6 * * 6" error=${errorFor('cron')}
        hint="minute hour day-of-month month day-of-week, in the time zone below" />` : null}
      <div class="row">
        ${v.kind !== 'once' ? html`<${Field} id="win-durationMinutes" label="Duration (minutes)" type="number" min="1" value=${v.durationMinutes} onInput=${set('durationMinutes')} required error=${errorFor('durationMinutes')} />` : null}
        <${Field} id="win-timeZone" label="Time zone" value=${v.timeZone} onInput=${set('timeZone')} list="win-zones" required error=${errorFor('timeZone')} hint="IANA name, e.g. America/New_York" />
        <datalist id="win-zones">${ZONES.map((z) => html`<option value=${z} />`)}</datalist>
      </div>
    </fieldset>
    <${Field} id="win-reason" label="Reason" value=${v.reason} onInput=${set('reason')} error=${errorFor('reason')} />
    <div class="row">
      <${Field} id="win-noticeMinutes" label="Notice (minutes before)" type="number" min="0" value=${v.noticeMinutes} onInput=${set('noticeMinutes')} error=${errorFor('noticeMinutes')} hint="Empty: the daemon's default." />
      <${Check} id="win-runIfMissed" label="Run late if the daemon was down at the start" checked=${v.runIfMissed} onInput=${set('runIfMissed')} />
    </div>
    ${error && !visible ? html`<${ErrorNote} error=${error} />` : null}
    ${error && visible ? html`<p class="sr-only" role="alert">${error.message}</p>` : null}
    <div class="actions">
      <button type="submit" class="btn primary">${editing ? 'Save changes' : 'Create window'}</button>
      ${editing ? html`<button type="button" class="btn" onClick=${onCancel}>Cancel</button>` : null}
    </div>
    <p class="muted" role="status" aria-live="polite">${saved}</p>
  </form>`;
}
