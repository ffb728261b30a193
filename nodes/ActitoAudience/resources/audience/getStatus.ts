import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { cachedEstimate } from '../../../../core/state/estimateCache';
import { describeLinkStatus } from '../../../../core/state/linkStatus';
import { buildLink, findStateByAudience, findWorkflowLink, readState, type OpenState } from '../../../../core/state/syncState';
import { toMemberId } from '../../../../core/state/memberCodec';
import { itemChainLinkConfig, storedItemChainConfig } from '../../../../core/sync/planRun';
import type { LinkConfig } from '../../../../core/link/config';
import { decideProfile } from '../../../../core/sync/wanted';
import type { MetaKey } from '../../../../core/identifiers';
import { DEFAULT_SCHEMA } from '../../../../core/sync/changeItem';
import { metaClientFrom } from '../../../shared/transport';
import { linkStateBucket } from '../../../shared/stateSource';
import { apiFor, audienceRef, metaAudienceIdProperty, profileSettings, segmentationKey } from '../../shared';
import { profileKey } from './getProfile';
import { answerAsProperty, statusPageItems } from './statusPage';

export const properties: INodeProperties[] = [
	{
		displayName: 'Link',
		name: 'linkSource',
		type: 'options',
		default: 'workflow',
		displayOptions: { show: { operation: ['getStatus', 'getProfileStatus'] } },
		options: [
			{
				name: 'This Workflow’s Sync Step',
				value: 'workflow',
				description:
					'The link kept by the Sync From Actito Audience step of this workflow: its Meta audience and settings come from the stored link configuration, set once in that step',
			},
			{
				name: 'By Meta Audience',
				value: 'audience',
				description: 'The link of this workflow that syncs into a given Meta audience (item-chain workflows built on Get Changes)',
			},
		],
	},
	{ ...metaAudienceIdProperty, displayOptions: { show: { operation: ['getStatus', 'getProfileStatus'], linkSource: ['audience'] } } },
	{
		displayName: 'Include Meta Estimated Size',
		name: 'includeMeta',
		type: 'boolean',
		default: true,
		displayOptions: { show: { operation: ['getStatus'] } },
		description: 'Whether to add Meta’s estimated size and status (needs the Meta credential; cached for a minute, whatever the number of calls)',
	},
	answerAsProperty,
];

/**
 * The status of a link: its stored configuration and its synchronization details, in one item.
 * Answered from the stored state (found by its Meta audience) and a cached Meta estimate: no
 * Actito call, at most one Meta call a minute per audience, whatever the traffic.
 */
export async function executeStatus(this: IExecuteFunctions, i: number): Promise<INodeExecutionData[]> {
	const bucket = await linkStateBucket.call(this, { write: false });
	const ofWorkflow = isWorkflowLink(this, i);
	let metaAudienceId = ofWorkflow ? '' : String(this.getNodeParameter('metaAudienceId', i)).trim();
	let link: string;
	let open: OpenState | null = null;
	let stateError: string | undefined;
	try {
		const found = ofWorkflow ? findWorkflowLink(bucket) : findStateByAudience(bucket, metaAudienceId);
		if (found) {
			({ link, open } = found);
			metaAudienceId = found.open.state.metaAudienceId;
		} else if (ofWorkflow) {
			// Before the Sync step's first run nothing names the link yet: say so in words.
			link = 'this workflow’s link (not run yet)';
		} else {
			// No state yet: name the link from the parameters (the credential gives the entity, no API call).
			const credentials = await this.getCredentials('actitoApi');
			const table = String(this.getNodeParameter('table', i, '', { extractValue: true }) ?? '').trim();
			link = buildLink({ entity: String(credentials.entity ?? ''), table, segmentation: segmentationKey(this, i) }, metaAudienceId);
		}
	} catch (error) {
		link = metaAudienceId ? `meta:${metaAudienceId}` : 'this workflow’s link';
		stateError = (error as Error).message;
	}
	const json = { ...describeLinkStatus(link!, open), metaAudienceId: metaAudienceId || null } as unknown as IDataObject;
	if (stateError) json.stateError = stateError;
	if (metaAudienceId && (this.getNodeParameter('includeMeta', i, true) as boolean)) {
		json.meta = (await cachedEstimate(metaAudienceId, async () => {
			const meta = await metaClientFrom(this);
			const a = await meta.getAudience(metaAudienceId, [
				'name',
				'approximate_count_lower_bound',
				'approximate_count_upper_bound',
				'delivery_status',
				'operation_status',
				'time_created',
			]);
			return {
				name: a.name ?? null,
				lowerBound: a.approximate_count_lower_bound ?? null,
				upperBound: a.approximate_count_upper_bound ?? null,
				deliveryStatus: (a.delivery_status as unknown as IDataObject) ?? null,
				operationStatus: (a.operation_status as unknown as IDataObject) ?? null,
				tooSmall:
					a.delivery_status?.code === 300 ||
					(typeof a.approximate_count_upper_bound === 'number' && a.approximate_count_upper_bound < 1000),
				// The link's definition date on the status page: when its Meta audience was made.
				createdAt: typeof a.time_created === 'number' ? new Date(a.time_created * 1000).toISOString() : null,
				checkedAt: new Date().toISOString(),
			};
		})) as IDataObject;
	}
	if (this.getNodeParameter('answerAs', i, 'record') === 'page') return statusPageItems.call(this, i, json, metaAudienceId, executeProfileStatus);
	return [{ json, pairedItem: { item: i } }];
}

/**
 * For one profile: is it a member in Actito, is it at Meta, and does Meta hold its current row.
 * The verdict is always the sync's own rule (decideProfile, core/sync/wanted.ts), on the link's
 * stored configuration: the Sync step's, or the settings an item chain's Get Changes stored.
 */
export async function executeProfileStatus(this: IExecuteFunctions, i: number, asked?: string): Promise<INodeExecutionData[]> {
	const bucket = await linkStateBucket.call(this, { write: false });
	const ofWorkflow = isWorkflowLink(this, i);
	const found = ofWorkflow ? findWorkflowLink(bucket) : findStateByAudience(bucket, String(this.getNodeParameter('metaAudienceId', i)).trim());
	let config = found ? (found.open.state.config ?? linkRule(this, i, () => storedItemChainConfig(found.open.state))) : null;
	if (ofWorkflow && !config) {
		throw new NodeOperationError(
			this.getNode(),
			found
				? 'This workflow’s link was planned by a Get Changes step of an older version, which stored no settings to check a profile with'
				: 'This workflow’s Sync From Actito Audience step has not run yet, so there is no link to check the profile against',
			{
				itemIndex: i,
				description: found
					? 'Run the item chain once more (its Get Changes step now stores them), or set Link to "By Meta Audience" and give the table and audience of the item chain.'
					: 'Run the workflow once (Try It) or wait for its first scheduled run.',
			},
		);
	}
	const api = await apiFor(this);
	let link: string;
	let open: OpenState | null;
	let tableId: string;
	if (found && config) {
		({ link, open } = found);
		tableId = (await api.getProfileTable(config.actito.table)).id;
	} else {
		// An item chain not planned yet (or by an older Get Changes that stored no settings): this
		// step's table, audience and attribute names with the item chain's defaults (unknown
		// consent allowed, no default country, the schema the audience was filled with).
		const audience = await audienceRef(this, api, i);
		const metaAudienceId = String(this.getNodeParameter('metaAudienceId', i)).trim();
		link = buildLink(audience.ref, metaAudienceId);
		open = readState(bucket, link);
		tableId = audience.tableId;
		const settings = profileSettings(this, i);
		const schema = (open?.state.schema ?? DEFAULT_SCHEMA) as MetaKey[];
		config = linkRule(this, i, () =>
			itemChainLinkConfig(audience.ref, metaAudienceId, { segmentation: audience.ref.segmentation, profileSettings: settings, schema, unknownConsent: 'allow' }),
		);
	}
	const key = asked ?? profileKey(this, i);
	const raw = await api.getProfile(tableId, key);
	// A deleted profile is gone from Actito but may still be at Meta: it is looked up by the id asked for.
	const decision = decideProfile(raw, config!, typeof key === 'string' ? key : undefined);
	const id = decision.profileId ? toMemberId(decision.profileId) : null;
	const sent = open && id !== null ? open.members.get(id) : undefined;
	const atMeta = sent !== undefined;
	const synchronized = decision.wanted ? atMeta && sent === decision.fingerprint : !atMeta;
	return [
		{
			json: {
				link,
				profileId: decision.profileId || null,
				found: Boolean(raw),
				isMember: decision.isMember,
				marketingConsent: decision.consent,
				hasValidIdentifier: decision.whyNot !== 'no_valid_identifier' && decision.row !== null,
				wanted: decision.wanted,
				whyNot: decision.whyNot,
				atMeta,
				synchronized,
				lastSyncedAt: open?.state.syncedAt ?? null,
			},
			pairedItem: { item: i },
		},
	];
}

/** A link rule built from stored or given item-chain settings; a setting it refuses names the fix. */
function linkRule(ctx: IExecuteFunctions, i: number, build: () => LinkConfig | null): LinkConfig | null {
	let problem: string | null = null;
	let config: LinkConfig | null = null;
	try {
		config = build();
	} catch (error) {
		problem = (error as Error).message;
	}
	if (problem !== null) {
		throw new NodeOperationError(ctx.getNode(), `This link's item-chain settings cannot be used to check a profile: ${problem}`, {
			itemIndex: i,
			description: 'Check the Attribute Names of this step and the Schema and Default Country of the item chain\'s Get Changes step, then run Get Changes once: it stores its settings again.',
		});
	}
	return config;
}

function isWorkflowLink(ctx: IExecuteFunctions, i: number): boolean {
	return ctx.getNodeParameter('linkSource', i, 'workflow') === 'workflow';
}
