import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { flattenProfile } from '../../../../core/actito/profile';
import { redactIdentifiers } from '../../../../core/errors';
import { toNodeError } from '../../../shared/errors';
import { apiFor, profileSettings } from '../../shared';

const show = { show: { operation: ['getProfile', 'getProfileStatus'] } };

export const properties: INodeProperties[] = [
	{
		displayName: 'Find By',
		name: 'findBy',
		type: 'options',
		default: 'profileId',
		displayOptions: show,
		options: [
			{ name: 'Profile ID', value: 'profileId' },
			{ name: 'Unique Attribute', value: 'attribute', description: 'E.g. emailAddress, when it is unique in the table.' },
		],
	},
	{
		displayName: 'Profile ID',
		name: 'profileId',
		type: 'string',
		default: '',
		required: true,
		displayOptions: { show: { operation: ['getProfile', 'getProfileStatus'], findBy: ['profileId'] } },
	},
	{
		displayName: 'Attribute',
		name: 'uniqueAttribute',
		type: 'string',
		default: 'emailAddress',
		displayOptions: { show: { operation: ['getProfile', 'getProfileStatus'], findBy: ['attribute'] } },
	},
	{
		displayName: 'Value',
		name: 'uniqueValue',
		type: 'string',
		default: '',
		required: true,
		displayOptions: { show: { operation: ['getProfile', 'getProfileStatus'], findBy: ['attribute'] } },
	},
];

export function profileKey(ctx: IExecuteFunctions, i: number): string | { attribute: string; value: string } {
	const findBy = ctx.getNodeParameter('findBy', i, 'profileId') as string;
	if (findBy === 'attribute') {
		return {
			attribute: ctx.getNodeParameter('uniqueAttribute', i) as string,
			value: ctx.getNodeParameter('uniqueValue', i) as string,
		};
	}
	const id = String(ctx.getNodeParameter('profileId', i) ?? '').trim();
	if (!id) throw new NodeOperationError(ctx.getNode(), 'No profile ID given', { itemIndex: i });
	return id;
}

export async function execute(this: IExecuteFunctions, i: number): Promise<INodeExecutionData[]> {
	const api = await apiFor(this);
	const table = String(this.getNodeParameter('table', i, '', { extractValue: true }));
	const key = profileKey(this, i);
	let raw;
	try {
		raw = await api.getProfile(table, key);
	} catch (error) {
		// The value of a unique attribute is an identifier (an e-mail, a phone): no error text,
		// description or Continue-On-Fail item may carry it, whatever produced the text.
		const mapped = toNodeError(this.getNode(), error, i);
		if (typeof key !== 'string') withhold(mapped, key.value);
		throw mapped;
	}
	if (!raw) {
		return [{ json: { found: false }, pairedItem: { item: i } }];
	}
	const flat = flattenProfile(raw, profileSettings(this, i));
	return [{ json: { found: true, ...(flat as unknown as IDataObject) }, pairedItem: { item: i } }];
}

/** Removes `value` (plain and URL-encoded) and anything identifier-like from an n8n error's texts. */
function withhold(error: Error & { description?: string | null }, value: string): void {
	const variants = [value, encodeURIComponent(value), value.trim()].filter((v) => v.length >= 3);
	const scrub = (text: string) => redactIdentifiers(variants.reduce((out, v) => out.split(v).join('<redacted>'), text));
	error.message = scrub(error.message);
	if (typeof error.description === 'string') error.description = scrub(error.description);
}
