// Lint for the code that does not ship: tests, sandbox, scripts, benchmarks, the workflow
// generator and the build configs. What ships (nodes/, credentials/, core/, package.json) is
// linted by n8n's own default config in eslint.config.mjs (`npm run lint`, strict mode); these
// files spawn processes, read files and use Node's globals on purpose, which that config refuses.
// Run: npm run lint:dev
import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default tseslint.config(
	{ ignores: ['dist/**', 'node_modules/**', 'core/**', 'nodes/**', 'credentials/**'] },
	{
		files: ['**/*.js', '**/*.cjs'],
		extends: [js.configs.recommended],
		languageOptions: { ecmaVersion: 2022, sourceType: 'commonjs', globals: { ...globals.node } },
		// Handlers keep their full (req, res, headers, done) signature; `{ a, ...rest }` drops a.
		rules: { 'no-unused-vars': ['error', { args: 'none', ignoreRestSiblings: true }] },
	},
	{
		files: ['**/*.mjs'],
		extends: [js.configs.recommended],
		languageOptions: { ecmaVersion: 2022, sourceType: 'module', globals: { ...globals.node } },
	},
	{
		files: ['test/**/*.js'],
		languageOptions: { globals: { ...globals.jest } },
	},
	{
		files: ['test/**/*.ts', 'test/**/*.tsx'],
		extends: [js.configs.recommended, ...tseslint.configs.recommended],
		languageOptions: { globals: { ...globals.node, ...globals.jest } },
		// Older disable comments name the rule by its typescript-eslint 7 name (no-var-requires).
		linterOptions: { reportUnusedDisableDirectives: 'off' },
		rules: {
			// Tests load the JavaScript sandboxes and the generator, which have no typings, with require().
			'@typescript-eslint/no-require-imports': 'off',
			// Tests build loose fixtures and read raw answers: `any` is their working type.
			'@typescript-eslint/no-explicit-any': 'off',
			'@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none', ignoreRestSiblings: true }],
		},
	},
);
