import { del, get, isMissingRoute, post } from '../api.js';
import * as f from '../format.js';
import { html, useRef, useState } from '../html.js';
import { useCanChange } from '../session.js';
import { ActionButton, Card, ErrorNote, Field, Note, PageHead, Select, TableWrap } from '../ui/components.js';
import { useConfirm } from '../ui/confirm.js';
import { fieldOf, problemOf } from '../ui/field-errors.js';
import { usePoll } from '../ui/poll.js';

const SCOPES = [
  { value: 'read', label: 'read — status, portfolio, GET calls, events, metrics' },
  { value: 'trade', label: 'trade — read, plus orders when the daemon allows trading' },
];

/** The new token, once: it is in the create answer and nowhere else, and is gone when this is dismissed. */
function Created({ token, onDismiss }) {
  const box = useRef(null);
  const [copied, setCopied] = useState('');
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(token.token);
      setCopied('Copied.');
    } catch {
      box.current?.select();
      setCopied('Selected: copy it with Ctrl+C.');
    }
  };
  return html`<${Note} kind="warn" role="alert">
    <p><strong>The token for "${token.name}" (${token.scope}) — shown this once.</strong> Store it where the app reads it; the daemon keeps only its digest.</p>
    <div class="field"><label for="new-token">New token</label>
      <input id="new-token" ref=${box} readonly value=${token.token} spellcheck="false" onFocus=${(e) => e.currentTarget.select()} /></div>
    <div class="actions">
      <button type="button" class="btn" onClick=${copy}>Copy</button>
      <button type="button" class="btn primary" onClick=${onDismiss}>I have stored it</button>
      <span role="status">${copied}</span>
    </div>
  <//>`;
}

function CreateForm({ onCreated }) {
  const [name, setName] = useState('');
  const [scope, setScope] = useState('read');
  const [error, setError] = useState(null);
  const field = fieldOf(error, ['name', 'scope']);
  const create = async (e) => {
    e.preventDefault();
    setError(null);
    try {
      onCreated(await post('/api/v1/tokens', { name: name.trim(), scope }));
      setName('');
    } catch (err) {
      setError(err);
    }
  };
  return html`<form class="form" onSubmit=${create} aria-label="Create an app token" novalidate>
    <div class="row">
      <${Field} id="token-name" label="Name" value=${name} onInput=${setName} required error=${field === 'name' ? problemOf(error) : null} hint="Which app uses it, e.g. portfolio-dashboard." />
      <${Select} id="token-scope" label="Scope" value=${scope} onInput=${setScope} options=${SCOPES} error=${field === 'scope' ? problemOf(error) : null} />
    </div>
    ${error && !field ? html`<${ErrorNote} error=${error} />` : null}
    ${error && field ? html`<p class="sr-only" role="alert">${error.message}</p>` : null}
    <div class="actions"><button type="submit" class="btn primary">Create token</button></div>
  </form>`;
}

/** App tokens: create (shown once), list with last use, revoke. The admin token is never shown. */
export function TokensPage() {
  const confirm = useConfirm();
  const canChange = useCanChange();
  const tokens = usePoll(() => get('/api/v1/tokens'), 0);
  const [created, setCreated] = useState(null);
  const [error, setError] = useState(null);
  const revoke = async (t) => {
    if (!(await confirm({ title: `Revoke "${t.name}"?`, body: 'The token stops working at once: the app using it gets 401 until it is given a new one.', confirmLabel: 'Revoke', danger: true }))) return;
    setError(null);
    try {
      await del(`/api/v1/tokens/${encodeURIComponent(t.id)}`);
      tokens.reload();
    } catch (err) {
      setError(err);
    }
  };
  const missing = tokens.error && isMissingRoute(tokens.error);
  return html`
    <${PageHead} title="Tokens" />
    <${Card} title="Admin token">
      <p>The admin token is in <code>data/admin-token</code> (mode 0600) on the daemon's host, or in <code>IBGW_ADMIN_TOKEN</code>. It is never shown here.</p>
    <//>
    ${missing ? html`<${Note}>This daemon has no app tokens yet: ${tokens.error.message}.<//>` : html`<${ErrorNote} error=${tokens.error} />`}
    ${created ? html`<${Created} token=${created} onDismiss=${() => setCreated(null)} />` : null}
    ${tokens.data ? html`
      ${canChange ? html`<${Card} title="Create an app token"><${CreateForm} onCreated=${(t) => { setCreated(t); tokens.reload(); }} /><//>` : null}
      <${Card} title="App tokens">
        <${ErrorNote} error=${error} />
        ${tokens.data.tokens.length === 0 ? html`<p class="muted">No app token yet.</p>` : html`<${TableWrap} label="App tokens"><table>
          <thead><tr><th scope="col">Name</th><th scope="col">Scope</th><th scope="col">Created</th><th scope="col">Last used</th>${canChange ? html`<th scope="col"><span class="sr-only">Actions</span></th>` : null}</tr></thead>
          <tbody>${tokens.data.tokens.map((t) => html`<tr>
            <td>${t.name}</td><td>${t.scope}</td><td class="nowrap">${f.dateTime(t.createdAt)}</td>
            <td>${t.lastUsedAt ? `${f.since(t.lastUsedAt)}${t.lastUsedFrom ? ` from ${t.lastUsedFrom}` : ''}` : 'never'}</td>
            ${canChange ? html`<td><${ActionButton} kind="small danger" label=${`Revoke ${t.name}`} onClick=${() => revoke(t)}>Revoke<//></td>` : null}
          </tr>`)}</tbody></table><//>`}
      <//>` : null}
  `;
}
