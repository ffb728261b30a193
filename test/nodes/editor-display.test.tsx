// What the n8n editor shows of the nodes: canvas subtitles, node-panel descriptions and aliases,
// credential slot labels, and where Log Interaction sits per node version. The visibility checks
// use n8n-workflow's own displayParameter, so @version conditions are read as n8n reads them.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { NodeHelpers } from 'n8n-workflow';
import type { INode, INodeProperties, INodePropertyOptions, INodeType, INodeTypeDescription } from 'n8n-workflow';

import { ActitoAudience } from '../../nodes/ActitoAudience/ActitoAudience.node';
import { ActitoAudienceMembersTrigger } from '../../nodes/ActitoAudienceMembersTrigger/ActitoAudienceMembersTrigger.node';
import { ActitoAudienceTrigger } from '../../nodes/ActitoAudienceTrigger/ActitoAudienceTrigger.node';
import { ActitoWebhookTrigger } from '../../nodes/ActitoWebhookTrigger/ActitoWebhookTrigger.node';
import { ConsentFilter } from '../../nodes/ConsentFilter/ConsentFilter.node';
import { HashIdentifiers } from '../../nodes/HashIdentifiers/HashIdentifiers.node';
import { MetaCustomAudience } from '../../nodes/MetaCustomAudience/MetaCustomAudience.node';

const ROOT = path.join(__dirname, '..', '..');
const NODES: Array<[string, INodeType]> = [
	['ActitoAudience', new ActitoAudience()],
	['ActitoAudienceMembersTrigger', new ActitoAudienceMembersTrigger()],
	['ActitoWebhookTrigger', new ActitoWebhookTrigger()],
	['ConsentFilter', new ConsentFilter()],
	['HashIdentifiers', new HashIdentifiers()],
	['MetaCustomAudience', new MetaCustomAudience()],
];

function codex(folder: string): { categories: string[]; alias: string[]; resources: Record<string, Array<{ url: string }>> } {
	return JSON.parse(fs.readFileSync(path.join(ROOT, 'nodes', folder, `${folder}.node.json`), 'utf8'));
}

function operationOptions(d: INodeTypeDescription): INodePropertyOptions[] {
	return d.properties.filter((p) => p.name === 'operation').flatMap((p) => (p.options ?? []) as INodePropertyOptions[]);
}

/** The subtitle as the canvas shows it for an operation, evaluated like n8n's `={{ … }}`. */
function subtitleFor(d: INodeTypeDescription, operation: string): string {
	const expression = /^=\{\{(.*)\}\}$/s.exec(String(d.subtitle))![1];
	return new Function('$parameter', `return (${expression});`)({ operation });
}

describe('canvas subtitles', () => {
	for (const node of [new ActitoAudience(), new MetaCustomAudience()]) {
		const d = node.description;
		test(`${d.displayName}: every operation shows its name, not its key`, () => {
			const options = operationOptions(d);
			expect(options.length).toBeGreaterThan(4);
			for (const option of options) expect(subtitleFor(d, String(option.value))).toBe(option.name);
			// An operation the map does not know yet still shows something.
			expect(subtitleFor(d, 'notInTheMap')).toBe('notInTheMap');
		});
	}
});

describe('node panel', () => {
	test('every node has its own description; the Actito cards never show a trigger’s', () => {
		const descriptions = NODES.map(([, n]) => n.description.description);
		expect(new Set(descriptions).size).toBe(NODES.length);
		expect(new ActitoAudience().description.description).not.toMatch(/^Starts the workflow/);
		for (const trigger of [new ActitoAudienceMembersTrigger(), new ActitoWebhookTrigger()]) {
			expect(trigger.description.description).toMatch(/^Starts the workflow when /);
		}
	});

	test('no visible trigger is folded into another node’s card', () => {
		// n8n's node panel merges a trigger type `xTrigger` into the card of node `x` and gives that
		// card the trigger's description (generateMergedNodesAndActions in the editor).
		const visible = NODES.map(([, n]) => n.description).filter((d) => !d.hidden);
		const names = new Set(visible.map((d) => d.name));
		for (const d of visible.filter((v) => v.group.includes('trigger'))) expect(names.has(d.name.replace('Trigger', ''))).toBe(false);
		// The earlier type stays for saved workflows, hidden, with the same parameters and poll.
		const legacy = new ActitoAudienceTrigger();
		const current = new ActitoAudienceMembersTrigger();
		expect(legacy.description.hidden).toBe(true);
		expect(current.description.properties).toEqual(legacy.description.properties);
		expect(current.poll).toBe(legacy.poll);
		expect(current.description.displayName).toBe('Actito Audience Trigger');
	});

	test('both Actito triggers sit in the same place as the Actito Audience node', () => {
		const place = (folder: string) => JSON.stringify(codex(folder).categories);
		expect(place('ActitoAudienceMembersTrigger')).toBe(place('ActitoAudience'));
		expect(place('ActitoWebhookTrigger')).toBe(place('ActitoAudience'));
		for (const [, n] of NODES) expect(n.description.group.includes('trigger')).toBe(n.description.name.endsWith('Trigger'));
	});

	test('the words people type find the Meta node', () => {
		const alias = codex('MetaCustomAudience').alias;
		for (const word of ['facebook', 'instagram', 'meta', 'custom audience']) expect(alias).toContain(word);
		expect(codex('HashIdentifiers').alias).toEqual(expect.arrayContaining(['facebook', 'instagram', 'meta']));
	});

	test('documentation links have no fragment for n8n to append its tracking to', () => {
		for (const [folder] of NODES) {
			for (const links of Object.values(codex(folder).resources)) for (const { url } of links) expect(url).not.toContain('#');
		}
	});

	test('operations say what they do in words, without raw API terms', () => {
		const all = [...operationOptions(new ActitoAudience().description), ...operationOptions(new MetaCustomAudience().description)];
		for (const option of all) {
			expect(option.description).toBeTruthy();
			expect(option.action).toBeTruthy();
			expect(`${option.description} ${option.action}`).not.toMatch(/usersreplace|customaudiences/);
		}
	});
});

describe('credential slots', () => {
	test('each slot names its service', () => {
		for (const [, n] of NODES) {
			for (const c of n.description.credentials ?? []) {
				expect(c.displayName).toBe({ actitoApi: 'Actito Credential', metaMarketingApi: 'Meta Credential', n8nStateApi: 'n8n API Credential (Queue Mode)' }[c.name]);
			}
		}
	});
});

describe('Log Interaction, by node version', () => {
	const d = new ActitoAudience().description;
	const node = (typeVersion: number): INode => ({ id: 'x', name: 'Actito Audience', type: 'n8n-nodes-actito-meta.actitoAudience', typeVersion, position: [0, 0], parameters: {} });
	const shown = (typeVersion: number, values: Record<string, unknown>, name: string): INodeProperties[] =>
		d.properties.filter((p) => p.name === name && NodeHelpers.displayParameter(values as never, p, node(typeVersion), d));
	const operationsOf = (typeVersion: number, resource: string) =>
		shown(typeVersion, { resource }, 'operation').flatMap((p) => (p.options as INodePropertyOptions[]).map((o) => o.value));

	test('new nodes (version 2) have it under the resource Custom Table Record, not Audience', () => {
		expect(d.defaultVersion).toBe(2);
		expect(shown(2, {}, 'resource').flatMap((p) => (p.options as INodePropertyOptions[]).map((o) => o.name))).toEqual(['Audience', 'Custom Table Record']);
		expect(operationsOf(2, 'audience')).not.toContain('logInteraction');
		expect(operationsOf(2, 'customTableRecord')).toEqual(['logInteraction']);
	});

	test('saved workflows (version 1) keep it under Audience, with the same fields', () => {
		expect(shown(1, {}, 'resource').flatMap((p) => (p.options as INodePropertyOptions[]).map((o) => o.value))).toEqual(['audience']);
		expect(operationsOf(1, 'audience')).toContain('logInteraction');
		expect(operationsOf(1, 'audience')).toContain('getChanges');
		for (const [version, resource] of [[1, 'audience'], [2, 'customTableRecord']] as const) {
			expect(shown(version, { resource, operation: 'logInteraction' }, 'customTable')).toHaveLength(1);
		}
	});
});
