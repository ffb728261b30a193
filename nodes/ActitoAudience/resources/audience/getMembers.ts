import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';

import { flattenProfile } from '../../../../core/actito/profile';
import { IDENTIFIER_FIELDS } from '../../../../core/sync/changeItem';
import { resultLimit, returnAllProperties } from '../../../shared/returnAll';
import { apiFor, audienceRef, profileSettings } from '../../shared';

export const properties: INodeProperties[] = returnAllProperties('getMembers');

/** Every member of the audience as change items (action add, reason reconcile). */
export async function execute(this: IExecuteFunctions, i: number): Promise<INodeExecutionData[]> {
	const api = await apiFor(this);
	const { ref, tableId } = await audienceRef(this, api, i);
	const limit = resultLimit(this, i);
	const settings = profileSettings(this, i);
	const out: INodeExecutionData[] = [];
	const pages = api.iterateProfilePages(tableId, { segmentation: ref.segmentation, pageSize: Math.min(1000, limit) });
	for await (const page of pages) {
		for (const raw of page) {
			const flat = flattenProfile(raw, settings);
			const json: IDataObject = { profileId: flat.profileId, action: 'add', reason: 'reconcile' };
			for (const field of IDENTIFIER_FIELDS) if (flat[field] !== null) json[field] = flat[field];
			json.marketingConsent = flat.marketingConsent;
			out.push({ json, pairedItem: { item: i } });
			if (out.length >= limit) return out;
		}
	}
	return out;
}
