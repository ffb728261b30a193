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
	'--status-credential', 'cred-status',
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
		// Random (the status page address is not guessable); --id regenerates an existing workflow.
		expect(generate().id).not.toBe(workflow.id);
		expect(generate('--id', workflow.id).id).toBe(workflow.id);
	});

	it('takes the sync minute from the activation moment, or --minute', () => {
		const fromActivation = generate('--activated-at', '2026-11-29T10:37:12Z');
		expect(node(fromActivation, 'Every Hour').parameters.rule.interval[0].triggerAtMinute).toBe(37);
		const explicit = generate('--minute', '5');
		expect(node(explicit, 'Every Hour').parameters.rule.interval[0].triggerAtMinute).toBe(5);
	});

	it('fills one configuration: the Sync node holds every setting of the link', () => {
		const workflow = generate('--default-country', 'be', '--unknown-consent', 'block', '--identifiers', 'PHONE=mobile,EMAIL=mail');
		const sync = node(workflow, 'Sync');
		expect(sync.parameters).toMatchObject({
			operation: 'syncFromActito',
			table: { __rl: true, mode: 'list', value: 'Customers', cachedResultName: 'Customers' },
			segmentation: { value: 'Audiences:VIP' },
			defaultCountry: 'BE',
			unknownConsent: 'block',
			identifiers: { mapping: [{ key: 'PHONE', field: 'mobile' }, { key: 'EMAIL', field: 'mail' }] },
		});
		expect(Object.keys(sync.credentials).sort()).toEqual(['actitoApi', 'metaMarketingApi']);
		expect(sync.parameters.adAccount.value).toBe('act_1234567890');
		expect(sync.parameters.audience.value).toBe('23851234567890123');
		// The Meta side is set once, in Sync: Estimated Size takes it from Sync's output item.
		expect(node(workflow, 'Estimated Size').parameters.adAccount.value).toBe('={{ $json.adAccountId }}');
		expect(node(workflow, 'Estimated Size').parameters.audience.value).toBe('={{ $json.metaAudienceId }}');
		// No other node repeats a setting of the link that changes rows or consent.
		expect(workflow.nodes.map((n: any) => n.type)).not.toContain('n8n-nodes-actito-meta.hashIdentifiers');
		expect(workflow.nodes.map((n: any) => n.type)).not.toContain('n8n-nodes-actito-meta.consentFilter');
		const status = node(workflow, 'Status Page');
		expect(status.parameters.path).toBe(`actito-meta-status/${workflow.id}`);
		expect(status.parameters.authentication).toBe('headerAuth');
		expect(status.credentials.httpHeaderAuth.id).toBe('cred-status');
		// …and Get Status reads this workflow's stored link configuration.
		expect(node(workflow, 'Get Status').parameters).toMatchObject({ linkSource: 'workflow' });
		expect(node(workflow, 'Get Status').parameters.metaAudienceId).toBeUndefined();
		expect(workflow.nodes.every((n: any) => !JSON.stringify(n.parameters ?? {}).includes('"mode":"list","value":""'))).toBe(true);
		// Two workflows of one n8n never share an id, a webhook id or a path.
		const other = generate();
		expect(other.id).not.toBe(workflow.id);
		expect(node(other, 'Status Page').webhookId).not.toBe(status.webhookId);
	});

	it('names the workflow and fills the pickers so that a marketer recognises them', () => {
		const named = generate('--audience-name', 'VIP customers', '--ad-account-name', 'Acme Ads');
		expect(named.name).toBe('Actito VIP → Meta ‘VIP customers’ (hourly)');
		const sync = node(named, 'Sync').parameters;
		expect(sync.audience).toMatchObject({ mode: 'list', value: '23851234567890123', cachedResultName: 'VIP customers (23851234567890123)' });
		expect(sync.adAccount).toMatchObject({ mode: 'list', value: 'act_1234567890', cachedResultName: 'Acme Ads (act_1234567890)' });
		expect(sync.segmentation).toMatchObject({ mode: 'list', value: 'Audiences:VIP', cachedResultName: 'Audiences → VIP' });
		// No second Meta audience field to fill: Get Status reads this workflow's link, Estimated Size Sync's output.
		expect(node(named, 'Get Status').parameters).toMatchObject({ linkSource: 'workflow' });
		expect(node(named, 'Estimated Size').parameters.audience.value).toBe('={{ $json.metaAudienceId }}');
		// Without a Meta name: the Actito audience leads, the id follows, and Meta pickers stay by id.
		const plain = generate();
		expect(plain.name).toBe('Actito VIP → Meta audience 23851234567890123 (hourly)');
		expect(node(plain, 'Sync').parameters.audience).toEqual({ __rl: true, mode: 'id', value: '23851234567890123' });
		expect(node(plain, 'Sync').parameters.segmentation.cachedResultName).toBe('Audiences → VIP');
		expect(generate('--realtime', '--audience-name', 'VIP customers').name).toBe('Actito VIP → Meta ‘VIP customers’ (real time)');
		expect(generate('--name', 'My link').name).toBe('My link');
	});

	it('an attribute audience and a subscription consent', () => {
		const args = BASE.filter((a, i) => a !== '--segmentation' && BASE[i - 1] !== '--segmentation');
		const workflow = JSON.parse(
			execFileSync(process.execPath, [BIN, ...args, '--audience-attribute', 'tier', '--audience-value', 'gold', '--consent-subscription', 'Newsletter'], { encoding: 'utf8' }),
		);
		expect(node(workflow, 'Sync').parameters).toMatchObject({ audienceRule: 'attribute', audienceAttribute: 'tier', audienceValue: 'gold', consentSource: 'subscription', consentSubscription: 'Newsletter' });
	});

	it('writes the near-real-time companion from the same options', () => {
		const workflow = generate('--realtime', '--default-country', 'BE', '--identifiers', 'EMAIL=mail,PHONE=mobile');
		expect(workflow.id.length).toBeLessThanOrEqual(16);
		expect(node(workflow, 'Actito Webhook Trigger').parameters.attributes).toMatchObject({ emailAttribute: 'mail', phoneAttribute: 'mobile' });
		expect(node(workflow, 'Hash Identifiers').parameters).toMatchObject({
			defaultCountry: 'BE',
			identifiers: { mapping: [{ key: 'EXTERN_ID', field: 'profileId' }, { key: 'EMAIL', field: 'email' }, { key: 'PHONE', field: 'phone' }] },
		});
		expect(node(workflow, 'Meta Sync Members').parameters.options.commitState).toBe(false);
		expect(node(workflow, 'Add or Remove').parameters.assignments.assignments[0].value).toContain('"Audiences:VIP"');
		const bad = spawnSync(process.execPath, [BIN, ...BASE, '--realtime', '--identifiers', 'ZIP=zip'], { encoding: 'utf8' });
		expect(bad.status).toBe(2);
	});

	it('refuses bad input with a clear message and exit code 2', () => {
		const run = spawnSync(process.execPath, [BIN, ...BASE, '--segmentation', 'VIP'], { encoding: 'utf8' });
		expect(run.status).toBe(2);
		expect(run.stderr).toContain('--segmentation must be Category:Name');
		const longId = spawnSync(process.execPath, [BIN, ...BASE, '--id', 'x'.repeat(17)], { encoding: 'utf8' });
		expect(longId.status).toBe(2);
		expect(longId.stderr).toContain('at most 16 characters');
		const extern = spawnSync(process.execPath, [BIN, ...BASE, '--identifiers', 'EXTERN_ID=emailAddress'], { encoding: 'utf8' });
		expect(extern.status).toBe(2);
		expect(extern.stderr).toContain('EXTERN_ID is always the Actito profile id');
		// A status page without its credential would make n8n 2.x fail every run, the hourly ones too.
		const noStatus = spawnSync(process.execPath, [BIN, ...BASE.slice(0, BASE.indexOf('--status-credential'))], { encoding: 'utf8' });
		expect(noStatus.status).toBe(2);
		expect(noStatus.stderr).toContain('--status-credential is required');
		expect(noStatus.stdout).toBe('');
	});
});
