// "Sync from Actito Audience": the hourly step of a link, a thin adapter over runSync
// (core/sync/run.ts). Parameters → one link configuration; the run's outcome → three outputs:
// the sync details (one item), the refused profiles (ids and reason only, for the audit log),
// and, on request, the change set (hashed rows only).

import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { ActitoApi } from '../../../../core/actito/actitoApi';
import { buildLinkConfig, LinkConfigError, type LinkConfig, type LinkConfigInput } from '../../../../core/link/config';
import { MassRemovalGuardError, runSync, SyncSetupError } from '../../../../core/sync/run';
import { toNodeError } from '../../../shared/errors';
import { linkStateBucket } from '../../../shared/stateSource';
import { actitoClientFrom, metaClientFrom } from '../../../shared/transport';
import { segmentationLocator, tableLocator } from '../../../ActitoAudience/shared';
import { getAdAccountId, getAudienceId, maxWaitOption } from '../../shared';

export const SYNC_OPERATION = 'syncFromActito';
const show = { show: { operation: [SYNC_OPERATION] } };

/** Meta keys a user may map (EXTERN_ID is always the profile id and is not offered). */
const KEY_OPTIONS = [
	{ name: 'E-Mail (EMAIL)', value: 'EMAIL' },
	{ name: 'Phone (PHONE)', value: 'PHONE' },
	{ name: 'First Name (FN)', value: 'FN' },
	{ name: 'Last Name (LN)', value: 'LN' },
	{ name: 'First Initial (FI)', value: 'FI' },
	{ name: 'Gender (GEN)', value: 'GEN' },
	{ name: 'Birth Year (DOBY)', value: 'DOBY' },
	{ name: 'Birth Month (DOBM)', value: 'DOBM' },
	{ name: 'Birth Day (DOBD)', value: 'DOBD' },
	{ name: 'City (CT)', value: 'CT' },
	{ name: 'State (ST)', value: 'ST' },
	{ name: 'ZIP Code (ZIP)', value: 'ZIP' },
	{ name: 'Country (COUNTRY)', value: 'COUNTRY' },
	{ name: 'Mobile Advertiser ID (MADID)', value: 'MADID' },
];

export const properties: INodeProperties[] = [
	{ ...tableLocator, displayName: 'Actito Profile Table', displayOptions: show },
	{
		displayName: 'Actito Audience Rule',
		name: 'audienceRule',
		type: 'options',
		default: 'segmentation',
		displayOptions: show,
		options: [
			{ name: 'Members of a Segmentation', value: 'segmentation' },
			{ name: 'Attribute Equals a Value', value: 'attribute' },
		],
	},
	{
		...segmentationLocator,
		displayOptions: { show: { operation: [SYNC_OPERATION], audienceRule: ['segmentation'] } },
	},
	{
		displayName: 'Audience Attribute',
		name: 'audienceAttribute',
		type: 'string',
		default: '',
		required: true,
		placeholder: 'loyaltyTier',
		displayOptions: { show: { operation: [SYNC_OPERATION], audienceRule: ['attribute'] } },
	},
	{
		displayName: 'Audience Value',
		name: 'audienceValue',
		type: 'string',
		default: '',
		required: true,
		placeholder: 'gold',
		displayOptions: { show: { operation: [SYNC_OPERATION], audienceRule: ['attribute'] } },
	},
	{
		displayName: 'Identifiers',
		name: 'identifiers',
		type: 'fixedCollection',
		typeOptions: { multipleValues: true },
		placeholder: 'Add identifier',
		default: { mapping: [{ key: 'EMAIL', field: 'emailAddress' }, { key: 'PHONE', field: 'gsmNumber' }] },
		description: 'Actito attribute → Meta key. The profile ID is always sent as EXTERN_ID (removals need it).',
		displayOptions: show,
		options: [
			{
				displayName: 'Mapping',
				name: 'mapping',
				values: [
					{ displayName: 'Meta Key', name: 'key', type: 'options', default: 'EMAIL', options: KEY_OPTIONS },
					{ displayName: 'Actito Attribute', name: 'field', type: 'string', default: '' },
				],
			},
		],
	},
	{
		displayName: 'Country Attribute',
		name: 'countryAttribute',
		type: 'string',
		default: 'country',
		displayOptions: show,
		description: 'Attribute with the profile’s country (reads national phone numbers); empty: none',
	},
	{
		displayName: 'Default Country',
		name: 'defaultCountry',
		type: 'string',
		default: '',
		placeholder: 'BE',
		displayOptions: show,
		description: 'Country of national phone numbers when the profile has none',
	},
	{
		displayName: 'Consent Source',
		name: 'consentSource',
		type: 'options',
		default: 'attribute',
		displayOptions: show,
		options: [
			{ name: 'Attribute', value: 'attribute' },
			{ name: 'Subscription', value: 'subscription' },
		],
	},
	{
		displayName: 'Consent Attribute',
		name: 'consentAttribute',
		type: 'string',
		default: 'marketingConsent',
		displayOptions: { show: { operation: [SYNC_OPERATION], consentSource: ['attribute'] } },
	},
	{
		displayName: 'Consent Subscription',
		name: 'consentSubscription',
		type: 'string',
		default: '',
		required: true,
		placeholder: 'Newsletter',
		displayOptions: { show: { operation: [SYNC_OPERATION], consentSource: ['subscription'] } },
	},
	{
		displayName: 'Unknown Consent',
		name: 'unknownConsent',
		type: 'options',
		default: 'allow',
		displayOptions: show,
		options: [
			{ name: 'Allow', value: 'allow' },
			{ name: 'Block', value: 'block' },
		],
		description: 'What an absent or unreadable consent means (a negative one always blocks)',
	},
	{
		displayName: 'Full Reconcile Every (Hours)',
		name: 'fullReconcileEveryHours',
		type: 'number',
		default: 24,
		typeOptions: { minValue: 0 },
		displayOptions: show,
		description: 'A full read catches deletions and anything an incremental read missed (0: only the first run)',
	},
	{
		displayName: 'Safety Limits',
		name: 'limits',
		type: 'collection',
		placeholder: 'Add limit',
		default: {},
		displayOptions: show,
		options: [
			{ displayName: 'Batch Size', name: 'batchSize', type: 'number', default: 10000, typeOptions: { minValue: 1, maxValue: 10000 } },
			{
				displayName: 'Mass-Removal Guard: Max Share (%)',
				name: 'maxRemovalPercent',
				type: 'number',
				default: 20,
				typeOptions: { minValue: 0, maxValue: 100 },
				description: 'A run that would remove more than this share of the audience stops before removing',
			},
			{
				displayName: 'Mass-Removal Guard: Minimum Removals',
				name: 'minRemovalsForGuard',
				type: 'number',
				default: 200,
				typeOptions: { minValue: 0 },
				description: 'The guard applies from this many removals on',
			},
			{
				displayName: 'Max Actito Calls per Minute',
				name: 'callsPerMinute',
				type: 'number',
				default: 60,
				typeOptions: { minValue: 1, maxValue: 100 },
				description: 'This workflow’s share of the licence’s 100 calls a minute',
			},
			maxWaitOption,
			{ displayName: 'Overlap (Minutes)', name: 'overlapMinutes', type: 'number', default: 5, typeOptions: { minValue: 0 } },
			{ displayName: 'Page Size', name: 'pageSize', type: 'number', default: 1000, typeOptions: { minValue: 1, maxValue: 1000 } },
		],
	},
	{
		displayName: 'Run Options',
		name: 'runOptions',
		type: 'collection',
		placeholder: 'Add option',
		default: {},
		displayOptions: show,
		options: [
			{
				displayName: 'Allow Mass Removal',
				name: 'allowMassRemoval',
				type: 'boolean',
				default: false,
				description: 'Whether a run the mass-removal guard stopped may remove all the same (turn it off again afterwards)',
			},
			{
				displayName: 'Change Set Output (Max Rows)',
				name: 'changeSetLimit',
				type: 'number',
				default: 0,
				typeOptions: { minValue: 0 },
				description: 'Emit up to this many changes (hashed rows only) on the Change Set output; 0: none',
			},
			{
				displayName: 'Discard Stored State',
				name: 'discardState',
				type: 'boolean',
				default: false,
				description: 'Whether to start this link afresh (the audience is then replaced to be exact); for one run only',
			},
			{ displayName: 'Dry Run', name: 'dryRun', type: 'boolean', default: false, description: 'Whether to do everything but the uploads and the state write' },
			{
				displayName: 'Force Full Reconcile',
				name: 'forceFullReconcile',
				type: 'boolean',
				default: false,
				description: 'Whether to read every member this run (see the README for forcing one without editing the workflow)',
			},
			{
				displayName: 'Upload in Editor Test Runs',
				name: 'uploadWhenManual',
				type: 'boolean',
				default: false,
				description: 'Whether test runs started in the editor really upload. Off: they are dry runs (n8n gives them no stored state).',
			},
		],
	},
];

interface Limits {
	batchSize?: number;
	callsPerMinute?: number;
	maxRemovalPercent?: number;
	minRemovalsForGuard?: number;
	maxWaitMinutes?: number;
	overlapMinutes?: number;
	pageSize?: number;
}

interface RunOptions {
	allowMassRemoval?: boolean;
	changeSetLimit?: number;
	discardState?: boolean;
	dryRun?: boolean;
	forceFullReconcile?: boolean;
	uploadWhenManual?: boolean;
}

/** The link configuration from this node's parameters (the one place a user sets it). */
export function linkConfigFrom(ctx: IExecuteFunctions, entity: string): LinkConfig {
	// extractValue only for resource locators: n8n refuses it for other parameter types.
	const LOCATORS = new Set(['table', 'segmentation']);
	const str = (name: string, fallback = '') =>
		String(ctx.getNodeParameter(name, 0, fallback, LOCATORS.has(name) ? { extractValue: true } : undefined) ?? '').trim();
	const limits = ctx.getNodeParameter('limits', 0, {}) as Limits;
	const rule = str('audienceRule', 'segmentation');
	const mapping = (ctx.getNodeParameter('identifiers.mapping', 0, []) as Array<{ key: string; field: string }>) ?? [];
	const input: LinkConfigInput = {
		actito: {
			entity,
			table: str('table'),
			...(rule === 'attribute'
				? { attribute: str('audienceAttribute'), value: str('audienceValue') }
				: { segmentation: str('segmentation') }),
		},
		meta: { adAccountId: getAdAccountId(ctx, 0), audienceId: getAudienceId(ctx, 0) },
		identifiers: mapping,
		countryAttribute: str('countryAttribute', 'country') || null,
		defaultCountry: str('defaultCountry') || null,
		consent: {
			source: str('consentSource', 'attribute'),
			attribute: str('consentAttribute', 'marketingConsent'),
			subscription: str('consentSubscription'),
			unknown: str('unknownConsent', 'allow'),
		},
		fullReconcileEveryHours: ctx.getNodeParameter('fullReconcileEveryHours', 0, 24) as number,
		limits: {
			batchSize: limits.batchSize,
			callsPerMinute: limits.callsPerMinute,
			maxRemovalShare: limits.maxRemovalPercent === undefined ? undefined : limits.maxRemovalPercent / 100,
			minRemovalsForGuard: limits.minRemovalsForGuard,
			overlapMinutes: limits.overlapMinutes,
			pageSize: limits.pageSize,
		},
	};
	return buildLinkConfig(input);
}

/** Runs once per execution, whatever the number of input items. */
export async function execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	const items = this.getInputData();
	const pairedItem = items.map((_, i) => ({ item: i }));
	const limits = this.getNodeParameter('limits', 0, {}) as Limits;
	const options = { ...(this.getNodeParameter('runOptions', 0, {}) as RunOptions) };
	// Editor test runs neither load nor save static data: they only show what a run would do.
	if (this.getMode() === 'manual' && !options.uploadWhenManual) options.dryRun = true;
	let outcome;
	try {
		// One client per execution: one token, one rate limit, shared by every call of the run.
		const actitoClient = await actitoClientFrom(this, {
			callsPerMinute: limits.callsPerMinute,
			maxWaitMs: Math.max(0, limits.maxWaitMinutes ?? 15) * 60_000,
		});
		const config = linkConfigFrom(this, actitoClient.entity);
		const meta = await metaClientFrom(this, { maxWaitMs: Math.max(0, limits.maxWaitMinutes ?? 15) * 60_000 });
		outcome = await runSync({
			config,
			actito: new ActitoApi(actitoClient),
			meta,
			bucket: await linkStateBucket.call(this),
			dryRun: options.dryRun,
			forceFullReconcile: options.forceFullReconcile,
			allowMassRemoval: options.allowMassRemoval,
			discardState: options.discardState,
			changeSetLimit: options.changeSetLimit ?? 0,
		});
	} catch (error) {
		if (error instanceof LinkConfigError || error instanceof SyncSetupError) {
			throw new NodeOperationError(this.getNode(), error.message, { description: error instanceof LinkConfigError ? error.hint : error.hint });
		}
		throw toNodeError(this.getNode(), error);
	}
	const { details, refused, changes, error } = outcome;
	if (error && !this.continueOnFail()) {
		const e = details.error!;
		const where = `${details.sent.remove} removals and ${details.sent.add + details.sent.replace} additions were accepted and committed; the next run sends the rest`;
		if (error instanceof MassRemovalGuardError) {
			throw new NodeOperationError(this.getNode(), e.message, { description: e.hint });
		}
		throw toNodeError(this.getNode(), { ...(error as object), name: (error as Error).name, message: `${e.message} (${where})`, hint: e.hint });
	}
	const link = details.link;
	// A dry run (e.g. Try It) must not write the audit log: its refusals are only counted.
	const toLog = details.dryRun ? [] : refused;
	return [
		[{ json: { ...(details as unknown as IDataObject), refusedToLog: refused.length }, pairedItem }],
		toLog.map((r) => ({ json: { profileId: r.profileId, reason: r.reason, link }, pairedItem })),
		changes.map((c) => ({ json: c as unknown as IDataObject, pairedItem })),
	];
}
