import { get } from '../api.js';
import { html, useState } from '../html.js';
import { Card, ErrorNote, Field, KeyValues } from '../ui/components.js';

/** Why the gateway lets an address in or answers it "Access Denied" (GET /api/v1/access/explain). */
export function ExplainAddress() {
  const [address, setAddress] = useState('');
  const [result, setResult] = useState(null);
  const [error, setError] = useState(null);
  const explain = async (e) => {
    e.preventDefault();
    setError(null);
    setResult(null);
    try {
      setResult(await get(`/api/v1/access/explain?address=${encodeURIComponent(address.trim())}`));
    } catch (err) {
      setError(err);
    }
  };
  return html`<${Card} title="Explain an address">
    <form class="form row" onSubmit=${explain} aria-label="Explain an address">
      <${Field} id="explain-address" label="Address" value=${address} onInput=${setAddress} required placeholder="192.168.1.20" />
      <div class="actions"><button type="submit" class="btn">Explain</button></div>
    </form>
    <${ErrorNote} error=${error} />
    ${result ? html`<div aria-live="polite"><${KeyValues} label="Explanation" items=${[
      ['Address', result.address], ['Let in', result.allowed ? 'yes' : 'no'], ['HTTP status', result.status],
      ['Matched', result.entry ? `${result.entry} (${result.list} list)` : 'nothing'], ['Why', result.reason],
    ]} /></div>` : null}
  <//>`;
}
