import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';

import { metaClientFrom } from '../../../shared/transport';
import { DELIVERY_STATUS, getAudienceId, OPERATION_STATUS } from '../../shared';

const FIELDS = [
	'id',
	'name',
	'approximate_count_lower_bound',
	'approximate_count_upper_bound',
	'delivery_status',
	'operation_status',
	'time_content_updated',
	'customer_file_source',
	'subtype',
];

function status(raw: unknown, meanings: Record<number, string>): IDataObject | null {
	if (!raw || typeof raw !== 'object') return null;
	const { code, description } = raw as { code?: number; description?: string };
	return { code: code ?? null, description: description ?? null, meaning: code !== undefined ? (meanings[code] ?? null) : null };
}

export async function execute(this: IExecuteFunctions, i: number): Promise<INodeExecutionData[]> {
	const client = await metaClientFrom(this);
	const audienceId = getAudienceId(this, i);
	const a = (await client.getAudience(audienceId, FIELDS)) as IDataObject;
	const lower = typeof a.approximate_count_lower_bound === 'number' ? a.approximate_count_lower_bound : null;
	const upper = typeof a.approximate_count_upper_bound === 'number' ? a.approximate_count_upper_bound : null;
	const delivery = status(a.delivery_status, DELIVERY_STATUS);
	return [
		{
			json: {
				audienceId,
				name: a.name ?? null,
				lowerBound: lower,
				upperBound: upper,
				deliveryStatus: delivery,
				operationStatus: status(a.operation_status, OPERATION_STATUS),
				// Meta will not deliver to fewer than 1,000 matched people.
				tooSmall: delivery?.code === 300 || (upper !== null && upper < 1000),
				timeContentUpdated: a.time_content_updated ?? null,
				subtype: a.subtype ?? null,
			},
			pairedItem: { item: i },
		},
	];
}
