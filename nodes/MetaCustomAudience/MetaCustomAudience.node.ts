import type {
	IExecuteFunctions,
	INodeExecutionData,
	INodeType,
	INodePropertyOptions,
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

const OPERATIONS: INodePropertyOptions[] = [
	{
		name: 'Create Audience',
		value: 'createAudience',
		action: 'Create a customer list audience',
		description: 'Create an empty customer-list Custom Audience in an ad account',
	},
	{
		name: 'Get Estimated Size',
		value: 'getEstimatedSize',
		action: 'Get the estimated size of an audience',
		description: 'Meta’s estimated size of the audience and whether it can be delivered to',
	},
	{
		name: 'Get Upload Sessions',
		value: 'getUploadSessions',
		action: 'Get the upload sessions of an audience',
		description: 'The recent uploads to the audience as Meta received them',
	},
	{
		name: 'List Audiences',
		value: 'listAudiences',
		action: 'List customer list audiences',
		description: 'The customer-list Custom Audiences of an ad account',
	},
	{
		name: 'Replace Members',
		value: 'replaceMembers',
		action: 'Replace all members of an audience',
		description: 'Send the whole membership as Meta’s replace upload: the audience becomes exactly these profiles (keeps ad-set learning)',
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
];


export class MetaCustomAudience implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Meta Custom Audience',
		name: 'metaCustomAudience',
		icon: { light: 'file:meta.svg', dark: 'file:meta.dark.svg' },
		group: ['output'],
		version: 1,
		// The canvas shows the operation's name under the node, not its key (test/nodes/editor-display.test.tsx
		// checks that this map names every operation as its option does).
		subtitle:
			'={{ ({"createAudience":"Create Audience","getEstimatedSize":"Get Estimated Size","getUploadSessions":"Get Upload Sessions","listAudiences":"List Audiences","replaceMembers":"Replace Members","syncFromActito":"Sync From Actito Audience","syncMembers":"Sync Members"})[$parameter["operation"]] || $parameter["operation"] }}',
		description: 'Sync hashed customers into Meta (Facebook/Instagram) customer-list Custom Audiences',
		defaults: { name: 'Meta Custom Audience' },
		inputs: [NodeConnectionTypes.Main],
		// The sync step has three outputs (details, refused profiles, change set); every other operation one.
		outputs: `={{ $parameter["operation"] === "syncFromActito" ? [{"type":"main","displayName":"Summary"},{"type":"main","displayName":"Refused"},{"type":"main","displayName":"Change Set"}] : ["main"] }}`,
		// Not an AI tool: its operations replace or wipe audiences and move a link's state.
		usableAsTool: undefined,
		credentials: [
			{ name: 'metaMarketingApi', displayName: 'Meta Credential', required: true, testedBy: 'metaMarketingApiTest' },
			{
				name: 'actitoApi',
				displayName: 'Actito Credential',
				required: true,
				testedBy: 'actitoApiTest',
				displayOptions: { show: { operation: ['syncFromActito'] } },
			},
			// n8n 2.x queue mode only: the link state is read from the database (nodes/shared/stateSource.ts).
			{
				name: 'n8nStateApi',
				displayName: 'n8n API Credential (Queue Mode)',
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
				options: OPERATIONS,
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
