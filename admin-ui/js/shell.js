// The frame around every page: header with the live gateway state, the page list, sign-out.
import { html, useEffect, useRef, useState } from './html.js';
import { useLive } from './live.js';
import { AccessPage } from './pages/access.js';
import { CredentialsPage } from './pages/credentials.js';
import { DashboardPage } from './pages/dashboard.js';
import { EventsPage } from './pages/events.js';
import { LogsPage } from './pages/logs.js';
import { MaintenancePage } from './pages/maintenance.js';
import { NotificationsPage } from './pages/notifications.js';
import { TlsPage } from './pages/tls.js';
import { TokensPage } from './pages/tokens.js';
import { VersionsPage } from './pages/versions.js';
import { href, useRoute } from './router.js';
import { useSession } from './session.js';
import { StatePill } from './ui/components.js';

export const PAGES = [
  { path: 'dashboard', title: 'Dashboard', page: DashboardPage },
  { path: 'events', title: 'Events', page: EventsPage },
  { path: 'logs', title: 'Logs', page: LogsPage },
  { path: 'maintenance', title: 'Maintenance', page: MaintenancePage },
  { path: 'access', title: 'Access', page: AccessPage },
  { path: 'tls', title: 'TLS', page: TlsPage },
  { path: 'credentials', title: 'Credentials', page: CredentialsPage },
  { path: 'notifications', title: 'Notifications', page: NotificationsPage },
  { path: 'tokens', title: 'Tokens', page: TokensPage },
  { path: 'versions', title: 'Gateway versions', page: VersionsPage },
];

export function Shell({ onSignOut }) {
  const path = useRoute();
  const session = useSession();
  const live = useLive();
  const [menuOpen, setMenuOpen] = useState(false);
  const firstPage = useRef(true);
  const current = PAGES.find((p) => p.path === path) ?? PAGES[0];
  const Page = current.page;
  const gateway = live.status?.gateway?.state;

  useEffect(() => {
    document.title = `${current.title} · ibgw admin`;
    setMenuOpen(false);
    // A new page is announced by moving the focus to its heading (not on the first load).
    if (!firstPage.current) document.getElementById('page-title')?.focus();
    firstPage.current = false;
  }, [path]);

  return html`<div class="shell">
    <a class="skip" href="#main" onClick=${(e) => { e.preventDefault(); document.getElementById('page-title')?.focus(); }}>Skip to content</a>
    <header class="top">
      <a class="brand" href=${href('dashboard')}>ibgw admin</a>
      <span class="top-state" role="status" aria-live="polite"><span class="top-label">Gateway </span><${StatePill} state=${gateway} /></span>
      <span class="top-mode muted">${live.mode === 'stream' ? 'live' : 'polling'}</span>
      <span class="spacer"></span>
      <span class="muted role">${session.role === 'admin' ? 'admin' : 'read-only'}</span>
      <button type="button" class="btn menu-toggle" aria-expanded=${menuOpen ? 'true' : 'false'} aria-controls="nav" onClick=${() => setMenuOpen(!menuOpen)}>Menu</button>
      <button type="button" class="btn" onClick=${onSignOut}>Sign out</button>
    </header>
    <nav id="nav" class=${`nav${menuOpen ? ' open' : ''}`} aria-label="Pages">
      <ul>${PAGES.map((p) => html`<li><a href=${href(p.path)} aria-current=${p.path === current.path ? 'page' : undefined}>${p.title}</a></li>`)}</ul>
    </nav>
    <main id="main" class="main"><${Page} key=${current.path} /></main>
  </div>`;
}
