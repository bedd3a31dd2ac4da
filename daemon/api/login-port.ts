import type { LoginAttempt } from '../login/login-attempt.js';

/** What the API needs from the login driver: its state, the last attempt, the failure screenshots (never a secret). */
export interface LoginPort {
  status(): { running: boolean; last: LoginAttempt | null };
  /** Null when a login can run now; else what is missing (Chromium, stored credentials). */
  unavailable(): string | null;
  /** File names of the kept failure screenshots, oldest first. */
  screenshots(): string[];
  /** One of those files, or null when there is no such screenshot. */
  screenshot(name: string): Promise<Buffer | null>;
}
