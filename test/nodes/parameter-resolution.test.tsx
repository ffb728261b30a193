// Every workflow the package ships or writes, resolved by n8n-workflow's own
// NodeHelpers.getNodeParameters (what n8n runs before a node executes): no saved value of a node
// of this package may be dropped, and filled-in workflows must have no parameter issues. A value
// dropped here is a field n8n empties on every run ("Parameter … is required"), which in-process
// node tests with a plain getNodeParameter cannot see.
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { NodeHelpers } from 'n8n-workflow';
import type { INode, INodeParameters, INodeType, INodeTypeDescription } from 'n8n-workflow';

import { ActitoAudience } from '../../nodes/ActitoAudience/ActitoAudience.node';
import { ActitoAudienceMembersTrigger } from '../../nodes/ActitoAudienceMembersTrigger/ActitoAudienceMembersTrigger.node';
import { ActitoAudienceTrigger } from '../../nodes/ActitoAudienceTrigger/ActitoAudienceTrigger.node';
import { ActitoWebhookTrigger } from '../../nodes/ActitoWebhookTrigger/ActitoWebhookTrigger.node';
import { ConsentFilter } from '../../nodes/ConsentFilter/ConsentFilter.node';
import { HashIdentifiers } from '../../nodes/HashIdentifiers/HashIdentifiers.node';
import { MetaCustomAudience } from '../../nodes/MetaCustomAudience/MetaCustomAudience.node';

const ROOT = path.join(__dirname, '..', '..');
const PREFIX = 'n8n-nodes-actito-meta.';
const TYPES: Record<string, INodeType> = {
	actitoAudience: new ActitoAudience(),
	actitoAudienceMembersTrigger: new ActitoAudienceMembersTrigger(),
	actitoAudienceTrigger: new ActitoAudienceTrigger(),
	actitoWebhookTrigger: new ActitoWebhookTrigger(),
	consentFilter: new ConsentFilter(),
	hashIdentifiers: new HashIdentifiers(),
	metaCustomAudience: new MetaCustomAudience(),
};

function descriptionOf(node: INode): INodeTypeDescription {
	const type = TYPES[node.type.slice(PREFIX.length)];
	if (!type) throw new Error(`unknown node type ${node.type}`);
	// Versioned nodes (ActitoAudience): n8n-workflow's helper takes the version's own description.
	const versioned = type as unknown as { nodeVersions?: Record<number, INodeType> };
	const d = versioned.nodeVersions ? versioned.nodeVersions[node.typeVersion].description : type.description;
	return d as INodeTypeDescription;
}

function resolve(node: INode): INodeParameters {
	const d = descriptionOf(node);
	return NodeHelpers.getNodeParameters(d.properties, node.parameters, true, false, node, d) as INodeParameters;
}

function ourNodes(workflow: { nodes: INode[] }): INode[] {
	return workflow.nodes.filter((n) => n.type.startsWith(PREFIX));
}

function generated(script: string, args: string[]): { nodes: INode[] } {
	return JSON.parse(execFileSync(process.execPath, [path.join(ROOT, 'generator', script), ...args], { encoding: 'utf8' }));
}

const LINK = ['--table', 'Customers', '--segmentation', 'Audiences:VIP', '--ad-account', '1234567890', '--audience', '23851234567890123', '--actito-credential', 'cred-actito', '--meta-credential', 'cred-meta', '--status-credential', 'cred-status'];

const benchChain = (): { nodes: INode[] } =>
	JSON.parse(
		fs
			.readFileSync(path.join(ROOT, 'bench', 'item-chain-workflow.json'), 'utf8')
			.replaceAll('__ACTITO_TABLE__', 'Customers')
			.replaceAll('__SEGMENTATION__', 'Audiences:VIP')
			.replaceAll('__META_AD_ACCOUNT__', 'act_1234567890')
			.replaceAll('__META_AUDIENCE_ID__', '23851234567890123'),
	);

const SHIPPED = fs.readdirSync(path.join(ROOT, 'templates')).filter((f) => f.endsWith('.json'));

describe('saved parameters survive n8n-workflow’s parameter resolution', () => {
	const workflows: Array<[string, () => { nodes: INode[] }]> = [
		...SHIPPED.map((f) => [`templates/${f}`, () => JSON.parse(fs.readFileSync(path.join(ROOT, 'templates', f), 'utf8'))] as [string, () => { nodes: INode[] }]),
		['generator: hourly link', () => generated('actito-meta-workflow.js', LINK)],
		['bench/item-chain-workflow.json (Get Changes → Consent Filter → Hash Identifiers → Sync Members)', benchChain],
	];

	it.each(workflows)('%s keeps every saved value of its nodes', (_name, load) => {
		const nodes = ourNodes(load());
		expect(nodes.length).toBeGreaterThan(0);
		for (const node of nodes) {
			const resolved = resolve(node);
			for (const key of Object.keys(node.parameters)) {
				expect({ node: node.name, key, kept: key in resolved }).toEqual({ node: node.name, key, kept: true });
				expect({ node: node.name, key, value: resolved[key] }).toEqual({ node: node.name, key, value: node.parameters[key] });
			}
		}
	});

	it.each(workflows.slice(SHIPPED.length))('%s, filled in, has no parameter issues', (_name, load) => {
		for (const node of ourNodes(load())) {
			const d = descriptionOf(node);
			const issues = NodeHelpers.getNodeParametersIssues(d.properties, { ...node, parameters: resolve(node) }, d);
			expect({ node: node.name, issues }).toEqual({ node: node.name, issues: null });
		}
	});

	it('Get Changes and Get Members keep their table and audience; Get Status asks for them only "By Meta Audience"', () => {
		const base = { id: 'n1', name: 'Actito', type: `${PREFIX}actitoAudience`, typeVersion: 2, position: [0, 0] as [number, number] };
		const table = { __rl: true, mode: 'id', value: 'Customers' };
		const segmentation = { __rl: true, mode: 'id', value: 'Audiences:VIP' };
		for (const operation of ['getChanges', 'getMembers']) {
			const resolved = resolve({ ...base, parameters: { resource: 'audience', operation, table, segmentation } });
			expect(resolved).toMatchObject({ operation, table, segmentation });
		}
		const fromWorkflow = resolve({ ...base, parameters: { resource: 'audience', operation: 'getStatus' } });
		expect(fromWorkflow).not.toHaveProperty('table');
		expect(fromWorkflow).not.toHaveProperty('segmentation');
		const byAudience = resolve({ ...base, parameters: { resource: 'audience', operation: 'getStatus', linkSource: 'audience', table, segmentation } });
		expect(byAudience).toMatchObject({ linkSource: 'audience', table, segmentation });
	});
});
