/**
 * The login page as IBKR serves it through the gateway: an HTML shell with no form in it, and
 * a script (assets/login/login.js) that asks the server for its settings and only then renders
 * the form — so a login script has to wait for the fields to become visible, as it must on the
 * real page. Element ids and classes are IBKR's (the ones login scripts target, 2024–2025);
 * the texts below are what the page shows and what a driver recognises errors by.
 */
import { readFileSync } from 'node:fs';
import type { SecondFactorMethod } from './login-flow.js';

export const LOGIN_TEXTS = {
  title: 'Interactive Brokers - Client Portal Login',
  badCredentials: 'Invalid username password combination',
  locked: 'Your account is locked after too many failed login attempts. Contact Client Services to unlock it.',
  badCode: 'Invalid security code. Please try again.',
  expired: 'Your login request expired. Please log in again.',
  denied: 'The login request was denied on your IBKR Mobile device.',
  pushSent: 'A notification has been sent to your mobile device. Open IBKR Mobile and approve the login to continue.',
  codePrompt: 'Enter the 6-digit code shown in your authenticator app.',
  success: 'Client login succeeds',
  badTicket: 'Login failed: the login request is unknown or expired.',
} as const;

/** The names IBKR's second-factor device select shows. */
export const METHOD_LABELS: Record<SecondFactorMethod, string> = {
  push: 'IB Key',
  totp: 'Mobile Authenticator App',
};

/** How often the page asks whether a push was approved. */
export const PUSH_POLL_MS = 500;

const ASSETS = new URL('./assets/login/', import.meta.url);
const CONTENT_TYPES: Record<string, string> = {
  'login.js': 'text/javascript; charset=utf-8',
  'login.css': 'text/css; charset=utf-8',
};

/** The page's static files, read once (they are small and never change while running). */
export function loadLoginAssets(): Map<string, { type: string; body: Buffer }> {
  const assets = new Map<string, { type: string; body: Buffer }>();
  for (const [name, type] of Object.entries(CONTENT_TYPES)) assets.set(name, { type, body: readFileSync(new URL(name, ASSETS)) });
  return assets;
}

/** No form here on purpose: everything a person or a script can use is rendered by login.js. */
export function loginShell(): string {
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${LOGIN_TEXTS.title}</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="/sso/static/login.css">
<script src="/sso/static/login.js" defer></script>
</head>
<body>
<div id="xyz-root" class="xyz-app"><noscript>This page needs JavaScript.</noscript></div>
</body>
</html>
`;
}
