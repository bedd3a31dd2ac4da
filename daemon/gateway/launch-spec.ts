/** What the supervisor spawns; the gateway kinds build it (one definition, owned by the supervisor). */
export type { LaunchSpec } from '../supervisor/types.js';
