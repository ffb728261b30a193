import type { IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { ActitoApi } from '../../core/actito/actitoApi';
import type { ProfileSettings } from '../../core/actito/profile';
import type { ActitoAudienceRef } from '../../core/state/syncState';
import { actitoClientFrom } from '../shared/transport';

export const tableLocator: INodeProperties = {
	displayName: 'Profile Table',
	name: 'table',
	type: 'resourceLocator',
	default: { mode: 'list', value: '' },
	required: true,
	modes: [
		{
			displayName: 'From List',
			name: 'list',
			type: 'list',
			typeOptions: { searchListMethod: 'searchTables', searchable: true },
		},
		{ displayName: 'By Name or ID', name: 'id', type: 'string', placeholder: 'Customers' },
	],
};

export const segmentationLocator: INodeProperties = {
	displayName: 'Audience (Segmentation)',
	name: 'segmentation',
	type: 'resourceLocator',
	default: { mode: 'list', value: '' },
	required: true,
	description: 'The segmentation whose members form the audience',
	modes: [
		{
			displayName: 'From List',
			name: 'list',
			type: 'list',
			typeOptions: { searchListMethod: 'searchSegmentations', searchable: true },
		},
		{
			displayName: 'By Key',
			name: 'id',
			type: 'string',
			placeholder: 'Audiences:VIP',
			validation: [
				{ type: 'regex', properties: { regex: '^[^:]+:.+$', errorMessage: 'Category:Name, e.g. Audiences:VIP' } },
			],
		},
	],
};

export const attributeSettings: INodeProperties = {
	displayName: 'Attribute Names',
	name: 'attributes',
	type: 'collection',
	placeholder: 'Add attribute name',
	default: {},
	description: 'Names of the identifier and consent attributes in this profile table (Actito’s defaults apply)',
	options: [
		{ displayName: 'Consent Attribute', name: 'consentAttribute', type: 'string', default: 'marketingConsent' },
		{
			displayName: 'Consent Subscription',
			name: 'consentSubscription',
			type: 'string',
			default: '',
			description: 'Read consent from this subscription instead of an attribute',
		},
		{ displayName: 'Country Attribute', name: 'countryAttribute', type: 'string', default: 'country' },
		{ displayName: 'E-Mail Attribute', name: 'emailAttribute', type: 'string', default: 'emailAddress' },
		{ displayName: 'First Name Attribute', name: 'firstNameAttribute', type: 'string', default: 'firstName' },
		{ displayName: 'Last Name Attribute', name: 'lastNameAttribute', type: 'string', default: 'lastName' },
		{ displayName: 'Phone Attribute', name: 'phoneAttribute', type: 'string', default: 'gsmNumber' },
	],
};

// One Actito client per node execution (one token, one rate limit), not one per item: n8n gives
// every item of one execution the same context object.
const perExecution = new WeakMap<object, Promise<ActitoApi>>();

export async function apiFor(ctx: IExecuteFunctions, callsPerMinute?: number): Promise<ActitoApi> {
	let api = perExecution.get(ctx);
	if (!api) {
		api = actitoClientFrom(ctx, { callsPerMinute }).then((client) => new ActitoApi(client));
		perExecution.set(ctx, api);
		// A failed credential read is not cached: the next item reports it again.
		api.catch(() => perExecution.delete(ctx));
	}
	return api;
}

export function profileSettings(ctx: IExecuteFunctions, i: number): ProfileSettings {
	const raw = ctx.getNodeParameter('attributes', i, {}) as ProfileSettings;
	const settings: ProfileSettings = {};
	for (const [key, value] of Object.entries(raw)) {
		if (typeof value === 'string' && value.trim()) (settings as Record<string, string>)[key] = value.trim();
	}
	return settings;
}

export function segmentationKey(ctx: IExecuteFunctions, i: number): string {
	const key = String(ctx.getNodeParameter('segmentation', i, '', { extractValue: true }) ?? '').trim();
	if (!/^[^:]+:.+$/.test(key)) {
		throw new NodeOperationError(ctx.getNode(), `"${key}" is not a segmentation key`, {
			itemIndex: i,
			description: 'Pick the audience from the list, or give it as Category:Name (e.g. Audiences:VIP).',
		});
	}
	return key;
}

/** Resolves the table (by name or id) and returns the audience reference used in the link. */
export async function audienceRef(
	ctx: IExecuteFunctions,
	api: ActitoApi,
	i: number,
): Promise<{ ref: ActitoAudienceRef; tableId: string }> {
	const tableValue = String(ctx.getNodeParameter('table', i, '', { extractValue: true }) ?? '').trim();
	const table = await api.getProfileTable(tableValue);
	const segmentation = segmentationKey(ctx, i);
	if (!table.segmentations.some((s) => `${s.category}:${s.name}` === segmentation)) {
		throw new NodeOperationError(ctx.getNode(), `Segmentation "${segmentation}" does not exist in table ${table.name}`, {
			itemIndex: i,
			description: `Segmentations of ${table.name}: ${table.segmentations.map((s) => `${s.category}:${s.name}`).join(', ') || 'none'}.`,
		});
	}
	return { ref: { entity: api.client.entity, table: table.name, segmentation }, tableId: table.id };
}

// A picker like the Meta node's audience field. The operations read it as a plain id: the node
// reads it with extractValue (ActitoAudience.node.ts), and a saved plain-text id still works.
export const metaAudienceIdProperty: INodeProperties = {
	displayName: 'Meta Audience',
	name: 'metaAudienceId',
	type: 'resourceLocator',
	default: { mode: 'list', value: '' },
	required: true,
	description: 'The customer-list audience this Actito audience is linked to (one Meta audience per Actito audience)',
	modes: [
		{
			displayName: 'From List',
			name: 'list',
			type: 'list',
			typeOptions: { searchListMethod: 'searchAllAudiences', searchable: true },
		},
		{
			displayName: 'By ID',
			name: 'id',
			type: 'string',
			placeholder: '23851234567890123',
			validation: [{ type: 'regex', properties: { regex: '^\\d+$', errorMessage: 'An audience id: digits only' } }],
		},
	],
};
