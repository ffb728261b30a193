import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';

import { metaClientFrom } from '../../../shared/transport';
import { getAudienceId } from '../../shared';

export const properties: INodeProperties[] = [
	{
		displayName: 'Session ID',
		name: 'sessionId',
		type: 'string',
		default: '',
		displayOptions: { show: { operation: ['getUploadSessions'] } },
		description: 'Only this upload session (empty: the audience’s recent sessions)',
	},
];

export async function execute(this: IExecuteFunctions, i: number): Promise<INodeExecutionData[]> {
	const client = await metaClientFrom(this);
	const sessionId = (this.getNodeParameter('sessionId', i, '') as string).trim();
	const sessions = await client.getSessions(getAudienceId(this, i), sessionId || undefined);
	return sessions.map((s) => ({ json: { ...s }, pairedItem: { item: i } }));
}
