import { html } from '../html.js';
import { Note, PageHead } from '../ui/components.js';

export function MaintenancePage() {
  return html`<${PageHead} title="Maintenance" /><${Note}>Not available on this daemon yet.<//>`;
}
