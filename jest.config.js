/** @type {import('jest').Config} */
module.exports = {
	testEnvironment: 'node',
	roots: ['<rootDir>/test'],
	testMatch: ['**/*.test.ts', '**/*.test.js'],
	transform: {
		'^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.jest.json', diagnostics: false }],
	},
	// End-to-end suites start a real n8n; they set their own, longer timeouts.
	testTimeout: 60000,
	setupFiles: ['<rootDir>/test/support/fastCheckSeed.js'],
};
