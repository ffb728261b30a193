import type {
	IExecuteFunctions,
	INodeExecutionData,
	INodeType,
	INodeTypeDescription,
} from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';

import { credentialTest } from '../shared/credentialTests';
import { runPerItem } from '../shared/perItem';
import { searchSegmentations, searchTables } from '../ActitoAudience/listSearch';
import { searchAdAccounts, searchAudiences } from './listSearch';
import * as createAudience from './resources/audience/createAudience';
import * as getEstimatedSize from './resources/audience/getEstimatedSize';
import * as getUploadSessions from './resources/audience/getUploadSessions';
import * as listAudiences from './resources/audience/listAudiences';
import * as syncFromActito from './resources/audience/syncFromActito';
import { executeUpload, syncOptions } from './resources/audience/syncMembers';
import { adAccountLocator, audienceLocator } from './shared';

const AUDIENCE_OPERATIONS = ['syncFromActito', 'syncMembers', 'replaceMembers', 'getEstimatedSize', 'getUploadSessions'];



export class MetaCustomAudience implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Meta Custom Audience',
		name: 'metaCustomAudience',
		icon: { light: 'file:meta.svg', dark: 'file:meta.dark.svg' },
		group: ['output'],
		version: 1,
		subtitle: '={{$parameter["operation"]}}',
		description: 'Sync hashed customers into Meta (Facebook/Instagram) customer-list Custom Audiences',
		defaults: { name: 'Meta Custom Audience' },
		inputs: [NodeConnectionTypes.Main],
		// The sync step has three outputs (details, refused profiles, change set); every other operation one.
		outputs: `={{ $parameter["operation"] === "syncFromActito" ? [{"type":"main","displayName":"Summary"},{"type":"main","displayName":"Refused"},{"type":"main","displayName":"Change Set"}] : ["main"] }}`,
		// Not an AI tool: its operations replace or wipe audiences and move a link's state.
		usableAsTool: undefined,
		credentials: [
			{ name: 'metaMarketingApi', required: true, testedBy: 'metaMarketingApiTest' },
			{
				name: 'actitoApi',
				required: true,
				testedBy: 'actitoApiTest',
				displayOptions: { show: { operation: ['syncFromActito'] } },
			},
			// n8n 2.x queue mode only: the link state is read from the database (nodes/shared/stateSource.ts).
			{
				name: 'n8nStateApi',
				required: false,
				displayOptions: { show: { operation: ['syncFromActito', 'syncMembers', 'replaceMembers'] } },
			},
		],
		properties: [
			{
				displayName: 'Resource',
				name: 'resource',
				type: 'options',
				noDataExpression: true,
				default: 'audience',
				options: [{ name: 'Audience', value: 'audience' }],
			},
			{
				displayName: 'Operation',
				name: 'operation',
				type: 'options',
				noDataExpression: true,
				displayOptions: { show: { resource: ['audience'] } },
				default: 'syncMembers',
				options: [
					{ name: 'Create Audience', value: 'createAudience', action: 'Create a customer list audience' },
					{
						name: 'Get Estimated Size',
						value: 'getEstimatedSize',
						action: 'Get the estimated size of an audience',
					},
					{ name: 'Get Upload Sessions', value: 'getUploadSessions', action: 'Get the upload sessions of an audience' },
					{ name: 'List Audiences', value: 'listAudiences', action: 'List customer list audiences' },
					{
						name: 'Replace Members',
						value: 'replaceMembers',
						action: 'Replace all members of an audience',
						description: 'Send the whole membership through usersreplace (keeps ad-set learning)',
					},
					{
						name: 'Sync From Actito Audience',
						value: 'syncFromActito',
						action: 'Sync an audience from actito',
						description: 'The hourly step of a link: read Actito, decide, hash, upload and commit, in bounded memory',
					},
					{
						name: 'Sync Members',
						value: 'syncMembers',
						action: 'Sync members of an audience',
						description: 'Send removals, then additions, in upload sessions; one summary item per run',
					},
				],
			},
			adAccountLocator,
			{ ...audienceLocator, displayOptions: { show: { operation: AUDIENCE_OPERATIONS } } },
			...syncFromActito.properties,
			syncOptions('syncMembers'),
			syncOptions('replaceMembers'),
			...listAudiences.properties,
			...createAudience.properties,
			...getUploadSessions.properties,
		],
	};

	methods = {
		listSearch: { searchAdAccounts, searchAudiences, searchTables, searchSegmentations },
		credentialTest,
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		const operation = this.getNodeParameter('operation', 0) as string;
		if (operation === 'syncFromActito') return syncFromActito.execute.call(this);
		if (operation === 'syncMembers') return [await executeUpload.call(this, 'sync')];
		if (operation === 'replaceMembers') return [await executeUpload.call(this, 'replace')];
		return [
			await runPerItem(
				this,
				{
					getEstimatedSize: getEstimatedSize.execute,
					listAudiences: listAudiences.execute,
					createAudience: createAudience.execute,
					getUploadSessions: getUploadSessions.execute,
				},
				operation,
			),
		];
	}
}
