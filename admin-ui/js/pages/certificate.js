import * as f from '../format.js';
import { html } from '../html.js';

const DAY = 86_400_000;

/** A certificate as rows of a key-value list. */
export function certificateItems(c) {
  const left = c.notAfter ? Math.floor((Date.parse(c.notAfter) - Date.now()) / DAY) : null;
  return [
    ['Subject', c.subject], ['Issuer', c.issuer],
    ['Names (SANs)', c.sans?.length ? html`<ul class="plain">${c.sans.map((s) => html`<li><code>${s}</code></li>`)}</ul>` : '—'],
    ['Valid from', f.dateTime(c.notBefore)],
    ['Expires', c.notAfter ? html`${f.dateTime(c.notAfter)} <span class=${left !== null && left < 30 ? 'bad-text' : 'muted'}>(${left < 0 ? `expired ${-left} day(s) ago` : `in ${left} day(s)`})</span>` : '—'],
    ['SHA-256 fingerprint', c.fingerprint ? html`<code class="wrap">${c.fingerprint}</code>` : '—'],
    ['Serial', c.serialNumber ? html`<code class="wrap">${c.serialNumber}</code>` : null],
  ];
}

