import { html } from '../html.js';
import { Note, PageHead } from '../ui/components.js';

export function VersionsPage() {
  return html`<${PageHead} title="Gateway versions" /><${Note}>Not available on this daemon yet.<//>`;
}
