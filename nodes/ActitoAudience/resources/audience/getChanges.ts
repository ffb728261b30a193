import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import type { MetaKey } from '../../../../core/identifiers';
import { LinkConfigError } from '../../../../core/link/config';
import { finishRun } from '../../../../core/sync/commit';
import { DEFAULT_SCHEMA } from '../../../../core/sync/changeItem';
import type { UnknownConsentPolicy } from '../../../../core/sync/consent';
import { itemChainLinkConfig, openRun, planRun, type ItemChainSettings } from '../../../../core/sync/planRun';
import { openState, writeState, type LinkState } from '../../../../core/state/syncState';
import { findUnknownSessions } from '../../../../core/sync/recovery';
import { metaClientFrom } from '../../../shared/transport';
import { toNodeError } from '../../../shared/errors';
import { linkStateBucket } from '../../../shared/stateSource';
import { apiFor, audienceRef, metaAudienceIdProperty, profileSettings } from '../../shared';

const show = { show: { operation: ['getChanges'] } };

export const properties: INodeProperties[] = [
	{ ...metaAudienceIdProperty, displayOptions: show },
	{
		displayName: 'Sync Options',
		name: 'syncOptions',
		type: 'collection',
		placeholder: 'Add option',
		default: {},
		displayOptions: show,
		options: [
			{
				displayName: 'Default Country',
				name: 'defaultCountry',
				type: 'string',
				default: '',
				placeholder: 'BE',
				description: 'Country for national phone numbers; must match Hash Identifiers',
			},
			{
				displayName: 'Force Full Reconcile',
				name: 'forceFullReconcile',
				type: 'boolean',
				default: false,
				description: 'Whether to list every member this run and compare with what Meta was sent',
			},
			{
				displayName: 'Full Reconcile Every (Hours)',
				name: 'fullReconcileEveryHours',
				type: 'number',
				default: 24,
				typeOptions: { minValue: 0 },
				description: 'A full read catches deletions and anything an incremental read missed (0: only the first run)',
			},
			{
				displayName: 'Max Actito Calls per Minute',
				name: 'callsPerMinute',
				type: 'number',
				default: 60,
				typeOptions: { minValue: 1, maxValue: 100 },
				description: 'This workflow’s share of the licence’s 100 calls a minute',
			},
			{
				displayName: 'Max Changes per Run',
				name: 'maxChanges',
				type: 'number',
				default: 100000,
				typeOptions: { minValue: 1 },
				description: 'Bounds memory; what is left waits for the next run',
			},
			{
				displayName: 'Overlap (Minutes)',
				name: 'overlapMinutes',
				type: 'number',
				default: 5,
				typeOptions: { minValue: 0 },
				description: 'How far before the watermark incremental reads start',
			},
			{
				displayName: 'Page Size',
				name: 'pageSize',
				type: 'number',
				default: 1000,
				typeOptions: { minValue: 1, maxValue: 1000 },
			},
			{
				displayName: 'Schema',
				name: 'schema',
				type: 'multiOptions',
				default: [],
				description: 'Meta keys sent for each profile; must match Hash Identifiers',
				options: [
					{ name: 'Country (COUNTRY)', value: 'COUNTRY' },
					{ name: 'E-Mail (EMAIL)', value: 'EMAIL' },
					{ name: 'External ID (EXTERN_ID)', value: 'EXTERN_ID' },
					{ name: 'First Name (FN)', value: 'FN' },
					{ name: 'Last Name (LN)', value: 'LN' },
					{ name: 'Phone (PHONE)', value: 'PHONE' },
				],
			},
			{
				displayName: 'Unknown Consent',
				name: 'unknownConsent',
				type: 'options',
				default: 'allow',
				options: [
					{ name: 'Allow', value: 'allow' },
					{ name: 'Block', value: 'block' },
				],
				description: 'What an absent consent means; must match the Consent Filter',
			},
		],
	},
];

interface SyncOptions {
	defaultCountry?: string;
	forceFullReconcile?: boolean;
	fullReconcileEveryHours?: number;
	maxChanges?: number;
	callsPerMinute?: number;
	overlapMinutes?: number;
	pageSize?: number;
	schema?: string[];
	unknownConsent?: UnknownConsentPolicy;
}

/**
 * Upload sessions at Meta that the state does not know. Needs the Meta credential on this node;
 * without it the check is skipped (and a killed run's stray additions wait for a replace).
 */
async function unknownUploads(ctx: IExecuteFunctions, state: LinkState, audienceId: string): Promise<string[]> {
	let client;
	try {
		client = await metaClientFrom(ctx);
	} catch {
		return [];
	}
	return findUnknownSessions(state, await client.getSessions(audienceId));
}

/** Keeps Meta's key order whatever order the multi-select returned. */
const KEY_ORDER = ['EXTERN_ID', 'EMAIL', 'PHONE', 'FN', 'LN', 'COUNTRY'];

/** The planner of the hourly sync; runs once for the whole input. */
export async function execute(this: IExecuteFunctions): Promise<INodeExecutionData[]> {
	const options = this.getNodeParameter('syncOptions', 0, {}) as SyncOptions;
	const metaAudienceId = String(this.getNodeParameter('metaAudienceId', 0) ?? '').trim();
	const api = await apiFor(this, options.callsPerMinute);
	const bucket = await linkStateBucket.call(this);
	const now = new Date();
	try {
		const { ref, tableId } = await audienceRef(this, api, 0);
		const schema = (options.schema?.length ? options.schema : DEFAULT_SCHEMA)
			.slice()
			.sort((a, b) => KEY_ORDER.indexOf(a) - KEY_ORDER.indexOf(b)) as MetaKey[];
		const chain: ItemChainSettings = {
			segmentation: ref.segmentation,
			profileSettings: profileSettings(this, 0),
			schema,
			defaultCountry: options.defaultCountry?.trim() || undefined,
			unknownConsent: options.unknownConsent ?? 'allow',
		};
		// Checked before any state is read or Meta asked: the planner decides with the sync's rule.
		const config = itemChainLinkConfig(ref, metaAudienceId, chain);
		const open = openState(bucket, ref, metaAudienceId);
		const unknownSessions = open.isNew ? [] : await unknownUploads(this, open.state, metaAudienceId);
		const result = await planRun(api, open, {
			...chain,
			config,
			tableId,
			maxChanges: options.maxChanges ?? 100_000,
			fullReconcileEveryHours: options.fullReconcileEveryHours ?? 24,
			forceFullReconcile: options.forceFullReconcile,
			overlapMinutes: options.overlapMinutes ?? 5,
			pageSize: options.pageSize ?? 1000,
			unknownSessions,
		}, now);
		openRun(open, result, now);
		if (!result.plan.items.length) {
			// Nothing to send: the downstream steps will not run, so the run closes here.
			finishRun(open, { now: new Date().toISOString() });
		}
		writeState(bucket, open);
		return result.plan.items.map((item) => ({ json: item as unknown as IDataObject, pairedItem: { item: 0 } }));
	} catch (error) {
		throw error instanceof LinkConfigError
			? new NodeOperationError(this.getNode(), error.message, {
					description: 'Fix the Schema or Default Country (Sync Options), or the Attribute Names, of this step and run again.',
				})
			: toNodeError(this.getNode(), error, 0);
	}
}
