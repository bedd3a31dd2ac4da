/**
 * Loaded into every test process after tap's own imports (package.json `tap.node-arg`). tap's
 * processinfo rides into every node process a test starts, at any depth: a spawn hook adds it
 * to NODE_OPTIONS, and each process loads it (~0.2 s of CPU at start, a JSON file at exit). The
 * suite starts a great many gateways, daemons, simulators and CLI runs and uses nothing it
 * records (coverage is off), so the hook is emptied here and NODE_OPTIONS cleaned of it.
 */
const hook = (globalThis as Record<symbol, { listeners?: unknown[] } | undefined>)[Symbol.for('process-on-spawn@*:singletonId')];
if (hook?.listeners) hook.listeners.length = 0;

const options = (process.env.NODE_OPTIONS ?? '').split(/\s+/).filter((arg) => arg !== '' && !/@tapjs[\\/]processinfo/.test(arg));
if (options.length > 0) process.env.NODE_OPTIONS = options.join(' ');
else delete process.env.NODE_OPTIONS;
