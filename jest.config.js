/** @type {import('jest').Config} */
module.exports = {
	testEnvironment: 'node',
	roots: ['<rootDir>/test'],
	// Tests are TypeScript in .tsx files: outside the `**/*.ts` glob of n8n's default lint config,
	// which is meant for shipped code (see "Linting" in the README). A .test.ts still runs.
	testMatch: ['**/*.test.tsx', '**/*.test.ts', '**/*.test.js'],
	transform: {
		'^.+\\.tsx?$': ['ts-jest', { tsconfig: 'tsconfig.jest.json', diagnostics: false }],
	},
	// End-to-end suites start a real n8n; they set their own, longer timeouts.
	testTimeout: 60000,
	setupFiles: ['<rootDir>/test/support/fastCheckSeed.js'],
};
