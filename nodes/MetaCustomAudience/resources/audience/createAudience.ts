import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';

import type { CustomerFileSource } from '../../../../core/meta/metaClient';
import { metaClientFrom } from '../../../shared/transport';
import { getAdAccountId } from '../../shared';

export const properties: INodeProperties[] = [
	{
		displayName: 'Name',
		name: 'name',
		type: 'string',
		default: '',
		required: true,
		displayOptions: { show: { operation: ['createAudience'] } },
	},
	{
		displayName: 'Customer File Source',
		name: 'customerFileSource',
		type: 'options',
		default: 'USER_PROVIDED_ONLY',
		displayOptions: { show: { operation: ['createAudience'] } },
		description: 'Where the customer data comes from, as Meta asks for customer lists',
		options: [
			{ name: 'Both User and Partner Provided', value: 'BOTH_USER_AND_PARTNER_PROVIDED' },
			{ name: 'Partner Provided Only', value: 'PARTNER_PROVIDED_ONLY' },
			{ name: 'User Provided Only', value: 'USER_PROVIDED_ONLY', description: 'Collected directly from customers' },
		],
	},
	{
		displayName: 'Description',
		name: 'audienceDescription',
		type: 'string',
		default: '',
		displayOptions: { show: { operation: ['createAudience'] } },
	},
];

export async function execute(this: IExecuteFunctions, i: number): Promise<INodeExecutionData[]> {
	const client = await metaClientFrom(this);
	const adAccountId = getAdAccountId(this, i);
	const name = this.getNodeParameter('name', i) as string;
	const description = this.getNodeParameter('audienceDescription', i, '') as string;
	const created = await client.createAudience(adAccountId, {
		name,
		description: description || undefined,
		customerFileSource: this.getNodeParameter('customerFileSource', i) as CustomerFileSource,
	});
	return [{ json: { id: created.id, name, adAccountId }, pairedItem: { item: i } }];
}
