import type { ChannelConfig } from '../../config/notify-schema.js';
import type { ChannelSender } from './channel.js';
import { CommandSender } from './command.js';
import { EmailSender } from './email.js';
import { WebhookSender } from './webhook.js';

export type { ChannelSender, DeliveryAnswer, SendContext } from './channel.js';
export { isPermanent } from './channel.js';

export function createSender(config: ChannelConfig, userAgent: string): ChannelSender {
  switch (config.type) {
    case 'webhook': return new WebhookSender(config, userAgent);
    case 'email': return new EmailSender(config);
    case 'command': return new CommandSender(config);
  }
}
