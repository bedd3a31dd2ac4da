import type { ChannelConfig, NotificationsConfig } from '../../daemon/config/notify-schema.js';

/** A notifications section with fast retries; channels and rules as the test needs. */
export function notifyConfig(channels: ChannelConfig[], overrides: Partial<NotificationsConfig> = {}): NotificationsConfig {
  return {
    channels,
    rules: [],
    quietHours: null,
    dedupeMinutes: 15,
    needsLoginMinutes: 10,
    timeoutMs: 5000,
    retry: { maxAttempts: 5, backoff: { initialMs: 20, maxMs: 200, factor: 2, jitter: 0 } },
    keepDeliveries: 200,
    ...overrides,
  };
}
