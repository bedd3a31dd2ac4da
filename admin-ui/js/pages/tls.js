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

  const renew = async (when) => {
    const now = when === 'now';
    const ok = await confirm({
      title: now ? 'Renew the gateway certificate now?' : 'Renew the certificate in the next maintenance window?',
      body: `The daemon issues a new certificate from its local CA (same names) and the gateway restarts to load it${now ? ' — now' : ' when the next apply, update or restart window begins'}. Apps that trust the CA keep working; apps that pinned the old certificate's fingerprint must be updated.`,
      confirmLabel: now ? 'Renew and restart the gateway' : 'Stage the renewal', danger: now,
    });
    if (!ok) return;
    setError(null);
    try {
      const r = await post('/api/v1/tls/renew', { reason: 'renewed from the admin UI', when });
      setRenewed(now ? `Renewed: the new certificate expires ${f.dateTime(r.notAfter)}.` : 'Staged: the certificate is renewed in the next maintenance window.');
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
        ${t.mode === 'generate' && canChange ? html`<div class="actions">
          <${ActionButton} kind="danger" onClick=${() => renew('now')}>Renew now<//>
          <${ActionButton} onClick=${() => renew('next-window')}>Renew in the next window<//>
        </div>` : null}
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
