// Small building blocks every page uses: errors, fields, buttons, key-value lists, pills.
import { html, useState } from '../html.js';

/** The API's own message (and code) for a failed call: never a blank. */
export function ErrorNote({ error, id }) {
  if (!error) return null;
  return html`<div class="note error" role="alert" id=${id}>
    <strong>${error.message || 'Something failed without a message.'}</strong>
    ${error.code ? html` <code class="code">${error.code}</code>` : null}
  </div>`;
}

export function Note({ kind = 'info', children, role }) {
  return html`<div class=${`note ${kind}`} role=${role}>${children}</div>`;
}

/** A labelled input with its hint and its error tied to it for screen readers. */
export function Field({ id, label, error, hint, type = 'text', value, onInput, required, children, ...rest }) {
  const described = [hint ? `${id}-hint` : null, error ? `${id}-error` : null].filter(Boolean).join(' ') || undefined;
  const control = children ?? html`<input id=${id} name=${id} type=${type} value=${value ?? ''} required=${required}
    aria-invalid=${error ? 'true' : undefined} aria-describedby=${described}
    onInput=${(e) => onInput?.(type === 'checkbox' ? e.currentTarget.checked : e.currentTarget.value)} ...${rest} />`;
  return html`<div class=${`field${error ? ' invalid' : ''}`}>
    <label for=${id}>${label}${required ? html`<span aria-hidden="true"> *</span>` : null}</label>
    ${control}
    ${hint ? html`<p class="hint" id=${`${id}-hint`}>${hint}</p>` : null}
    ${error ? html`<p class="field-error" id=${`${id}-error`}>${error}</p>` : null}
  </div>`;
}

export function Select({ id, label, value, onInput, options, error, hint }) {
  const described = [hint ? `${id}-hint` : null, error ? `${id}-error` : null].filter(Boolean).join(' ') || undefined;
  return html`<${Field} id=${id} label=${label} error=${error} hint=${hint}>
    <select id=${id} name=${id} value=${value} aria-invalid=${error ? 'true' : undefined} aria-describedby=${described}
      onChange=${(e) => onInput(e.currentTarget.value)}>
      ${options.map((o) => html`<option value=${o.value ?? o}>${o.label ?? o}</option>`)}
    </select>
  <//>`;
}

export function Check({ id, label, checked, onInput, hint }) {
  return html`<div class="check">
    <input type="checkbox" id=${id} checked=${checked} onChange=${(e) => onInput(e.currentTarget.checked)} aria-describedby=${hint ? `${id}-hint` : undefined} />
    <label for=${id}>${label}</label>
    ${hint ? html`<p class="hint" id=${`${id}-hint`}>${hint}</p>` : null}
  </div>`;
}

/** A button running an async action: disabled while it runs, its failure shown beside it. */
export function ActionButton({ onClick, children, kind = '', disabled, label, type = 'button' }) {
  const [busy, setBusy] = useState(false);
  const run = async (e) => {
    if (busy) return;
    setBusy(true);
    try {
      await onClick(e);
    } finally {
      setBusy(false);
    }
  };
  return html`<button type=${type} class=${`btn ${kind}`} disabled=${disabled || busy} aria-busy=${busy ? 'true' : undefined} aria-label=${label} onClick=${run}>
    ${children}${busy ? '…' : ''}
  </button>`;
}

export function KeyValues({ items, label }) {
  return html`<dl class="kv" aria-label=${label}>
    ${items.filter(Boolean).map(([k, v]) => html`<div class="kv-row"><dt>${k}</dt><dd>${v ?? '—'}</dd></div>`)}
  </dl>`;
}

const STATE_CLASS = {
  running: 'ok', authenticated: 'ok', starting: 'busy', stopping: 'busy', restarting: 'busy', backoff: 'warn',
  stopped: 'idle', fatal: 'bad', 'gateway-down': 'bad', unresponsive: 'bad', 'needs-login': 'warn', maintenance: 'busy',
};

export function StatePill({ state, label }) {
  const cls = STATE_CLASS[state] ?? 'idle';
  return html`<span class=${`pill ${cls}`} aria-label=${label ? `${label}: ${state ?? 'unknown'}` : undefined}>${state ?? 'unknown'}</span>`;
}

export function Card({ title, children, actions, id }) {
  const headingId = id ?? `card-${String(title).toLowerCase().replace(/[^a-z0-9]+/g, '-')}`;
  return html`<section class="card" aria-labelledby=${headingId}>
    <div class="card-head"><h2 id=${headingId}>${title}</h2>${actions ? html`<div class="card-actions">${actions}</div>` : null}</div>
    ${children}
  </section>`;
}

/** A table that scrolls sideways on a phone; focusable so a keyboard can scroll it too. */
export function TableWrap({ label, children }) {
  return html`<div class="table-wrap" role="region" aria-label=${label} tabindex="0">${children}</div>`;
}

/** A unified diff with its added and removed lines marked (not by colour alone: the +/- stay). */
export function Diff({ text, label = 'Changes' }) {
  if (!text) return html`<p class="muted">No change to conf.yaml.</p>`;
  return html`<pre class="diff" aria-label=${label} tabindex="0">${text.split('\n').map((line) => {
    const cls = line.startsWith('+') && !line.startsWith('+++') ? 'add' : line.startsWith('-') && !line.startsWith('---') ? 'del' : line.startsWith('@@') ? 'hunk' : '';
    // The line break as a value: htm drops whitespace-only text that holds a newline.
    return html`<span class=${cls}>${`${line}\n`}</span>`;
  })}</pre>`;
}

export function PageHead({ title, children }) {
  return html`<div class="page-head">
    <h1 id="page-title" tabindex="-1">${title}</h1>
    ${children ? html`<div class="page-tools">${children}</div>` : null}
  </div>`;
}
