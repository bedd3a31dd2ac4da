import { ApiError, post } from '../api.js';
import { html, useState } from '../html.js';
import { Card, ErrorNote, Field, KeyValues, Note } from '../ui/components.js';
import { certificateItems } from './certificate.js';

const readText = (file) => file.text();
const readBase64 = async (file) => {
  const bytes = new Uint8Array(await file.arrayBuffer());
  let s = '';
  for (const b of bytes) s += String.fromCharCode(b);
  return btoa(s);
};

/**
 * Checks a certificate before it is imported (POST /api/v1/tls/check): key match, dates and
 * names. Files are read in the browser and sent once; nothing is kept, and no key is shown.
 */
export function ImportCheck() {
  const [cert, setCert] = useState(null);
  const [key, setKey] = useState(null);
  const [pfx, setPfx] = useState(null);
  const [passphrase, setPassphrase] = useState('');
  const [result, setResult] = useState(null);
  const [error, setError] = useState(null);

  const check = async (e) => {
    e.preventDefault();
    setError(null);
    setResult(null);
    try {
      let body;
      if (pfx) body = { pfxBase64: await readBase64(pfx), ...(passphrase ? { passphrase } : {}) };
      else if (cert && key) body = { certPem: await readText(cert), keyPem: await readText(key) };
      else throw new ApiError(0, '', 'Choose a certificate and its key (PEM), or a PKCS#12 file.');
      setResult(await post('/api/v1/tls/check', body));
    } catch (err) {
      setError(err);
    } finally {
      setPassphrase('');
    }
  };
  const file = (set) => (e) => set(e.currentTarget.files?.[0] ?? null);

  return html`<${Card} title="Import a certificate">
    <p>Check your own certificate first; then set <code>tls.mode: import</code> with <code>tls.import.cert</code> and <code>tls.import.key</code> (or <code>tls.import.pfx</code>) in the config, and the gateway restarts with it.</p>
    <form class="form" onSubmit=${check} aria-label="Check a certificate to import">
      <div class="row">
        <${Field} id="import-cert" label="Certificate (PEM)"><input id="import-cert" type="file" accept=".pem,.crt,.cer" onChange=${file(setCert)} /><//>
        <${Field} id="import-key" label="Private key (PEM)"><input id="import-key" type="file" accept=".pem,.key" onChange=${file(setKey)} /><//>
      </div>
      <p class="muted">or</p>
      <div class="row">
        <${Field} id="import-pfx" label="PKCS#12 (.p12, .pfx)"><input id="import-pfx" type="file" accept=".p12,.pfx" onChange=${file(setPfx)} /><//>
        <${Field} id="import-passphrase" label="Passphrase" type="password" autocomplete="off" value=${passphrase} onInput=${setPassphrase} />
      </div>
      <div class="actions"><button type="submit" class="btn">Check</button></div>
    </form>
    <${ErrorNote} error=${error} />
    ${result ? html`<div aria-live="polite"><${Note} kind="ok">The certificate fits: key, dates and names check out.<//><${KeyValues} label="Checked certificate" items=${certificateItems(result)} /></div>` : null}
  <//>`;
}
