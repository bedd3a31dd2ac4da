/**
 * The pages of the browser login. IBKR's real page is a large JavaScript app served from
 * api.ibkr.com; this one keeps only what a person (or a login script) needs: a form with
 * username, password and the paper/live switch, then a second-factor step when the user has
 * one, and IBKR's final words `Client login succeeds`.
 */
const escapeHtml = (s: string): string =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

function page(title: string, body: string): string {
  return `<!DOCTYPE html>
<html lang="en">
<head><meta charset="utf-8"><title>${escapeHtml(title)}</title>
<style>body{font-family:sans-serif;max-width:24rem;margin:4rem auto}label{display:block;margin:.5rem 0}
.error{color:#b00}</style></head>
<body><h1>${escapeHtml(title)}</h1>
${body}
</body></html>
`;
}

const errorLine = (error?: string): string => (error ? `<p class="error" id="error">${escapeHtml(error)}</p>` : '');

/** `action` keeps IBKR's query string (forwardTo, RL, ip2loc) on the form post. */
export function loginForm(action: string, error?: string): string {
  return page(
    'Interactive Brokers - Login (simulated gateway)',
    `${errorLine(error)}
<form method="post" action="${escapeHtml(action)}" id="loginForm">
<label>Username <input name="username" id="username" autocomplete="username" required></label>
<label>Password <input name="password" id="password" type="password" autocomplete="current-password" required></label>
<label><input type="radio" name="mode" value="paper" checked> Paper</label>
<label><input type="radio" name="mode" value="live"> Live</label>
<button type="submit" id="submit">Login</button>
</form>`,
  );
}

/** `approve`: the IB Key push, simulated by a button; `code`: six digits from an authenticator. */
export function secondFactorForm(challenge: string, kind: 'approve' | 'code', error?: string): string {
  const input =
    kind === 'approve'
      ? `<p>A notification was sent to your IB Key device. Approve it to continue.</p>
<input type="hidden" name="approve" value="true">
<button type="submit" id="approve">Approve on device</button>`
      : `<label>Security code <input name="code" id="code" inputmode="numeric" pattern="\\d{6}" maxlength="6" required></label>
<button type="submit" id="submit">Continue</button>`;
  return page(
    'Second Factor Authentication',
    `${errorLine(error)}
<form method="post" action="/sso/Login/2fa" id="twoFactorForm">
<input type="hidden" name="challenge" value="${escapeHtml(challenge)}">
${input}
</form>`,
  );
}

export function successPage(): string {
  return page('Client login succeeds', '<p id="result">Client login succeeds</p>');
}

export const LOCKED_MESSAGE = 'Your account is locked after too many failed login attempts. Contact Client Services to unlock it.';
