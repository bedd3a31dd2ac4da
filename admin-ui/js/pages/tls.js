import { get, post } from '../api.js';
import * as f from '../format.js';
import { html, useState } from '../html.js';
import { useCanChange } from '../session.js';
import { ActionButton, Card, ErrorNote, KeyValues, Note, PageHead } from '../ui/components.js';
import { useConfirm } from '../ui/confirm.js';
import { usePoll } from '../ui/poll.js';
import { certificateItems } from './certificate.js';
import { ImportCheck } from './tls-import.js';

/** The gateway's certificate (GET /api/v1/tls), the local CA to trust, renewal and an import check. */
export function TlsPage() {
  const confirm = useConfirm();
  const canChange = useCanChange();
  const tls = usePoll(() => get('/api/v1/tls'), 0);
  const [error, setError] = useState(null);
  const [renewed, setRenewed] = useState('');
  const t = tls.data;

  const renew = async () => {
    const ok = await confirm({
      title: 'Renew the gateway certificate?',
      body: 'The daemon issues a new certificate from its local CA (same names) and the gateway restarts to load it. Apps that trust the CA keep working; apps that pinned the old certificate\'s fingerprint must be updated.',
      confirmLabel: 'Renew and restart the gateway', danger: true,
    });
    if (!ok) return;
    setError(null);
    try {
      const c = await post('/api/v1/tls/renew', { reason: 'renewed from the admin UI' });
      setRenewed(`Renewed: the new certificate expires ${f.dateTime(c.notAfter)}.`);
      tls.reload();
    } catch (err) {
      setError(err);
    }
  };

  return html`
    <${PageHead} title="TLS" />
    <${ErrorNote} error=${tls.error} />
    ${t ? html`<div class="grid two">
      <${Card} title="Gateway certificate">
        <${KeyValues} label="Certificate" items=${[['Mode', t.mode], ...certificateItems(t)]} />
        ${t.mode === 'generated' && canChange ? html`<div class="actions"><${ActionButton} kind="danger" onClick=${renew}>Renew now<//></div>` : null}
        <p class="muted" role="status" aria-live="polite">${renewed}</p>
        <${ErrorNote} error=${error} />
      <//>
      <${Card} title="Local CA">
        ${t.caPath ? html`
          <p>Apps verify the gateway with this CA. Download it and point your client at it (for example <code>NODE_EXTRA_CA_CERTS</code>).</p>
          <p><a class="btn" href="/api/v1/tls/ca.pem" download="ibgw-ca.pem">Download the CA (PEM)</a></p>`
        : html`<${Note}>No local CA in this mode: the gateway's own or an imported certificate is used.<//>`}
      <//>
    </div>
    ${canChange ? html`<${ImportCheck} />` : null}` : null}
  `;
}
