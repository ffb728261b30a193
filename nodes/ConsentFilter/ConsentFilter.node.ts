import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeType, INodeTypeDescription } from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';

import { consentVerdict, parseConsent, type UnknownConsentPolicy } from '../../core/sync/consent';

/** Reads consent from a field of the item, or from a named subscription in `subscriptions`. */
function readConsent(item: IDataObject, source: string, name: string): unknown {
	if (source === 'subscription') {
		const subscriptions = item.subscriptions;
		if (!Array.isArray(subscriptions)) return null;
		const entry = subscriptions.find(
			(s) => s && typeof s === 'object' && (s as IDataObject).name === name,
		) as IDataObject | undefined;
		return entry ? entry.subscribe : null;
	}
	return item[name];
}

export class ConsentFilter implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Consent Filter',
		name: 'consentFilter',
		icon: { light: 'file:consentFilter.svg', dark: 'file:consentFilter.dark.svg' },
		group: ['transform'],
		version: 1,
		subtitle: '={{"unknown consent: " + $parameter["unknownConsent"]}}',
		description:
			'Lets through adds of consenting profiles and every removal; turns adds of profiles without marketing consent into removals and reports them on Blocked',
		defaults: { name: 'Consent Filter' },
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main, NodeConnectionTypes.Main],
		outputNames: ['Allowed', 'Blocked'],
		usableAsTool: true,
		properties: [
			{
				displayName: 'Consent Source',
				name: 'consentSource',
				type: 'options',
				default: 'field',
				options: [
					{ name: 'Field', value: 'field', description: 'A field of the item, e.g. marketingConsent' },
					{
						name: 'Subscription',
						value: 'subscription',
						description: 'A named entry of the item’s subscriptions list (Actito subscriptions)',
					},
				],
			},
			{
				displayName: 'Consent Field',
				name: 'consentField',
				type: 'string',
				default: 'marketingConsent',
				displayOptions: { show: { consentSource: ['field'] } },
				description: 'Field holding true/false (also "true"/"false", 1/0, yes/no)',
			},
			{
				displayName: 'Subscription Name',
				name: 'subscriptionName',
				type: 'string',
				default: '',
				required: true,
				placeholder: 'Newsletter',
				displayOptions: { show: { consentSource: ['subscription'] } },
			},
			{
				displayName: 'Unknown Consent',
				name: 'unknownConsent',
				type: 'options',
				default: 'allow',
				description: 'What an absent or unrecognised consent value means',
				options: [
					{ name: 'Allow', value: 'allow', description: 'Only an explicit “no” blocks (Actito’s optional consent)' },
					{ name: 'Block', value: 'block', description: 'Only an explicit “yes” lets a profile in' },
				],
			},
			{
				displayName: 'Options',
				name: 'options',
				type: 'collection',
				placeholder: 'Add option',
				default: {},
				options: [
					{
						displayName: 'Action Field',
						name: 'actionField',
						type: 'string',
						default: 'action',
						description: 'Field that says add or remove; items without it are treated as adds',
					},
					{
						displayName: 'Reason Field',
						name: 'reasonField',
						type: 'string',
						default: 'reason',
					},
				],
			},
		],
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		const items = this.getInputData();
		const allowed: INodeExecutionData[] = [];
		const blocked: INodeExecutionData[] = [];
		for (let i = 0; i < items.length; i++) {
			const source = this.getNodeParameter('consentSource', i) as string;
			const name =
				source === 'subscription'
					? (this.getNodeParameter('subscriptionName', i) as string)
					: (this.getNodeParameter('consentField', i, 'marketingConsent') as string);
			const policy = this.getNodeParameter('unknownConsent', i) as UnknownConsentPolicy;
			const options = this.getNodeParameter('options', i, {}) as { actionField?: string; reasonField?: string };
			const actionField = options.actionField || 'action';
			const reasonField = options.reasonField || 'reason';
			const json = (items[i].json ?? {}) as IDataObject;
			const pairedItem = { item: i };
			// Only an explicit removal skips the check: anything else may add someone.
			if (String(json[actionField] ?? '').toLowerCase() === 'remove') {
				allowed.push({ json, pairedItem });
				continue;
			}
			const raw = readConsent(json, source, name);
			const verdict = consentVerdict(raw, policy);
			if (verdict === 'allowed') {
				allowed.push({ json, pairedItem });
				continue;
			}
			blocked.push({
				json: { ...json, consentVerdict: verdict === 'blocked_negative' ? 'negative' : 'unknown' },
				pairedItem,
			});
			// The profile may be at Meta from before the refusal: make sure it leaves. A removal
			// goes by id, so it carries no identifier.
			const removal: IDataObject = {
				profileId: json.profileId,
				[actionField]: 'remove',
				[reasonField]: 'consent_withdrawn',
				marketingConsent: parseConsent(raw),
			};
			if (json.link !== undefined) removal.link = json.link;
			allowed.push({ json: removal, pairedItem });
		}
		return [allowed, blocked];
	}
}
