/**
 * Architecture rules, checked in `npm test` (npm run lint). The shape they keep:
 * - no import cycles between files (folder-level cycles: test/architecture/folders.test.ts);
 * - the supervisor core stays free of Fastify (it must be usable, and testable, without the API);
 * - the simulator is a separate product: it imports nothing from the daemon;
 * - API routes never touch a child process: they ask services.
 */
module.exports = {
  forbidden: [
    { name: 'no-circular', severity: 'error', comment: 'Import cycles make load order and ownership unclear.', from: {}, to: { circular: true } },
    {
      name: 'supervisor-without-fastify', severity: 'error',
      from: { path: '^daemon/supervisor/' },
      to: { path: ['node_modules/(fastify|@fastify|fastify-plugin)/', '^daemon/api/'] },
    },
    {
      name: 'sim-imports-no-daemon', severity: 'error',
      from: { path: '^scripts/sim/' },
      // The one exception: the JSON-schema builder (TypeBox's shapes without its run time), no daemon logic.
      to: { path: '^daemon/', pathNot: '^daemon/json-schema/type-builder\\.ts$' },
    },
    {
      name: 'routes-spawn-nothing', severity: 'error',
      from: { path: '^daemon/api/' },
      to: { dependencyTypes: ['core'], path: '^(node:)?child_process$' },
    },
    {
      name: 'client-stands-alone', severity: 'error',
      comment: 'The app client ships to apps: it must not pull the daemon (or its dependencies) in.',
      from: { path: '^client/' },
      to: { path: ['^(daemon|scripts|bench|test)/', 'node_modules/'] },
    },
    {
      name: 'daemon-imports-no-tests', severity: 'error',
      from: { path: '^(daemon|scripts)/' },
      to: { path: '^(test|bench|testkit|soak)/' },
    },
    {
      name: 'testkit-stands-alone', severity: 'error',
      comment: 'Shared by test/, bench/ and soak/, compiled into dist for bench and soak: it must not pull the project in.',
      from: { path: '^testkit/' },
      to: { path: '^(daemon|scripts|test|bench|soak)/' },
    },
    {
      name: 'bench-imports-no-tests', severity: 'error',
      comment: 'bench/ is compiled into dist; test/ is not.',
      from: { path: '^bench/' },
      to: { path: '^test/' },
    },
    {
      name: 'soak-imports-no-tests', severity: 'error',
      comment: 'soak/ is compiled into dist like bench/: it may use daemon/ and testkit/, never test/.',
      from: { path: '^soak/' },
      to: { path: '^(test|bench)/' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^(dist|node_modules|data)/' },
    tsConfig: { fileName: 'tsconfig.test.json' },
    tsPreCompilationDeps: true,
    enhancedResolveOptions: { extensions: ['.ts', '.js', '.mjs', '.json'], exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default'] },
  },
};
