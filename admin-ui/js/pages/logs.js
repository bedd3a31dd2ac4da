import { get } from '../api.js';
import * as f from '../format.js';
import { html, useEffect, useMemo, useRef, useState } from '../html.js';
import { ErrorNote, Field, PageHead } from '../ui/components.js';
import { usePoll } from '../ui/poll.js';

const LINES = 1000;

function highlight(text, needle) {
  if (!needle) return text;
  const out = [];
  const lower = text.toLowerCase();
  let at = 0;
  for (let i = lower.indexOf(needle); i !== -1; i = lower.indexOf(needle, at)) {
    out.push(text.slice(at, i), html`<mark>${text.slice(i, i + needle.length)}</mark>`);
    at = i + needle.length;
  }
  out.push(text.slice(at));
  return out;
}

/**
 * The gateway's captured output (GET /api/v1/gateway/logs), the daemon's redaction applied
 * before it ever reaches the API. Pause freezes the view; search filters and marks.
 */
export function LogsPage() {
  const [paused, setPaused] = useState(false);
  const [search, setSearch] = useState('');
  const box = useRef(null);
  const follow = useRef(true);
  const logs = usePoll(() => get(`/api/v1/gateway/logs?limit=${LINES}`), paused ? 0 : 2000, [paused]);
  const lines = logs.data?.lines ?? [];
  const needle = search.trim().toLowerCase();
  const shown = useMemo(() => (needle ? lines.filter((l) => l.text.toLowerCase().includes(needle)) : lines), [lines, needle]);

  useEffect(() => {
    const el = box.current;
    if (el && follow.current) el.scrollTop = el.scrollHeight;
  }, [shown]);

  const onScroll = (e) => {
    const el = e.currentTarget;
    follow.current = el.scrollTop + el.clientHeight >= el.scrollHeight - 8;
  };

  return html`
    <${PageHead} title="Gateway logs">
      <button type="button" class="btn" aria-pressed=${paused ? 'true' : 'false'} onClick=${() => setPaused(!paused)}>${paused ? 'Resume' : 'Pause'}</button>
    <//>
    <div class="filters" role="search" aria-label="Search the log">
      <${Field} id="log-search" label="Search" type="search" value=${search} onInput=${setSearch} placeholder="text in a line" />
    </div>
    <${ErrorNote} error=${logs.error} />
    <p class="muted" role="status" aria-live="polite">${paused ? 'Paused. ' : 'Live, every 2 s. '}${needle ? `${shown.length} of ${lines.length} line(s) match.` : `${lines.length} line(s).`} Secrets are redacted by the daemon.</p>
    <div class="log" ref=${box} onScroll=${onScroll} role="log" aria-live="off" aria-label="Gateway output" tabindex="0">
      ${shown.map((l) => html`<div class=${`log-line ${l.stream}`}><span class="log-at">${f.time(l.at)}</span> <span class="log-stream">${l.stream}</span> <span class="log-text">${highlight(l.text, needle)}</span></div>`)}
      ${shown.length === 0 ? html`<p class="muted">${logs.loading ? 'Loading…' : 'No lines.'}</p>` : null}
    </div>
  `;
}
