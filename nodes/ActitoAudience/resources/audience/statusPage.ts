import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';

import { askedProfileId, statusAnswer, takeProfileCheck, type PageRequest } from '../../../../core/status';
import { describeLinkStatus } from '../../../../core/state/linkStatus';
import { findStateByAudience, findWorkflowLink, MAX_RUNS } from '../../../../core/state/syncState';
import { linkStateBucket } from '../../../shared/stateSource';

/**
 * The "Answer As" option of Get Status: the record as before, or a page for the Status Page
 * webhook (HTML for browsers, JSON on request), rendered by core/status.
 */
export const answerAsProperty: INodeProperties = {
	displayName: 'Answer As',
	name: 'answerAs',
	type: 'options',
	default: 'record',
	displayOptions: { show: { operation: ['getStatus'] } },
	options: [
		{
			name: 'Status Record',
			value: 'record',
			description: 'One item with the status fields',
		},
		{
			name: 'Web Page (HTML or JSON)',
			value: 'page',
			description:
				'For a webhook: one item with body, contentType and statusCode. HTML for browsers; JSON when the request asks for it (Accept header or format query). A profile query adds a profile check.',
		},
	],
};

type ProfileStatus = (this: IExecuteFunctions, i: number, asked?: string) => Promise<INodeExecutionData[]>;

/** Turns the Get Status record into the page's answer; the request is the Webhook node's item. */
export async function statusPageItems(
	this: IExecuteFunctions,
	i: number,
	record: IDataObject,
	metaAudienceId: string,
	profileStatus: ProfileStatus,
): Promise<INodeExecutionData[]> {
	const request = (this.getInputData()[i]?.json ?? {}) as PageRequest;
	const status: IDataObject = { ...record };
	let adAccountId: string | null = null;
	// The chart shows every run the state keeps, not only the record's last five.
	try {
		const bucket = await linkStateBucket.call(this, { write: false });
		const found = metaAudienceId ? findStateByAudience(bucket, metaAudienceId) : findWorkflowLink(bucket);
		if (found) status.lastRuns = describeLinkStatus(found.link, found.open, MAX_RUNS).lastRuns as unknown as IDataObject[];
		adAccountId = found?.open.state.config?.meta.adAccountId ?? null;
	} catch {
		// The record already says what is wrong with the state (stateError).
	}
	const { id, asked } = askedProfileId(request);
	let profile: IDataObject | null = null;
	let profileNote: string | undefined;
	if (id) {
		if (!takeProfileCheck()) profileNote = 'Too many profile checks this minute: try again in a minute.';
		else {
			try {
				profile = (await profileStatus.call(this, i, id))[0]?.json ?? null;
			} catch {
				profileNote = 'The profile could not be checked just now (Actito did not answer as expected).';
			}
		}
	}
	const answer = statusAnswer(status, request, { now: new Date().toISOString(), profile, profileAsked: asked, adAccountId });
	let body = answer.body;
	if (profileNote && answer.contentType.startsWith('text/html')) {
		body = body.replace('</form>', `</form><p class="sub" data-testid="profile-why">${profileNote}</p>`);
	}
	return [{ json: { body, contentType: answer.contentType, statusCode: answer.statusCode }, pairedItem: { item: i } }];
}
