import { ApiError, post } from '../api.js';
import { html, useEffect, useRef, useState } from '../html.js';
import { ErrorNote, Note } from '../ui/components.js';

/**
 * The token is sent once, in the body, and forgotten: the daemon answers with an HttpOnly
 * session cookie this page cannot read, and nothing is written to the browser's storage.
 */
export function SignIn({ onSignedIn, notice }) {
  const [token, setToken] = useState('');
  const [error, setError] = useState(null);
  const [busy, setBusy] = useState(false);
  const input = useRef(null);
  useEffect(() => input.current?.focus(), []);

  const submit = async (e) => {
    e.preventDefault();
    if (!token.trim()) {
      setError(new ApiError(0, '', 'Enter the admin token.'));
      return;
    }
    setBusy(true);
    setError(null);
    try {
      const session = await post('/api/v1/ui/session', { token: token.trim() });
      setToken('');
      onSignedIn(session);
    } catch (err) {
      setError(err);
      input.current?.focus();
    } finally {
      setBusy(false);
    }
  };

  return html`<main id="main" class="sign-in">
    <form class="card sign-in-card" onSubmit=${submit} aria-labelledby="sign-in-title" novalidate>
      <h1 id="sign-in-title">ibgw admin</h1>
      <p>Sign in with the daemon's admin token: <code>cat data/admin-token</code> on the daemon's host, or the value of <code>IBGW_ADMIN_TOKEN</code>.</p>
      ${notice ? html`<${Note} kind="warn" role="status">${notice}<//>` : null}
      <div class="field">
        <label for="token">Admin token</label>
        <input id="token" name="token" type="password" autocomplete="current-password" spellcheck="false"
          ref=${input} value=${token} onInput=${(e) => setToken(e.currentTarget.value)}
          aria-invalid=${error ? 'true' : undefined} aria-describedby=${error ? 'sign-in-error' : 'token-hint'} />
        <p class="hint" id="token-hint">The token stays on the daemon: this browser keeps only a session cookie it cannot read.</p>
      </div>
      <${ErrorNote} error=${error} id="sign-in-error" />
      <button type="submit" class="btn primary" disabled=${busy}>${busy ? 'Signing in…' : 'Sign in'}</button>
    </form>
  </main>`;
}
