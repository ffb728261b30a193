import { execFileSync, spawnSync } from 'node:child_process';
import * as path from 'node:path';

const BIN = path.join(__dirname, '..', '..', 'generator', 'actito-meta-workflow.js');
const BASE = [
	'--table', 'Customers',
	'--segmentation', 'Audiences:VIP',
	'--ad-account', '1234567890',
	'--audience', '23851234567890123',
	'--actito-credential', 'cred-actito',
	'--meta-credential', 'cred-meta',
];

function generate(...extra: string[]): any {
	return JSON.parse(execFileSync(process.execPath, [BIN, ...BASE, ...extra], { encoding: 'utf8' }));
}

function node(workflow: any, name: string): any {
	return workflow.nodes.find((n: any) => n.name === name);
}

describe('actito-meta-workflow (the generator bin)', () => {
	it('writes a workflow n8n keeps the static data of: id of at most 16 characters, no staticData key', () => {
		const workflow = generate();
		expect(workflow.id.length).toBeLessThanOrEqual(16);
		expect('staticData' in workflow).toBe(false);
		// The same link always gets the same id, so a re-import updates the same workflow.
		expect(generate().id).toBe(workflow.id);
	});

	it('takes the sync minute from the activation moment, or --minute', () => {
		const fromActivation = generate('--activated-at', '2026-11-29T10:37:12Z');
		expect(node(fromActivation, 'Every Hour').parameters.rule.interval[0].triggerAtMinute).toBe(37);
		const explicit = generate('--minute', '5');
		expect(node(explicit, 'Every Hour').parameters.rule.interval[0].triggerAtMinute).toBe(5);
	});

	it('fills every node of the link: Actito audience, Meta audience, credentials, country, status path', () => {
		const workflow = generate('--default-country', 'be', '--unknown-consent', 'block');
		const changes = node(workflow, 'Get Changes');
		expect(changes.parameters.table).toEqual({ __rl: true, mode: 'id', value: 'Customers' });
		expect(changes.parameters.segmentation.value).toBe('Audiences:VIP');
		expect(changes.parameters.metaAudienceId).toBe('23851234567890123');
		expect(changes.parameters.syncOptions).toMatchObject({ defaultCountry: 'BE', unknownConsent: 'block' });
		expect(Object.keys(changes.credentials).sort()).toEqual(['actitoApi', 'metaMarketingApi']);
		expect(node(workflow, 'Consent Filter').parameters.unknownConsent).toBe('block');
		expect(node(workflow, 'Hash Identifiers').parameters.defaultCountry).toBe('BE');
		for (const name of ['Sync Members', 'Estimated Size']) {
			expect(node(workflow, name).parameters.adAccount.value).toBe('act_1234567890');
			expect(node(workflow, name).parameters.audience.value).toBe('23851234567890123');
			expect(node(workflow, name).credentials.metaMarketingApi.id).toBe('cred-meta');
		}
		expect(node(workflow, 'Status Page').parameters.path).toBe(`actito-meta-status/${workflow.id}`);
		expect(workflow.nodes.every((n: any) => !JSON.stringify(n.parameters ?? {}).includes('"mode":"list","value":""'))).toBe(true);
	});

	it('refuses bad input with a clear message and exit code 2', () => {
		const run = spawnSync(process.execPath, [BIN, ...BASE, '--segmentation', 'VIP'], { encoding: 'utf8' });
		expect(run.status).toBe(2);
		expect(run.stderr).toContain('--segmentation must be Category:Name');
		const longId = spawnSync(process.execPath, [BIN, ...BASE, '--id', 'x'.repeat(17)], { encoding: 'utf8' });
		expect(longId.status).toBe(2);
		expect(longId.stderr).toContain('at most 16 characters');
	});
});
