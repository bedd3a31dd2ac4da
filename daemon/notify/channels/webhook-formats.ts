/**
 * Webhook bodies: our own schema (`json`), or the incoming-webhook shapes of Slack and
 * Discord, within their documented limits so a long event message never gets the whole
 * request refused.
 */
import type { Notification } from '../notification.js';

export type WebhookFormat = 'json' | 'slack' | 'discord';

const cut = (text: string, max: number) => (text.length > max ? `${text.slice(0, max - 1)}…` : text);
const ICON: Record<string, string> = { error: '🔴', warn: '🟠', info: '🔵' };

function heading(n: Notification): string {
  if (n.kind === 'recovery') return `✅ ${n.title}`;
  return `${ICON[n.severity] ?? ''} ${n.title}`.trim();
}

function footer(n: Notification): string {
  return `ibgw-supervisor on ${n.host} · ${n.kind}${n.rule ? ` · ${n.rule}` : ''} · ${n.createdAt}`;
}

/** Slack's mrkdwn treats &, < and > as markup (links, mentions); event text is data, not markup. */
function slackEscape(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function slack(n: Notification): object {
  return {
    // `text` is the fallback for notifications and clients without blocks.
    text: cut(slackEscape(`${heading(n)}\n${n.text}`), 3000),
    blocks: [
      { type: 'header', text: { type: 'plain_text', text: cut(heading(n), 150), emoji: true } },
      { type: 'section', text: { type: 'mrkdwn', text: cut(slackEscape(n.text) || ' ', 3000) } },
      { type: 'context', elements: [{ type: 'mrkdwn', text: cut(slackEscape(footer(n)), 3000) }] },
    ],
  };
}

const COLOR: Record<string, number> = { error: 0xd93f0b, warn: 0xfbca04, info: 0x1d76db, recovery: 0x0e8a16 };

function discord(n: Notification): object {
  return {
    username: 'ibgw-supervisor',
    // Event text may contain "@everyone" or role ids: never let it ping anyone.
    allowed_mentions: { parse: [] },
    embeds: [{
      title: cut(heading(n), 256),
      description: cut(n.text, 4096),
      color: n.kind === 'recovery' ? COLOR.recovery : COLOR[n.severity],
      timestamp: n.createdAt,
      footer: { text: cut(footer(n), 2048) },
    }],
  };
}

export function webhookBody(n: Notification, format: WebhookFormat): string {
  switch (format) {
    case 'slack': return JSON.stringify(slack(n));
    case 'discord': return JSON.stringify(discord(n));
    default: return JSON.stringify(n);
  }
}
