import { html } from '../html.js';
import { Card, Note, PageHead } from '../ui/components.js';

export function TokensPage() {
  return html`
    <${PageHead} title="Tokens" />
    <${Card} title="Admin token">
      <p>The admin token is in <code>data/admin-token</code> (mode 0600) on the daemon's host, or in <code>IBGW_ADMIN_TOKEN</code>. It is never shown here.</p>
    <//>
    <${Note}>App tokens are not available on this daemon yet.<//>
  `;
}
