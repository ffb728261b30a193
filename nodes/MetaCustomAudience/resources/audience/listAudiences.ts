import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';

import { resultLimit, returnAllProperties } from '../../../shared/returnAll';
import { metaClientFrom } from '../../../shared/transport';
import { getAdAccountId } from '../../shared';

export const properties: INodeProperties[] = returnAllProperties('listAudiences');

export async function execute(this: IExecuteFunctions, i: number): Promise<INodeExecutionData[]> {
	const client = await metaClientFrom(this);
	const audiences = await client.listAllCustomerListAudiences(getAdAccountId(this, i));
	const limit = Math.min(audiences.length, resultLimit(this, i));
	return audiences.slice(0, limit).map((a) => ({ json: { ...a } as IDataObject, pairedItem: { item: i } }));
}
