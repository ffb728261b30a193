import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';

import { metaClientFrom } from '../../../shared/transport';
import { getAdAccountId } from '../../shared';

export const properties: INodeProperties[] = [
	{
		displayName: 'Return All',
		name: 'returnAll',
		type: 'boolean',
		default: true,
		displayOptions: { show: { operation: ['listAudiences'] } },
		description: 'Whether to return all results or only up to a given limit',
	},
	{
		displayName: 'Limit',
		name: 'limit',
		type: 'number',
		default: 50,
		typeOptions: { minValue: 1 },
		displayOptions: { show: { operation: ['listAudiences'], returnAll: [false] } },
		description: 'Max number of results to return',
	},
];

export async function execute(this: IExecuteFunctions, i: number): Promise<INodeExecutionData[]> {
	const client = await metaClientFrom(this);
	const audiences = await client.listAllCustomerListAudiences(getAdAccountId(this, i));
	const returnAll = this.getNodeParameter('returnAll', i, true) as boolean;
	const limit = returnAll ? audiences.length : (this.getNodeParameter('limit', i, 50) as number);
	return audiences.slice(0, limit).map((a) => ({ json: { ...a } as IDataObject, pairedItem: { item: i } }));
}
