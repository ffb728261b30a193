import type {
	IExecuteFunctions,
	IGetNodeParameterOptions,
	INodeExecutionData,
	INodeType,
	INodePropertyOptions,
	INodeTypeDescription,
} from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';

import { credentialTest } from '../shared/credentialTests';
import { runPerItem } from '../shared/perItem';
import { searchAllAudiences } from '../MetaCustomAudience/listSearch';
import { searchSegmentations, searchTables } from './listSearch';
import * as getChanges from './resources/audience/getChanges';
import * as getMembers from './resources/audience/getMembers';
import * as getProfile from './resources/audience/getProfile';
import * as getStatus from './resources/audience/getStatus';
import * as logInteraction from './resources/audience/logInteraction';
import * as overview from './resources/audience/overview';
import { attributeSettings, segmentationLocator, tableLocator } from './shared';

/** Operations that read a table and an audience given in the node. */
const ITEM_FLOW_OPS = ['getChanges', 'getMembers'];
/** Operations that take them from this workflow's Sync step unless Link is "By Meta Audience". */
const LINK_SOURCE_OPS = ['getStatus', 'getProfileStatus'];

const AUDIENCE_OPERATIONS: INodePropertyOptions[] = [
	{
		name: 'Get Changes',
		value: 'getChanges',
		action: 'Get the changes to sync',
		description: 'Plan the hourly sync: who joined, left, changed or withdrew consent since the last run',
	},
	{
		name: 'Get Members',
		value: 'getMembers',
		action: 'Get the members of an audience',
		description: 'Every member of the audience now, one item per profile with its identifiers and consent (as adds, to rebuild an audience)',
	},
	{
		name: 'Get Overview Page',
		value: 'getOverview',
		action: 'Get the overview page of audience links',
		description: 'One page (HTML or JSON) with a row per audience link, from each link’s status page',
	},
	{
		name: 'Get Profile',
		value: 'getProfile',
		action: 'Get a profile',
		description: 'One profile of the table, found by its profile ID or a unique attribute, with its identifiers and consent',
	},
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
];

// Writes a custom-table record: its own resource from version 2; version 1 (saved workflows)
// keeps it under Audience. Same operation key in both, so one router serves both versions.
const LOG_INTERACTION: INodePropertyOptions = {
	name: 'Log Interaction',
	value: 'logInteraction',
	action: 'Log an interaction in a custom table',
	description: 'Write one custom-table record per item (e.g. a negative-consent event)',
};


/**
 * The Meta audience field is a picker (a resource locator) while the operations read it as a plain
 * id: this view of the execution context hands them its value, as saved plain-text ids always were.
 */
function withPlainMetaAudienceId(ctx: IExecuteFunctions): IExecuteFunctions {
	const read = ctx.getNodeParameter.bind(ctx) as (...args: unknown[]) => unknown;
	const getNodeParameter = (name: string, itemIndex: number, fallback?: unknown, options?: IGetNodeParameterOptions) =>
		read(name, itemIndex, fallback, name === 'metaAudienceId' ? { ...options, extractValue: true } : options);
	return new Proxy(ctx, {
		get(target, key) {
			if (key === 'getNodeParameter') return getNodeParameter;
			const value = Reflect.get(target, key, target) as unknown;
			return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
		},
	});
}

export class ActitoAudience implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Actito Audience',
		name: 'actitoAudience',
		icon: { light: 'file:actito.svg', dark: 'file:actito.dark.svg' },
		group: ['input'],
		version: [1, 2],
		defaultVersion: 2,
		// The canvas shows the operation's name under the node, not its key (test/nodes/editor-display.test.tsx
		// checks that this map names every operation as its option does).
		subtitle:
			'={{ ({"getChanges":"Get Changes","getMembers":"Get Members","getOverview":"Get Overview Page","getProfile":"Get Profile","getProfileStatus":"Get Profile Status","getStatus":"Get Status","logInteraction":"Log Interaction"})[$parameter["operation"]] || $parameter["operation"] }}',
		description: 'Read Actito audiences and profiles, show the status of audience links, and log interactions in custom tables',
		defaults: { name: 'Actito Audience' },
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		// Not an AI tool: Get Changes opens a run in the link's state and Log Interaction
		// acknowledges refusals in it; an agent must not move a link's state.
		usableAsTool: undefined,
		credentials: [
			{ name: 'actitoApi', displayName: 'Actito Credential', required: true, testedBy: 'actitoApiTest' },
			{
				name: 'metaMarketingApi',
				displayName: 'Meta Credential',
				required: false,
				testedBy: 'metaMarketingApiTest',
				// Get Status and Get Changes call Meta; Get Profile Status only for the audience picker.
				displayOptions: { show: { operation: ['getStatus', 'getChanges', 'getProfileStatus'] } },
			},
			// n8n 2.x queue mode only: the link state is read from the database (nodes/shared/stateSource.ts).
			{
				name: 'n8nStateApi',
				displayName: 'n8n API Credential (Queue Mode)',
				required: false,
				displayOptions: { show: { operation: ['getStatus', 'getProfileStatus', 'getChanges', 'logInteraction'] } },
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
				displayOptions: { show: { '@version': [1] } },
			},
			{
				displayName: 'Resource',
				name: 'resource',
				type: 'options',
				noDataExpression: true,
				default: 'audience',
				options: [
					{ name: 'Audience', value: 'audience' },
					{ name: 'Custom Table Record', value: 'customTableRecord' },
				],
				displayOptions: { show: { '@version': [{ _cnd: { gte: 2 } }] } },
			},
			{
				displayName: 'Operation',
				name: 'operation',
				type: 'options',
				noDataExpression: true,
				displayOptions: { show: { resource: ['audience'], '@version': [1] } },
				default: 'getChanges',
				options: [...AUDIENCE_OPERATIONS, LOG_INTERACTION].sort((a, b) => a.name.localeCompare(b.name)),
			},
			{
				displayName: 'Operation',
				name: 'operation',
				type: 'options',
				noDataExpression: true,
				displayOptions: { show: { resource: ['audience'], '@version': [{ _cnd: { gte: 2 } }] } },
				default: 'getChanges',
				options: AUDIENCE_OPERATIONS,
			},
			{
				displayName: 'Operation',
				name: 'operation',
				type: 'options',
				noDataExpression: true,
				displayOptions: { show: { resource: ['customTableRecord'] } },
				default: 'logInteraction',
				options: [LOG_INTERACTION],
			},
			// Get Status of "this workflow's link" reads table and audience from the stored link
			// configuration. Each field is listed twice with exclusive conditions, not once with
			// `hide: { linkSource }`: n8n resolves a hide on a parameter the operation does not show
			// with its default ('workflow') and drops the field's value for every other operation.
			{ ...tableLocator, displayOptions: { show: { operation: [...ITEM_FLOW_OPS, 'getProfile'] } } },
			{ ...tableLocator, displayOptions: { show: { operation: LINK_SOURCE_OPS, linkSource: ['audience'] } } },
			{ ...segmentationLocator, displayOptions: { show: { operation: ITEM_FLOW_OPS } } },
			{ ...segmentationLocator, displayOptions: { show: { operation: LINK_SOURCE_OPS, linkSource: ['audience'] } } },
			...getChanges.properties,
			...getMembers.properties,
			...getProfile.properties,
			...getStatus.properties,
			...logInteraction.properties,
			...overview.properties,
			{ ...attributeSettings, displayOptions: { show: { operation: [...ITEM_FLOW_OPS, 'getProfile'] } } },
			{ ...attributeSettings, displayOptions: { show: { operation: LINK_SOURCE_OPS, linkSource: ['audience'] } } },
		],
	};

	methods = {
		listSearch: { searchTables, searchSegmentations, searchAllAudiences },
		credentialTest,
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		const ctx = withPlainMetaAudienceId(this);
		const operation = ctx.getNodeParameter('operation', 0) as string;
		// The planner runs once per execution, whatever the number of input items.
		if (operation === 'getChanges') return [await getChanges.execute.call(ctx)];
		if (operation === 'getOverview') return [await overview.execute.call(ctx)];
		return [
			await runPerItem(
				ctx,
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
