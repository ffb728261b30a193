import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { acknowledgeRefusals } from '../../../../core/sync/run';
import { apiFor } from '../../shared';
import { linkCallsPerMinute, linkStateBucket } from '../../../shared/stateSource';

const show = { show: { operation: ['logInteraction'] } };

export const properties: INodeProperties[] = [
	{
		displayName: 'Custom Table',
		name: 'customTable',
		type: 'string',
		default: 'negative_consent',
		required: true,
		displayOptions: show,
		description: 'Actito custom table that receives one record per item',
	},
	{
		displayName: 'Profile ID',
		name: 'interactionProfileId',
		type: 'string',
		default: '={{ $json.profileId }}',
		required: true,
		displayOptions: show,
	},
	{
		displayName: 'Event',
		name: 'event',
		type: 'string',
		default: 'NEGATIVE_CONSENT',
		displayOptions: show,
	},
	{
		displayName: 'Audience',
		name: 'interactionAudience',
		type: 'string',
		default: '={{ $json.link }}',
		displayOptions: show,
		description: 'Written in the record’s “audience” property (empty: left out)',
	},
	{
		displayName: 'Additional Properties',
		name: 'extraProperties',
		type: 'fixedCollection',
		typeOptions: { multipleValues: true },
		default: {},
		placeholder: 'Add property',
		displayOptions: show,
		options: [
			{
				displayName: 'Property',
				name: 'property',
				values: [
					{ displayName: 'Name', name: 'name', type: 'string', default: '' },
					{ displayName: 'Value', name: 'value', type: 'string', default: '' },
				],
			},
		],
	},
];

function field(name: string, value: unknown): { name: string; value: unknown } {
	return { name, value };
}

/** One custom-table record per item: each is one API call, so keep this for rare events. */
export async function execute(this: IExecuteFunctions, i: number): Promise<INodeExecutionData[]> {
	const api = await apiFor(this, await linkCallsPerMinute.call(this, (this.getInputData()[i]?.json as IDataObject | undefined)?.link));
	const table = this.getNodeParameter('customTable', i) as string;
	const profileId = String(this.getNodeParameter('interactionProfileId', i) ?? '').trim();
	if (!profileId) {
		throw new NodeOperationError(this.getNode(), 'The item has no profile ID to log', {
			itemIndex: i,
			description: 'Map “Profile ID” to a field that holds the Actito profileId.',
		});
	}
	const moment = new Date().toISOString();
	// The record fields the Actito contract (docs/contracts/actito.md) and the README name.
	// (Built by a helper: n8n's lint reads `{ name, value }` literals as option lists and would
	// "fix" these field names to title case, which Actito refuses.)
	const properties: Array<{ name: string; value: unknown }> = [
		field('profileId', profileId),
		field('event', this.getNodeParameter('event', i) as string),
		field('moment', moment),
	];

	const audience = String(this.getNodeParameter('interactionAudience', i, '') ?? '');
	if (audience) properties.push({ name: 'audience', value: audience });
	const extra = this.getNodeParameter('extraProperties.property', i, []) as Array<{ name: string; value: string }>;
	for (const p of extra) if (p.name) properties.push({ name: p.name, value: p.value });
	const created = await api.createCustomRecord(table, properties as never);
	// A refusal from the sync step (its item carries the link) is logged: it leaves the state's
	// list of refusals to log. One that failed stays there and comes out of the next run again.
	const link = (this.getInputData()[i]?.json as IDataObject | undefined)?.link;
	if (typeof link === 'string' && link) acknowledgeRefusals(await linkStateBucket.call(this), link, [profileId]);
	const json: IDataObject = { businessKey: created.businessKey, customTable: table, profileId, moment };
	return [{ json, pairedItem: { item: i } }];
}
