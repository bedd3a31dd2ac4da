import { del, get, isMissingRoute, put } from '../api.js';
import * as f from '../format.js';
import { html, useState } from '../html.js';
import { useCanChange } from '../session.js';
import { ActionButton, Card, ErrorNote, Field, KeyValues, Note, PageHead, Select } from '../ui/components.js';
import { useConfirm } from '../ui/confirm.js';
import { fieldOf, problemOf } from '../ui/field-errors.js';
import { usePoll } from '../ui/poll.js';
import { ConnectionTest, LastLogin, LoginBudget } from './credentials-session.js';

const FIELDS = ['username', 'password', 'mode', 'totpSecret'];
const MODES = [{ value: 'paper', label: 'Paper trading' }, { value: 'live', label: 'Live trading' }];

/** Write-only: the form never shows what is stored, and empties its secret fields after a save. */
function SetCredentials({ current, onSaved }) {
  const [username, setUsername] = useState(current?.username ?? '');
  const [password, setPassword] = useState('');
  const [mode, setMode] = useState(current?.mode ?? 'paper');
  const [totp, setTotp] = useState('');
  const [error, setError] = useState(null);
  const [saved, setSaved] = useState('');
  const field = fieldOf(error, FIELDS);
  const errorFor = (name) => (field === name ? problemOf(error) : null);

  const save = async (e) => {
    e.preventDefault();
    setError(null);
    setSaved('');
    try {
      const body = { username: username.trim(), password, mode, ...(totp.trim() ? { totpSecret: totp.trim() } : {}) };
      await put('/api/v1/credentials', body);
      setSaved('Saved. The next login uses these credentials.');
      onSaved();
    } catch (err) {
      setError(err);
      const name = fieldOf(err, FIELDS);
      if (name) document.getElementById(`cred-${name}`)?.focus();
    } finally {
      setPassword('');
      setTotp('');
    }
  };

  return html`<form class="form" onSubmit=${save} aria-label="Set the IBKR credentials" novalidate>
    <div class="row">
      <${Field} id="cred-username" label="IBKR username" value=${username} onInput=${setUsername} required autocomplete="off" error=${errorFor('username')} />
      <${Field} id="cred-password" label="Password" type="password" value=${password} onInput=${setPassword} required autocomplete="new-password" error=${errorFor('password')}
        hint="Write-only: stored encrypted in the vault, never shown again." />
    </div>
    <div class="row">
      <${Select} id="cred-mode" label="Trading mode" value=${mode} onInput=${setMode} options=${MODES} error=${errorFor('mode')} />
      <${Field} id="cred-totpSecret" label="TOTP secret (optional)" type="password" value=${totp} onInput=${setTotp} autocomplete="off" error=${errorFor('totpSecret')}
        hint=${current?.hasTotp ? 'One is stored; saving without one here removes it.' : 'Base32, for automated second-factor codes.'} />
    </div>
    ${error && !field ? html`<${ErrorNote} error=${error} />` : null}
    ${error && field ? html`<p class="sr-only" role="alert">${error.message}</p>` : null}
    <div class="actions"><button type="submit" class="btn primary">Save credentials</button></div>
    <p class="muted" role="status" aria-live="polite">${saved}</p>
  </form>`;
}

export function CredentialsPage() {
  const confirm = useConfirm();
  const canChange = useCanChange();
  const creds = usePoll(() => get('/api/v1/credentials'), 0);
  const [error, setError] = useState(null);
  const c = creds.data;

  const forget = async () => {
    const ok = await confirm({
      title: 'Forget the IBKR credentials?',
      body: 'The username, password and TOTP secret are removed from the vault (other secrets stay). Automated logins stop until credentials are set again; the gateway keeps running.',
      confirmLabel: 'Forget credentials', danger: true,
    });
    if (!ok) return;
    setError(null);
    try {
      await del('/api/v1/credentials');
      creds.reload();
    } catch (err) {
      setError(err);
    }
  };

  return html`
    <${PageHead} title="Credentials" />
    ${creds.error && isMissingRoute(creds.error) ? html`<${Note}>This daemon has no credential vault API.<//>` : html`<${ErrorNote} error=${creds.error} />`}
    <div class="grid two">
      ${c ? html`<${Card} title="Stored">
        ${c.error ? html`<${ErrorNote} error=${c.error} />` : null}
        <${KeyValues} label="Stored credentials" items=${[
          ['Configured', c.configured ? 'yes' : 'no'], ['Username', c.username], ['Mode', c.mode], ['TOTP secret', c.hasTotp ? 'stored' : 'none'],
          ['Updated', f.dateTime(c.updatedAt)], ['Vault key', c.keyId ? `${c.keyId} (${c.keySource ?? 'unknown source'})` : '—'],
        ]} />
        ${canChange && c.configured ? html`<div class="actions"><${ActionButton} kind="danger" onClick=${forget}>Forget credentials<//></div>` : null}
        <${ErrorNote} error=${error} />
      <//>` : null}
      ${c && canChange ? html`<${Card} title=${c.configured ? 'Replace' : 'Set'}><${SetCredentials} current=${c} onSaved=${creds.reload} /><//>` : null}
    </div>
    <div class="grid two">
      <${LoginBudget} />
      <${ConnectionTest} />
    </div>
    <${LastLogin} />
  `;
}
