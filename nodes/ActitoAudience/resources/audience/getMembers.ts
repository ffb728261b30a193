import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';

import { snapshotFromProfile } from '../../../../core/sync/planRun';
import { apiFor, audienceRef, profileSettings } from '../../shared';

const show = { show: { operation: ['getMembers'] } };

export const properties: INodeProperties[] = [
	{
		displayName: 'Return All',
		name: 'returnAll',
		type: 'boolean',
		default: true,
		displayOptions: show,
		description: 'Whether to return all results or only up to a given limit',
	},
	{
		displayName: 'Limit',
		name: 'limit',
		type: 'number',
		default: 50,
		typeOptions: { minValue: 1 },
		displayOptions: { show: { operation: ['getMembers'], returnAll: [false] } },
		description: 'Max number of results to return',
	},
];

/** Every member of the audience as change items (action add, reason reconcile). */
export async function execute(this: IExecuteFunctions, i: number): Promise<INodeExecutionData[]> {
	const api = await apiFor(this);
	const { ref, tableId } = await audienceRef(this, api, i);
	const returnAll = this.getNodeParameter('returnAll', i, true) as boolean;
	const limit = returnAll ? Infinity : (this.getNodeParameter('limit', i, 50) as number);
	const settings = profileSettings(this, i);
	const out: INodeExecutionData[] = [];
	const pages = api.iterateProfilePages(tableId, { segmentation: ref.segmentation, pageSize: Math.min(1000, limit) });
	for await (const page of pages) {
		for (const raw of page) {
			const snapshot = snapshotFromProfile(raw, ref.segmentation, settings);
			const json: IDataObject = { profileId: snapshot.profileId, action: 'add', reason: 'reconcile' };
			for (const [field, value] of Object.entries(snapshot.identifiers)) if (value !== null) json[field] = value as string;
			json.marketingConsent = snapshot.marketingConsent as boolean | null;
			out.push({ json, pairedItem: { item: i } });
			if (out.length >= limit) return out;
		}
	}
	return out;
}
