export { Notifier, type NotifierOptions } from './notifier.js';
export { NotificationsConfig, notificationsProblem, PRESET_NAMES, type SecretRef } from '../config/notify-schema.js';
export { MemoryOutboxStore } from './outbox.js';
export type { OutboxStore, OutboxEntry, OutboxData, HoldRecord } from './outbox-types.js';
export type { Notification, NotificationKind } from './notification.js';
export type { NotifierStatus, TestResult, DeliveryView } from './status-view.js';
export type { SecretLookup } from './secrets.js';
export { sign, verify, SIGNATURE_HEADER, TIMESTAMP_HEADER, IDEMPOTENCY_HEADER } from './signature.js';
