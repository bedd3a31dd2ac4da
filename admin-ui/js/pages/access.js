import { get, post } from '../api.js';
import { html, useState } from '../html.js';
import { useCanChange } from '../session.js';
import { ActionButton, Card, Check, Diff, ErrorNote, Field, Note, PageHead, Select, TableWrap } from '../ui/components.js';
import { useConfirm } from '../ui/confirm.js';
import { usePoll } from '../ui/poll.js';
import { ExplainAddress } from './access-explain.js';

const LISTS = [{ value: 'allow', label: 'Allow' }, { value: 'deny', label: 'Deny' }];
const WHEN = [{ value: 'now', label: 'Now (the gateway restarts)' }, { value: 'next-window', label: 'In the next maintenance window' }];
const applied = (r, what) => (r?.pending ? `${what}: staged for the next maintenance window.` : `${what}: applied; the gateway restarts to read it.`);

/** What a previewed change means for the daemon's probe and for the person using this page. */
function Warnings({ preview, onForce, force, onAccept, accepted }) {
  const { lists, lockout } = preview;
  const client = lists?.client;
  return html`
    ${lockout ? html`<${Note} kind="error" role="alert">
      <p><strong>This change would shut out the daemon itself.</strong> ${lockout.message}</p>
      <${Check} id="access-force" label="Do it anyway (the daemon then cannot watch the gateway's session)" checked=${force} onInput=${onForce} />
    <//>` : null}
    ${client && !client.allowed ? html`<${Note} kind="warn" role="alert">
      <p><strong>Your own address ${client.address} would be refused by the gateway</strong>: ${client.reason}</p>
      <${Check} id="access-accept" label="I understand that I will not reach the gateway from this address" checked=${accepted} onInput=${onAccept} />
    <//>` : null}`;
}

function ChangeForm({ onChanged }) {
  const confirm = useConfirm();
  const [list, setList] = useState('allow');
  const [when, setWhen] = useState('now');
  const [done, setDone] = useState('');
  const [entry, setEntry] = useState('');
  const [label, setLabel] = useState('');
  const [preview, setPreview] = useState(null);
  const [error, setError] = useState(null);
  const [force, setForce] = useState(false);
  const [accepted, setAccepted] = useState(false);
  const body = (dryRun) => ({ entry: entry.trim(), ...(label.trim() ? { label: label.trim() } : {}), ...(force ? { force: true } : {}), dryRun });

  const reset = () => { setPreview(null); setForce(false); setAccepted(false); };
  const doPreview = async () => {
    setError(null);
    reset();
    try {
      setPreview(await post(`/api/v1/access/${list}`, body(true)));
    } catch (err) {
      // The daemon refuses to lock out its own probe unless forced: show the diff it would make with force.
      if (err.status === 409 && err.code === 'IBGW_ACCESS_LOCKOUT') {
        const forced = await post(`/api/v1/access/${list}`, { ...body(true), force: true }).catch(() => null);
        setPreview({ ...(forced ?? { diff: '' }), lockout: err });
      } else setError(err);
    }
  };
  const apply = async () => {
    const now = when === 'now';
    const ok = await confirm({
      title: `Add ${entry.trim()} to the ${list} list${now ? '' : ' in the next window'}?`,
      body: now
        ? 'conf.yaml is rewritten (the previous version is kept for rollback) and the gateway restarts to read it: apps lose their connection for the restart.'
        : 'The change is staged: the next apply, update or restart window writes conf.yaml and restarts the gateway, checked by the health gate.',
      confirmLabel: now ? 'Apply and restart the gateway' : 'Stage the change', danger: now,
    });
    if (!ok) return;
    setError(null);
    try {
      const r = await post(`/api/v1/access/${list}`, { ...body(false), when });
      setDone(applied(r, `${entry.trim()} (${list})`));
      setEntry('');
      setLabel('');
      reset();
      onChanged();
    } catch (err) {
      setError(err);
    }
  };
  const blocked = !preview || (preview.lockout && !force) || (preview.lists?.client && !preview.lists.client.allowed && !accepted);
  return html`<form class="form" aria-label="Add an entry" onSubmit=${(e) => { e.preventDefault(); void doPreview(); }}>
    <div class="row">
      <${Select} id="access-list" label="List" value=${list} onInput=${(v) => { setList(v); reset(); }} options=${LISTS} />
      <${Field} id="access-entry" label="Address or pattern" value=${entry} required onInput=${(v) => { setEntry(v); reset(); }}
        hint="a.b.c.d, a.b.c.*, a.b.*, a CIDR (10.0.0.0/24) or a range (10.0.0.5-10.0.0.9); CIDRs and ranges are translated." />
      <${Field} id="access-label" label="Label" value=${label} onInput=${setLabel} hint="Who or what this entry is for." />
      <${Select} id="access-when" label="Apply" value=${when} onInput=${setWhen} options=${WHEN} />
    </div>
    <div class="actions">
      <button type="submit" class="btn">Preview</button>
      <${ActionButton} kind="primary" disabled=${blocked} onClick=${apply}>Apply<//>
    </div>
    <${ErrorNote} error=${error} />
    <p class="muted" role="status" aria-live="polite">${done}</p>
    ${preview ? html`<div class="preview" aria-live="polite">
      <h3>Preview${preview.translatedFrom ? html` <span class="muted">(${preview.translatedFrom} → ${preview.pattern})</span>` : null}</h3>
      <${Warnings} preview=${preview} force=${force} onForce=${setForce} accepted=${accepted} onAccept=${setAccepted} />
      <${Diff} text=${preview.diff} label="conf.yaml diff" />
    </div>` : null}
  </form>`;
}

function ListTable({ name, entries, onChanged }) {
  const confirm = useConfirm();
  const canChange = useCanChange();
  const [error, setError] = useState(null);
  const remove = async (pattern) => {
    setError(null);
    let preview;
    try {
      preview = await post(`/api/v1/access/${name}/remove`, { entry: pattern, dryRun: true });
    } catch (err) {
      setError(err);
      return;
    }
    const client = preview.lists?.client;
    const ok = await confirm({
      title: `Remove ${pattern} from the ${name} list?`,
      body: html`<p>The gateway restarts to read the new conf.yaml.</p>
        ${client && !client.allowed ? html`<p class="bad-text"><strong>Your own address ${client.address} would be refused:</strong> ${client.reason}</p>` : null}
        <${Diff} text=${preview.diff} label="conf.yaml diff" />`,
      confirmLabel: 'Remove and restart the gateway', danger: true,
    });
    if (!ok) return;
    try {
      await post(`/api/v1/access/${name}/remove`, { entry: pattern });
      onChanged();
    } catch (err) {
      setError(err);
    }
  };
  return html`<${Card} title=${name === 'allow' ? 'Allowed' : 'Denied'} id=${`access-${name}`}>
    <${ErrorNote} error=${error} />
    <${TableWrap} label=${`${name} list`}>
      <table>
        <thead><tr><th scope="col">Pattern</th><th scope="col">Label</th>${canChange ? html`<th scope="col"><span class="sr-only">Actions</span></th>` : null}</tr></thead>
        <tbody>${entries.map((e) => html`<tr>
          <td><code>${e.pattern}</code>${e.valid ? null : html` <span class="bad-text">(the gateway cannot parse this)</span>`}</td>
          <td>${e.label ?? html`<span class="muted">—</span>`}</td>
          ${canChange ? html`<td><${ActionButton} kind="small" label=${`Remove ${e.pattern} from the ${name} list`} onClick=${() => remove(e.pattern)}>Remove<//></td>` : null}
        </tr>`)}</tbody>
      </table>
    <//>
  <//>`;
}

/** The gateway's IP allow/deny lists in conf.yaml; every change is previewed as a diff first. */
export function AccessPage() {
  const canChange = useCanChange();
  const lists = usePoll(() => get('/api/v1/access'), 0);
  const d = lists.data;
  return html`
    <${PageHead} title="Access" />
    <p>Who may connect to the gateway (its <code>ips</code> allow and deny lists). The daemon keeps its own probe address (${d?.probeAddress ?? '…'}) let in.</p>
    <${ErrorNote} error=${lists.error} />
    ${d ? html`
      ${d.client ? html`<p class=${d.client.allowed ? 'muted' : 'bad-text'}>Your address as the daemon sees it: <code>${d.client.address}</code> — ${d.client.reason}</p>` : null}
      ${canChange ? html`<${Card} title="Add an entry"><${ChangeForm} onChanged=${lists.reload} /><//>` : null}
      <div class="grid two">
        <${ListTable} name="allow" entries=${d.allow} onChanged=${lists.reload} />
        <${ListTable} name="deny" entries=${d.deny} onChanged=${lists.reload} />
      </div>
      <${ExplainAddress} />` : null}
  `;
}
