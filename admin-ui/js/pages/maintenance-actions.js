/** What a window does, as the API names it, with what it means for the gateway. */
export const ACTIONS = [
  { value: 'quiet', label: 'quiet — no action, the keeper pauses', effect: 'nothing is restarted; the session keeper pauses as during IBKR\'s resets' },
  { value: 'restart', label: 'restart — restart the gateway at the start', effect: 'the gateway restarts at the start (pending changes apply with it)' },
  { value: 'stop', label: 'stop — keep the gateway stopped', effect: 'the gateway is stopped for the whole window and started again at its end' },
  { value: 'apply', label: 'apply — apply the staged changes', effect: 'staged conf, allow-list and certificate changes apply, checked by the health gate and rolled back on failure' },
  { value: 'update', label: 'update — switch to the staged gateway version', effect: 'the staged gateway version becomes active, checked by the health gate and rolled back on failure' },
];
