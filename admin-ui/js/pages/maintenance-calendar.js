import { html, useMemo } from '../html.js';
import { Card, ErrorNote } from '../ui/components.js';

const DAY = 86_400_000;
const WEEKS = 4;

const startOfDay = (t) => { const d = new Date(t); d.setHours(0, 0, 0, 0); return d.getTime(); };
/** Monday of the week holding `t`, local time. */
const startOfWeek = (t) => { const d = new Date(startOfDay(t)); d.setDate(d.getDate() - ((d.getDay() + 6) % 7)); return d.getTime(); };
const hm = (t) => new Date(t).toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit' });
const dayLabel = (t) => new Date(t).toLocaleDateString(undefined, { weekday: 'short', day: 'numeric', month: 'short' });

/** What a day shows of an occurrence: its own hours, clipped to the day. */
function slice(o, dayStart) {
  const s = Math.max(Date.parse(o.start), dayStart);
  const e = Math.min(Date.parse(o.end), dayStart + DAY);
  const name = o.source === 'ibkr' ? `IBKR ${o.kind} reset` : `${o.title ?? o.kind} (${o.action ?? o.kind})`;
  return { key: `${o.id}-${dayStart}`, source: o.source === 'ibkr' ? 'ibkr' : 'admin', text: `${hm(s)}–${e === dayStart + DAY ? '24:00' : hm(e)} ${name}` };
}

function days(occurrences) {
  const first = startOfWeek(Date.now());
  return Array.from({ length: WEEKS * 7 }, (_, i) => {
    const d = new Date(first);
    d.setDate(d.getDate() + i);
    const start = d.getTime();
    const items = occurrences.filter((o) => Date.parse(o.start) < start + DAY && Date.parse(o.end) > start).map((o) => slice(o, start));
    return { start, items };
  });
}

/** The next four weeks from this Monday, IBKR's resets and admin windows told apart by colour and by name. */
export function MaintenanceCalendar({ occurrences, error, loading }) {
  const grid = useMemo(() => days(occurrences), [occurrences]);
  const today = startOfDay(Date.now());
  return html`<${Card} title="Calendar">
    <ul class="legend" aria-label="Legend">
      <li><span class="swatch ibkr" aria-hidden="true"></span>IBKR's resets</li>
      <li><span class="swatch admin" aria-hidden="true"></span>Admin windows</li>
    </ul>
    <${ErrorNote} error=${error} />
    ${loading && occurrences.length === 0 ? html`<p class="muted">Loading…</p>` : null}
    <div class="calendar" role="table" aria-label="Maintenance calendar, four weeks">
      <div role="rowgroup" class="calendar-head">
        <div role="row" class="calendar-row">${['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'].map((d) => html`<div role="columnheader" class="dow">${d}</div>`)}</div>
      </div>
      <div role="rowgroup" class="calendar-body">
        ${Array.from({ length: WEEKS }, (_, w) => html`<div role="row" class="calendar-row">${grid.slice(w * 7, w * 7 + 7).map((d) => html`
          <div role="cell" class=${`day${d.start === today ? ' today' : ''}${d.start < today ? ' past' : ''}`}>
            <div class="day-num"><span aria-hidden="true">${new Date(d.start).getDate()}</span><span class="sr-only">${dayLabel(d.start)}${d.start === today ? ' (today)' : ''}</span></div>
            ${d.items.length ? html`<ul>${d.items.map((i) => html`<li class=${`occ ${i.source}`}>${i.text}</li>`)}</ul>` : null}
          </div>`)}</div>`)}
      </div>
    </div>
    <ol class="occ-list plain" aria-label="Maintenance by day">
      ${grid.filter((d) => d.items.length && d.start >= today).map((d) => html`<li class="occ-day">
        <h3>${dayLabel(d.start)}</h3>
        <ul class="plain">${d.items.map((i) => html`<li class=${`occ ${i.source}`}>${i.text}</li>`)}</ul>
      </li>`)}
    </ol>
  <//>`;
}
