import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';

import { overviewAnswer, type OverviewInput, type PageRequest } from '../../../../core/status';

const show = { show: { operation: ['getOverview'] } };

/**
 * Get Overview Page: one page for every link of an integration, from the status JSON of each
 * link's page (fetched by the HTTP Request before it, templates/actito-meta-overview.json).
 * No API call of its own: each link's page answers from its stored state and cached estimate.
 */
export const properties: INodeProperties[] = [
	{
		displayName: 'Link Name',
		name: 'linkName',
		type: 'string',
		default: '={{ $json.name }}',
		displayOptions: show,
		description: 'The audience as people know it, per item',
	},
	{
		displayName: 'Link Page URL',
		name: 'linkHref',
		type: 'string',
		default: '',
		displayOptions: show,
		description: 'Where the row links to (the link’s status page), per item',
	},
	{
		displayName: 'Status Answer',
		name: 'statusAnswer',
		type: 'json',
		default: '={{ $json }}',
		displayOptions: show,
		description: 'The HTTP Request’s full response (statusCode and body) of the link’s page asked for JSON, per item',
	},
	{
		displayName: 'Request',
		name: 'pageRequest',
		type: 'json',
		default: '{}',
		displayOptions: show,
		description: 'The overview webhook’s item (headers and query), to answer HTML or JSON',
	},
	{
		displayName: 'Title',
		name: 'overviewTitle',
		type: 'string',
		default: 'Actito → Meta audiences',
		displayOptions: show,
	},
];

function asObject(value: unknown): IDataObject | null {
	if (typeof value === 'string') {
		try {
			return asObject(JSON.parse(value));
		} catch {
			return null;
		}
	}
	return value && typeof value === 'object' && !Array.isArray(value) ? (value as IDataObject) : null;
}

export async function execute(this: IExecuteFunctions): Promise<INodeExecutionData[]> {
	const items = this.getInputData();
	const links: OverviewInput[] = items.map((_, i) => {
		const name = String(this.getNodeParameter('linkName', i, '') ?? '');
		const href = String(this.getNodeParameter('linkHref', i, '') ?? '') || null;
		const answer = asObject(this.getNodeParameter('statusAnswer', i, {}));
		const code = typeof answer?.statusCode === 'number' ? answer.statusCode : answer && !('statusCode' in answer) ? 200 : 0;
		const body = answer && 'body' in answer ? asObject(answer.body) : answer;
		if (code === 200 && body && ('memberCount' in body || 'view' in body)) return { name, href, status: body };
		// Only what failed, never the answer's text.
		const problem = code === 401 || code === 403 ? 'its page refused the overview’s credential' : code ? `its page answered ${code}` : 'its page did not answer';
		return { name, href, status: null, problem };
	});
	const request = (asObject(this.getNodeParameter('pageRequest', 0, {})) ?? {}) as PageRequest;
	const title = String(this.getNodeParameter('overviewTitle', 0, '') || 'Actito → Meta audiences');
	const answer = overviewAnswer(links, request, { now: new Date().toISOString(), title });
	return [{ json: { body: answer.body, contentType: answer.contentType, statusCode: answer.statusCode }, pairedItem: items.map((_, i) => ({ item: i })) }];
}
