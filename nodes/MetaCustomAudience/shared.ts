import type { IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import { normalizeAdAccountId } from '../../core/meta/metaClient';

/** Accepts `123`, `act_123`, or an Ads Manager URL with `act=123`; refuses anything else clearly. */
export function adAccountIdFrom(value: string): string {
	const text = String(value ?? '').trim();
	const fromUrl = /[?&#]act=(\d+)/.exec(text);
	return normalizeAdAccountId(fromUrl ? fromUrl[1] : text);
}

/** Accepts an audience id or an Ads Manager audience URL. */
export function audienceIdFrom(value: string): string {
	const text = String(value ?? '').trim();
	const fromUrl = /[?&#](?:ids|audience_id|selected_audience_id|id)=(\d+)/.exec(text);
	return fromUrl ? fromUrl[1] : text;
}

export function getAdAccountId(ctx: IExecuteFunctions, itemIndex: number): string {
	return adAccountIdFrom(ctx.getNodeParameter('adAccount', itemIndex, '', { extractValue: true }) as string);
}

export function getAudienceId(ctx: IExecuteFunctions, itemIndex: number): string {
	return audienceIdFrom(ctx.getNodeParameter('audience', itemIndex, '', { extractValue: true }) as string);
}

export const adAccountLocator: INodeProperties = {
	displayName: 'Ad Account',
	name: 'adAccount',
	type: 'resourceLocator',
	default: { mode: 'list', value: '' },
	required: true,
	description: 'The ad account that owns the audience',
	modes: [
		{
			displayName: 'From List',
			name: 'list',
			type: 'list',
			typeOptions: { searchListMethod: 'searchAdAccounts', searchable: true },
		},
		{
			displayName: 'By ID',
			name: 'id',
			type: 'string',
			placeholder: 'act_1234567890',
			validation: [
				{
					type: 'regex',
					properties: { regex: '^(act_)?\\d+$', errorMessage: 'An ad account id: digits, optionally after act_' },
				},
			],
		},
		{
			displayName: 'By URL',
			name: 'url',
			type: 'string',
			placeholder: 'https://adsmanager.facebook.com/adsmanager/manage/campaigns?act=1234567890',
			extractValue: { type: 'regex', regex: '[?&#]act=(\\d+)' },
			validation: [
				{
					type: 'regex',
					properties: { regex: '.*[?&#]act=\\d+.*', errorMessage: 'An Ads Manager URL with act=<ad account id>' },
				},
			],
		},
	],
};

export const audienceLocator: INodeProperties = {
	displayName: 'Audience',
	name: 'audience',
	type: 'resourceLocator',
	default: { mode: 'list', value: '' },
	required: true,
	description: 'A customer-list Custom Audience of the ad account',
	modes: [
		{
			displayName: 'From List',
			name: 'list',
			type: 'list',
			typeOptions: { searchListMethod: 'searchAudiences', searchable: true },
		},
		{
			displayName: 'By ID',
			name: 'id',
			type: 'string',
			placeholder: '23851234567890123',
			validation: [{ type: 'regex', properties: { regex: '^\\d+$', errorMessage: 'An audience id: digits only' } }],
		},
		{
			displayName: 'By URL',
			name: 'url',
			type: 'string',
			placeholder: 'https://adsmanager.facebook.com/adsmanager/audiences?act=123&ids=23851234567890123',
			extractValue: { type: 'regex', regex: '[?&#](?:ids|audience_id|selected_audience_id)=(\\d+)' },
			validation: [
				{
					type: 'regex',
					properties: {
						regex: '.*[?&#](ids|audience_id|selected_audience_id)=\\d+.*',
						errorMessage: 'An Ads Manager audience URL with ids=<audience id>',
					},
				},
			],
		},
	],
};

export const maxWaitOption: INodeProperties = {
	displayName: 'Maximum Wait (Minutes)',
	name: 'maxWaitMinutes',
	type: 'number',
	default: 15,
	typeOptions: { minValue: 0 },
	description:
		'Longest time to wait for Meta’s rate limits in one call before stopping; what is left goes in the next run',
};

export const DELIVERY_STATUS: Record<number, string> = {
	200: 'Ready to deliver',
	300: 'Too small to deliver (fewer than 1,000 matched people)',
	400: 'Not usable for delivery',
};

export const OPERATION_STATUS: Record<number, string> = {
	200: 'Normal',
	410: 'No upload yet',
	411: 'Low match rate',
	412: 'Many invalid entries',
	414: 'Replace in progress',
	415: 'Replace failed',
	441: 'Populating',
	471: 'Flagged for integrity: uploads are blocked',
	500: 'Error',
};
