// ESLint flat config (`npm run lint`, a layer of scripts/test-all.sh): typescript-eslint's
// recommended rules on the whole tree, plus the type-aware rules that catch real defects
// (promises nobody awaits or catches). Layout is Prettier's job (.prettierrc.json), so no
// stylistic rule is switched on here.
import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', '.vscode-test/**', '.test-runs/**', 'resources/**', 'media/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    rules: {
      // A leading underscore marks a binding kept on purpose (a positional parameter, a value
      // taken out of a rest object); anything else unused is reported.
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrorsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_', ignoreRestSiblings: true }],
      // Matching control characters is the job of the terminal-text and output sanitizers (and
      // of the tests that check them), so a control character in a regex is intended here.
      'no-control-regex': 'off',
    },
  },
  {
    // Notifications (progress ones too) turn `[label](command:…)` in their text into links: every
    // message goes through src/vscode/shared/notify.ts, which shows server, file and model text plainly.
    files: ['src/**/*.ts'],
    rules: {
      'no-restricted-syntax': [
        'error',
        {
          selector: "MemberExpression[object.property.name='window'][property.name=/^(show(Error|Warning|Information)Message|withProgress)$/]",
          message: 'Use the function of the same name in src/vscode/shared/notify.ts (plain-text message).',
        },
        {
          // Node's recursive mkdir spins forever on a path under procfs (`--out /proc/x`).
          selector:
            "CallExpression[callee.name=/^mkdir(Sync)?$/] > ObjectExpression > Property[key.name='recursive'], CallExpression[callee.property.name=/^mkdir(Sync)?$/] > ObjectExpression > Property[key.name='recursive']",
          message: 'Use makeFolders / makeFoldersSync from src/files/makeFolders.ts: a recursive mkdir never ends on some paths (procfs).',
        },
      ],
    },
  },
  {
    files: ['webview/**/*.ts'],
    languageOptions: { globals: { ...globals.browser } },
  },
  {
    // Typed linting, cheap here: each file's tsconfig (root or webview/) already defines its program.
    files: ['src/**/*.ts', 'test/**/*.ts', 'bench/**/*.ts', 'webview/**/*.ts'],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/await-thenable': 'error',
    },
  },
);
