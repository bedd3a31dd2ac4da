export { VaultService, type VaultServiceOptions, type CredentialsChange } from './vault-service.js';
export { VaultStore, vaultPaths, type VaultPaths, type VaultStatus } from './vault-store.js';
export { rotateKey, type RotationResult, type RotationStep } from './rotate.js';
export { generateKey, formatKey, keyId, parseKey } from './key-material.js';
export { IV_IGNORED_MESSAGE, KEY_VARIABLE, IV_VARIABLE } from './key-sources.js';
export type { Credentials, TradingMode } from './payload.js';
