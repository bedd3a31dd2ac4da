// ESLint flat config: JavaScript's and typescript-eslint's recommended rules over the
// TypeScript sources. Architecture rules (cycles, which folder may import what) live in
// .dependency-cruiser.cjs.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'data/**', 'test-artifacts/**', 'admin-ui/vendor/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    rules: {
      // Unused arguments named with a leading underscore are kept on purpose (callback shapes).
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
      // `let x!` hides an initialisation order; the composition root must read top to bottom.
      '@typescript-eslint/no-non-null-assertion': 'off',
      'no-restricted-syntax': ['error', {
        selector: 'VariableDeclarator[definite=true]',
        message: 'No `let x!`: build the value before it is used, or pass it in.',
      }],
      '@typescript-eslint/no-explicit-any': 'off',
      eqeqeq: ['error', 'smart'],
      'no-console': ['error', { allow: ['error', 'warn'] }],
    },
  },
  {
    // Tests, benches and the soak run may print and may use any.
    files: ['test/**/*.ts', 'bench/**/*.ts', 'soak/**/*.ts', 'scripts/**/*.ts'],
    rules: { 'no-console': 'off' },
  },
  {
    // Scripts that run in the browser: the simulated login page and the admin UI.
    files: ['scripts/sim/assets/**/*.js', 'admin-ui/**/*.js'],
    languageOptions: {
      sourceType: 'module',
      globals: Object.fromEntries(['window', 'document', 'location', 'fetch', 'navigator', 'history', 'console', 'setTimeout', 'clearTimeout',
        'setInterval', 'clearInterval', 'URL', 'URLSearchParams', 'EventSource', 'FormData', 'Headers', 'AbortController', 'HTMLElement',
        'CustomEvent', 'Event', 'requestAnimationFrame', 'matchMedia', 'Intl', 'localStorage', 'sessionStorage', 'Blob'].map((g) => [g, 'readonly'])),
    },
  },
  {
    files: ['**/*.js', '**/*.mjs', '**/*.cjs'],
    ignores: ['scripts/sim/assets/**', 'admin-ui/**'],
    languageOptions: { globals: { process: 'readonly', console: 'readonly', module: 'writable', require: 'readonly', URL: 'readonly', setTimeout: 'readonly', clearTimeout: 'readonly', setInterval: 'readonly', Buffer: 'readonly', __dirname: 'readonly' } },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    // The admin UI runs in the browser (plain ES modules, no bundler).
    files: ['admin-ui/**/*.js'],
    languageOptions: {
      sourceType: 'module',
      globals: Object.fromEntries([
        'window', 'document', 'location', 'history', 'navigator', 'fetch', 'EventSource', 'ResizeObserver', 'Intl', 'URL', 'URLSearchParams',
        'addEventListener', 'removeEventListener', 'setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'btoa', 'Blob', 'console',
      ].map((name) => [name, 'readonly'])),
    },
    rules: { 'no-unused-vars': ['error', { argsIgnorePattern: '^_', caughtErrors: 'none' }], eqeqeq: ['error', 'smart'] },
  },
);
