/**
 * The supervisor core: spawn the gateway in its own process group behind a lifeline, keep it
 * alive with backoff and a restart window, stop it (and only it) completely.
 */
export { Supervisor } from './supervisor.js';
export type {
  ExitEvent, ExitInfo, GatewayStatus, LaunchSpec, ReadyEvent, SupervisorEvents, SupervisorOptions, TransitionEvent,
} from './types.js';
export { StateMachine, LEGAL_TRANSITIONS, SUPERVISOR_STATES, isActive, isUp, type SupervisorState, type StateChange } from './state-machine.js';
export { Backoff } from './backoff.js';
export { RestartPolicy, type RestartPolicyOptions } from './restart-policy.js';
export { LogCapture, type LogCaptureOptions, type LogLine, type LogStream } from './log-capture.js';
export { RotatingFile, type RotatingFileOptions } from './log-file.js';
export { ResourceMonitor, type ResourceMonitorOptions, type ResourceSample } from './resource-monitor.js';
export { reconcileRun, reconcileEvent, type ReconcileReport } from './reconcile.js';
export { readRunRecord, writeRunRecord, removeRunRecord, runRecordPath, type RunRecord } from './run-record.js';
export { terminateGroup, type TerminateOptions, type TerminateResult } from './terminate.js';
export { findEscapees, killEscapees, type EscapeeQuery } from './kill-descendants.js';
export { assertPortFree, findPortHolder, listeningInodes, type PortHolder } from './port-check.js';
export { probePort, waitForPort, type ReadyOutcome, type WaitForPortOptions } from './readiness.js';
export { resolveCommand, type ResolveResult } from './resolve-command.js';
export { preflight } from './preflight.js';
export { spawnGroup, signalGroup, LIFELINE_SCRIPT, RUN_MARKER_ENV, type GroupChild, type GroupSpawnOptions } from './process-group.js';
export { GatewayRun, type RunExit } from './gateway-run.js';
export * as procTable from './proc-table.js';
