import { get, post } from '../api.js';
import * as f from '../format.js';
import { html, useState } from '../html.js';
import { useCanChange } from '../session.js';
import { ActionButton, Card, ErrorNote, KeyValues, Note, PageHead, TableWrap } from '../ui/components.js';
import { usePoll } from '../ui/poll.js';

// What the API says of a channel (it never includes a secret), in one line.
const describe = (c) => Object.entries(c).filter(([k, v]) => !['name', 'type'].includes(k) && (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean'))
  .map(([k, v]) => `${k}: ${v}`).join(', ');

function TestButton({ channel, onDone }) {
  const [result, setResult] = useState(null);
  const [error, setError] = useState(null);
  const test = async () => {
    setResult(null);
    setError(null);
    try {
      setResult(await post('/api/v1/notifications/test', { channel }));
    } catch (err) {
      setError(err);
    }
    onDone();
  };
  return html`<${ActionButton} kind="small" label=${`Send a test through ${channel}`} onClick=${test}>Send test<//>
    <span role="status" aria-live="polite">${result ? (result.ok ? html`<span class="ok-text">delivered in ${f.ms(result.ms)}</span>` : html`<span class="bad-text">${result.error?.message ?? 'failed'}</span>`) : null}</span>
    <${ErrorNote} error=${error} />`;
}

function Deliveries({ title, list }) {
  return html`<${Card} title=${title}>
    ${list.length === 0 ? html`<p class="muted">None.</p>` : html`<${TableWrap} label=${title}><table>
      <thead><tr><th scope="col">When</th><th scope="col">Channel</th><th scope="col">What</th><th scope="col">State</th></tr></thead>
      <tbody>${list.slice(0, 50).map((d) => html`<tr>
        <td class="nowrap">${f.dateTime(d.finishedAt ?? d.createdAt)}</td>
        <td>${d.channel}</td>
        <td>${d.title}${d.rule ? html` <span class="muted">(${d.rule})</span>` : null}</td>
        <td>${d.state}${d.attempts > 1 ? ` after ${d.attempts} attempts` : ''}${d.error ? html` <span class="bad-text">${d.error.message ?? String(d.error)}</span>` : null}</td>
      </tr>`)}</tbody></table><//>`}
  <//>`;
}

/** Channels (never their secrets), the rules in force, deliveries, and a test send per channel. */
export function NotificationsPage() {
  const canChange = useCanChange();
  const n = usePoll(() => get('/api/v1/notifications'), 10_000);
  const d = n.data;
  return html`
    <${PageHead} title="Notifications" />
    <${ErrorNote} error=${n.error} />
    ${d ? html`
      <${Card} title="Channels">
        ${d.channels.length === 0 ? html`<${Note}>No channel is configured: add one under <code>notifications.channels</code> in the config (webhook, email or command).<//>` : html`
        <${TableWrap} label="Channels"><table>
          <thead><tr><th scope="col">Name</th><th scope="col">Type</th><th scope="col">Settings</th>${canChange ? html`<th scope="col">Test</th>` : null}</tr></thead>
          <tbody>${d.channels.map((c) => html`<tr>
            <td>${c.name}</td><td>${c.type}</td><td class="wrap">${describe(c) || '—'}</td>
            ${canChange ? html`<td><${TestButton} channel=${c.name} onDone=${n.reload} /></td>` : null}
          </tr>`)}</tbody></table><//>`}
      <//>
      <div class="grid two">
        <${Card} title="Rules">
          <ul class="plain">${d.rules.map((r) => html`<li>${r}</li>`)}</ul>
          ${d.hold ? html`<${KeyValues} label="Hold" items=${Object.entries(d.hold).map(([k, v]) => [k, typeof v === 'object' ? JSON.stringify(v) : String(v)])} />` : null}
        <//>
        <${Card} title="Open conditions">
          ${d.conditions.length === 0 ? html`<p class="muted">None.</p>` : html`<ul class="plain">${d.conditions.map((c) => html`<li><strong>${c.rule}</strong> ${c.key !== c.rule ? c.key : ''} since ${f.dateTime(c.since)}${c.waiting ? ' (waiting)' : ''}${c.alerted ? ' (alerted)' : ''}${c.suppressed ? `, ${c.suppressed} repeat(s) held back` : ''}</li>`)}</ul>`}
        <//>
      </div>
      <div class="grid two">
        <${Deliveries} title="Recent deliveries" list=${d.recent} />
        <${Deliveries} title="Failed deliveries" list=${d.failed} />
      </div>` : null}
  `;
}
