export { LoginDriver } from './driver.js';
export { browserAvailability } from './browser-availability.js';
export { CHROMIUM_SWITCHES } from './page-request.js';
export type { LoginAttempt, LoginCredentials, LoginDriverOptions } from './driver.js';
export { LoginConfigSchema, LoginSelectorsSchema, LoginErrorTextsSchema } from '../config/login-schema.js';
export type { LoginConfig, LoginSelectors, LoginErrorTexts } from '../config/login-schema.js';
export { pinGatewayCertificate, spkiSwitch } from './certificate-pin.js';
export type { GatewayPin } from './certificate-pin.js';
