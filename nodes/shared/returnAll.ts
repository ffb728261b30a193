import type { IExecuteFunctions, INodeProperties } from 'n8n-workflow';

/** n8n's usual "Return All" / "Limit" pair for one operation. */
export function returnAllProperties(operation: string): INodeProperties[] {
	return [
		{
			displayName: 'Return All',
			name: 'returnAll',
			type: 'boolean',
			default: true,
			displayOptions: { show: { operation: [operation] } },
			description: 'Whether to return all results or only up to a given limit',
		},
		{
			displayName: 'Limit',
			name: 'limit',
			type: 'number',
			default: 50,
			typeOptions: { minValue: 1 },
			displayOptions: { show: { operation: [operation], returnAll: [false] } },
			description: 'Max number of results to return',
		},
	];
}

/** The number of results to return: Infinity when Return All is on. */
export function resultLimit(ctx: IExecuteFunctions, itemIndex: number): number {
	return (ctx.getNodeParameter('returnAll', itemIndex, true) as boolean)
		? Infinity
		: (ctx.getNodeParameter('limit', itemIndex, 50) as number);
}
