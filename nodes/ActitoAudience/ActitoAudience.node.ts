import type {
	IExecuteFunctions,
	INodeExecutionData,
	INodeType,
	INodeTypeDescription,
} from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';

import { credentialTest } from '../shared/credentialTests';
import { runPerItem } from '../shared/perItem';
import { searchSegmentations, searchTables } from './listSearch';
import * as getChanges from './resources/audience/getChanges';
import * as getMembers from './resources/audience/getMembers';
import * as getProfile from './resources/audience/getProfile';
import * as getStatus from './resources/audience/getStatus';
import * as logInteraction from './resources/audience/logInteraction';
import * as overview from './resources/audience/overview';
import { attributeSettings, segmentationLocator, tableLocator } from './shared';

const AUDIENCE_OPS = ['getChanges', 'getMembers', 'getStatus', 'getProfileStatus'];

export class ActitoAudience implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Actito Audience',
		name: 'actitoAudience',
		icon: { light: 'file:actito.svg', dark: 'file:actito.dark.svg' },
		group: ['input'],
		version: 1,
		subtitle: '={{$parameter["operation"]}}',
		description: 'Read Actito audiences (members, changes, consent) and log interactions back to Actito',
		defaults: { name: 'Actito Audience' },
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		// Not an AI tool: Get Changes opens a run in the link's state and Log Interaction
		// acknowledges refusals in it; an agent must not move a link's state.
		usableAsTool: undefined,
		credentials: [
			{ name: 'actitoApi', required: true, testedBy: 'actitoApiTest' },
			{
				name: 'metaMarketingApi',
				required: false,
				testedBy: 'metaMarketingApiTest',
				displayOptions: { show: { operation: ['getStatus', 'getChanges'] } },
			},
			// n8n 2.x queue mode only: the link state is read from the database (nodes/shared/stateSource.ts).
			{
				name: 'n8nStateApi',
				required: false,
				displayOptions: { show: { operation: ['getStatus', 'getChanges', 'logInteraction'] } },
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
				default: 'getChanges',
				options: [
					{
						name: 'Get Changes',
						value: 'getChanges',
						action: 'Get the changes to sync',
						description: 'Plan the hourly sync: who joined, left, changed or withdrew consent since the last run',
					},
					{ name: 'Get Members', value: 'getMembers', action: 'Get the members of an audience' },
					{
						name: 'Get Overview Page',
						value: 'getOverview',
						action: 'Get the overview page of audience links',
						description: 'One page (HTML or JSON) with a row per audience link, from each link’s status page',
					},
					{ name: 'Get Profile', value: 'getProfile', action: 'Get a profile' },
					{
						name: 'Get Profile Status',
						value: 'getProfileStatus',
						action: 'Get the sync status of a profile',
						description: 'Is a profile a member, and is it synchronized to Meta',
					},
					{
						name: 'Get Status',
						value: 'getStatus',
						action: 'Get the status of an audience link',
						description: 'Definition and synchronization details of an audience link',
					},
					{
						name: 'Log Interaction',
						value: 'logInteraction',
						action: 'Log an interaction',
						description: 'Write one custom-table record per item (e.g. a negative-consent event)',
					},
				],
			},
			{ ...tableLocator, displayOptions: { show: { operation: [...AUDIENCE_OPS, 'getProfile'] } } },
			{ ...segmentationLocator, displayOptions: { show: { operation: AUDIENCE_OPS } } },
			...getChanges.properties,
			...getMembers.properties,
			...getProfile.properties,
			...getStatus.properties,
			...logInteraction.properties,
			...overview.properties,
			{
				...attributeSettings,
				displayOptions: { show: { operation: [...AUDIENCE_OPS, 'getProfile'] } },
			},
		],
	};

	methods = {
		listSearch: { searchTables, searchSegmentations },
		credentialTest,
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		const operation = this.getNodeParameter('operation', 0) as string;
		// The planner runs once per execution, whatever the number of input items.
		if (operation === 'getChanges') return [await getChanges.execute.call(this)];
		if (operation === 'getOverview') return [await overview.execute.call(this)];
		return [
			await runPerItem(
				this,
				{
					getMembers: getMembers.execute,
					getProfile: getProfile.execute,
					getStatus: getStatus.executeStatus,
					getProfileStatus: getStatus.executeProfileStatus,
					logInteraction: logInteraction.execute,
				},
				operation,
			),
		];
	}
}
