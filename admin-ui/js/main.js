// The admin UI: sign in, then the shell with one page per capability of the daemon.
import { del, get, onSessionLost, setCsrf } from './api.js';
import { html, render, useEffect, useState } from './html.js';
import { startLive, stopLive } from './live.js';
import { SignIn } from './pages/sign-in.js';
import { Shell } from './shell.js';
import { SessionContext } from './session.js';
import { ConfirmProvider } from './ui/confirm.js';

function App() {
  const [session, setSession] = useState(undefined);
  const [notice, setNotice] = useState(null);

  const signedIn = (s) => {
    setCsrf(s.csrf);
    setNotice(null);
    setSession(s);
  };
  const signedOut = (why) => {
    setCsrf(null);
    stopLive();
    setNotice(why ?? null);
    setSession(null);
  };

  useEffect(() => {
    onSessionLost(() => signedOut('Your session ended (signed out elsewhere, expired, or the daemon restarted). Sign in again.'));
    get('/api/v1/ui/session')
      .then((s) => (s.signedIn ? signedIn(s) : signedOut()))
      .catch((err) => signedOut(`The daemon did not answer: ${err.message}`));
  }, []);

  useEffect(() => {
    if (session) startLive();
  }, [session]);

  if (session === undefined) return html`<main id="main" class="boot"><p role="status">Connecting to the daemon…</p></main>`;
  if (!session) return html`<${SignIn} onSignedIn=${signedIn} notice=${notice} />`;

  const signOut = async () => {
    try {
      await del('/api/v1/ui/session');
    } finally {
      signedOut('Signed out.');
    }
  };
  return html`<${SessionContext.Provider} value=${session}>
    <${ConfirmProvider}><${Shell} onSignOut=${signOut} /><//>
  <//>`;
}

render(html`<${App} />`, document.getElementById('app'));
