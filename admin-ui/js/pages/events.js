import { get } from '../api.js';
import * as f from '../format.js';
import { html, useEffect, useMemo, useRef, useState } from '../html.js';
import { Check, ErrorNote, Field, PageHead, Select, TableWrap } from '../ui/components.js';

const LEVELS = [
  { value: 'all', label: 'All levels' },
  { value: 'info', label: 'Info and above' },
  { value: 'warn', label: 'Warnings and errors' },
  { value: 'error', label: 'Errors only' },
];
const RANK = { info: 0, warn: 1, error: 2 };
const SPANS = [
  { value: '900', label: 'Last 15 minutes' },
  { value: '3600', label: 'Last hour' },
  { value: '86400', label: 'Last 24 hours' },
  { value: '604800', label: 'Last 7 days' },
  { value: 'all', label: 'Everything kept' },
];
const KEEP = 2000;
const LIVE_MS = 3000;

/**
 * The daemon's recorded events (GET /api/v1/events): the type filter goes to the API (a
 * prefix: "gateway" matches gateway.transition), level and time are filtered here. Live: new
 * events are fetched after the newest id every few seconds.
 */
export function EventsPage() {
  const [type, setType] = useState('');
  const [typeApplied, setTypeApplied] = useState('');
  const [level, setLevel] = useState('all');
  const [span, setSpan] = useState('86400');
  const [live, setLive] = useState(true);
  const [events, setEvents] = useState([]);
  const [error, setError] = useState(null);
  const newest = useRef(0);

  useEffect(() => {
    let stop = false;
    let timer = null;
    newest.current = 0;
    setEvents([]);
    const q = typeApplied ? `&type=${encodeURIComponent(typeApplied)}` : '';
    const load = async (first) => {
      try {
        const path = first ? `/api/v1/events?limit=1000${q}` : `/api/v1/events?limit=1000&sinceId=${newest.current}${q}`;
        const { events: got } = await get(path);
        if (stop) return;
        if (got.length) {
          newest.current = Math.max(newest.current, ...got.map((e) => e.id));
          setEvents((old) => (first ? got : [...old, ...got]).slice(-KEEP));
        }
        setError(null);
      } catch (err) {
        if (!stop) setError(err);
      }
      if (!stop && live) timer = setTimeout(() => load(false), LIVE_MS);
    };
    void load(true);
    return () => {
      stop = true;
      clearTimeout(timer);
    };
  }, [typeApplied, live]);

  const shown = useMemo(() => {
    const from = span === 'all' ? 0 : Date.now() - Number(span) * 1000;
    const min = level === 'all' ? -1 : RANK[level];
    return events.filter((e) => (RANK[e.level] ?? 0) >= min && Date.parse(e.at) >= from).reverse();
  }, [events, level, span]);
  const types = useMemo(() => [...new Set(events.map((e) => e.type))].sort(), [events]);

  return html`
    <${PageHead} title="Events" />
    <form class="filters" role="search" aria-label="Filter events" onSubmit=${(e) => { e.preventDefault(); setTypeApplied(type.trim()); }}>
      <${Field} id="event-type" label="Type (prefix)" value=${type} onInput=${setType} list="event-types" placeholder="e.g. gateway or session.state"
        hint="Applied with Enter or Filter." />
      <datalist id="event-types">${types.map((t) => html`<option value=${t} />`)}</datalist>
      <${Select} id="event-level" label="Level" value=${level} onInput=${setLevel} options=${LEVELS} />
      <${Select} id="event-span" label="Time" value=${span} onInput=${setSpan} options=${SPANS} />
      <div class="filter-buttons">
        <button type="submit" class="btn">Filter</button>
        <${Check} id="event-live" label="Live" checked=${live} onInput=${setLive} />
      </div>
    </form>
    <${ErrorNote} error=${error} />
    <p class="muted" role="status" aria-live="polite">${shown.length} of ${events.length} event(s) shown${live ? ', updating live' : ''}.</p>
    <${TableWrap} label="Events">
      <table class="events">
        <thead><tr><th scope="col">Time</th><th scope="col">Level</th><th scope="col">Type</th><th scope="col">Message</th></tr></thead>
        <tbody>${shown.map((e) => html`<tr key=${e.id} class=${`level-${e.level}`}>
          <td class="nowrap">${f.dateTime(e.at)}</td>
          <td><span class=${`lvl ${e.level}`}>${e.level}</span></td>
          <td class="nowrap"><code>${e.type}</code></td>
          <td>${e.message}${e.data && Object.keys(e.data).length ? html`<details><summary>Data</summary><pre>${JSON.stringify(e.data, null, 2)}</pre></details>` : null}</td>
        </tr>`)}</tbody>
      </table>
    <//>
    ${shown.length === 0 && !error ? html`<p class="muted">No events match.</p>` : null}
  `;
}
