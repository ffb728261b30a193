// n8n's community-node rules on what ships: nodes, credentials and package.json.
import tsParser from '@typescript-eslint/parser';
import { n8nCommunityNodesPlugin } from '@n8n/eslint-plugin-community-nodes';
import n8nNodesBase from 'eslint-plugin-n8n-nodes-base';
import jsoncParser from 'jsonc-eslint-parser';

const community = n8nCommunityNodesPlugin.configs.recommended;
// Three older rules of eslint-plugin-n8n-nodes-base contradict current n8n: connection types are
// NodeConnectionTypes constants now (the autofix to ['main'] would also drop the Consent
// Filter's second output), and @n8n/community-nodes' own rule wants documentationUrl to be a URL.
const SUPERSEDED = new Set([
	'n8n-nodes-base/node-class-description-inputs-wrong-regular-node',
	'n8n-nodes-base/node-class-description-outputs-wrong',
	'n8n-nodes-base/cred-class-field-documentation-url-miscased',
]);
const pick = (prefix) =>
	Object.fromEntries(Object.entries(n8nNodesBase.configs[prefix].rules).filter(([name]) => !SUPERSEDED.has(name)));

export default [
	{ ignores: ['dist/**', 'node_modules/**', 'test/**', 'sandbox/**', 'scripts/**', 'bench/**', 'bin/**'] },
	{
		files: ['nodes/**/*.ts', 'credentials/**/*.ts', 'package.json'],
		plugins: { ...community.plugins },
		rules: { ...community.rules },
		languageOptions: { parser: tsParser, parserOptions: { sourceType: 'module' } },
	},
	{
		files: ['package.json'],
		languageOptions: { parser: jsoncParser },
		plugins: { 'n8n-nodes-base': n8nNodesBase },
		rules: pick('community'),
	},
	{
		files: ['credentials/**/*.ts'],
		plugins: { 'n8n-nodes-base': n8nNodesBase },
		rules: pick('credentials'),
		languageOptions: { parser: tsParser },
	},
	{
		files: ['nodes/**/*.ts'],
		plugins: { 'n8n-nodes-base': n8nNodesBase },
		rules: pick('nodes'),
		languageOptions: { parser: tsParser },
	},
];
