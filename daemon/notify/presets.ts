/**
 * The built-in rules: what a new user wants to hear about without writing any rule. An empty
 * `notifications.rules` means all of these, to every channel. Event names that no service
 * emits yet are defined in docs/notifications.md for the services that will.
 */
import type { PresetName, RuleConfig } from '../config/notify-schema.js';

export type Preset = Omit<RuleConfig, 'preset' | 'name' | 'channels'> & {
  events: string[];
  /** Fields that tell conditions of one rule apart (each key deduplicates on its own). */
  dedupeBy?: string[];
};

export function presets(options: { needsLoginMinutes: number }): Record<PresetName, Preset> {
  return {
    // Fatal: the supervisor gave up restarting; only an operator start brings it back.
    'gateway-fatal': {
      events: ['gateway.transition'], where: { to: 'fatal' },
      clearedBy: { events: ['gateway.transition'], where: { to: 'running' } },
      recoveryMessage: 'gateway running again after {duration} down',
    },
    // Three unrequested exits in ten minutes; a single crash is routine and restarted in seconds.
    // No recovery: between crashes the gateway does reach running, so running clears nothing.
    'gateway-crash-loop': {
      events: ['gateway.transition'], where: { to: 'backoff' }, count: 3, withinMinutes: 10,
    },
    // needs-login is normal for a moment (IBKR's reset, a login on its way); only a lasting one needs a person.
    'session-needs-login': {
      events: ['session.state'], where: { to: 'needs-login' }, forMinutes: options.needsLoginMinutes,
      clearedBy: { events: ['session.state'], where: { to: 'authenticated' } },
      recoveryMessage: 'session authenticated again after {duration} waiting for a login',
    },
    'login-rejected': {
      events: ['session.login-blocked', 'login.rejected', 'login.blocked'],
      clearedBy: { events: ['session.login-unblocked', 'login.unblocked'] },
      recoveryMessage: 'automated logins allowed again after {duration} blocked',
    },
    'login-budget': {
      events: ['login.budget-low', 'session.login-budget'],
    },
    // api.auth.lockout is what the admin-auth plugin emits today; api.auth.burst summarises many addresses.
    'api-auth-burst': {
      events: ['api.auth.burst', 'api.auth.lockout'],
    },
    'tls-expiry': {
      events: ['tls.expiry'], dedupeBy: ['data.threshold'],
      clearedBy: { events: ['tls.renewed'] },
      recoveryMessage: 'gateway certificate renewed {duration} after the first expiry warning',
    },
    // Each announcement of each window is its own message: a notice must not swallow the start.
    'maintenance': {
      events: ['maintenance.notice', 'maintenance.start', 'maintenance.end', 'maintenance.rollback'],
      dedupeBy: ['type', 'data.windowId'],
    },
    // Checked daily: one message per version and week, not one a day.
    'update-available': {
      events: ['gateway.update-available'], dedupeBy: ['data.version'], dedupeMinutes: 7 * 24 * 60,
    },
    'unclean-start': {
      events: ['daemon.unclean-start'],
    },
  };
}
