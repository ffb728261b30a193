// The per-item loop every action operation shares: continue-on-fail items keep their pairing,
// other errors become n8n errors that carry the item index.

import type { IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { redactIdentifiers } from '../../core/errors';
import { toNodeError } from './errors';

export type ItemOperation = (this: IExecuteFunctions, itemIndex: number) => Promise<INodeExecutionData[]>;

export async function runPerItem(
	ctx: IExecuteFunctions,
	operations: Record<string, ItemOperation>,
	operation: string,
): Promise<INodeExecutionData[]> {
	const handler = operations[operation];
	const items = ctx.getInputData();
	const out: INodeExecutionData[] = [];
	for (let i = 0; i < items.length; i++) {
		try {
			if (!handler) throw new NodeOperationError(ctx.getNode(), `Unknown operation "${operation}"`, { itemIndex: i });
			out.push(...(await handler.call(ctx, i)));
		} catch (error) {
			if (ctx.continueOnFail()) {
				// Continue-On-Fail items are kept in executions: no identifier in them.
				out.push({ json: { error: redactIdentifiers(String((error as Error)?.message ?? error)) }, pairedItem: { item: i } });
				continue;
			}
			throw toNodeError(ctx.getNode(), error, i);
		}
	}
	return out;
}
