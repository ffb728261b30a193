import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';

import { flattenProfile, isInSegmentation } from '../../../../core/actito/profile';
import { describeLinkStatus } from '../../../../core/state/linkStatus';
import { buildLink, readState } from '../../../../core/state/syncState';
import { toMemberId } from '../../../../core/state/memberCodec';
import { consentVerdict } from '../../../../core/sync/consent';
import { fingerprintProfile } from '../../../../core/sync/planner';
import type { MetaKey } from '../../../../core/identifiers';
import { DEFAULT_SCHEMA } from '../../../../core/sync/changeItem';
import { metaClientFrom } from '../../../shared/transport';
import { apiFor, audienceRef, metaAudienceIdProperty, profileSettings } from '../../shared';
import { profileKey } from './getProfile';

export const properties: INodeProperties[] = [
	{ ...metaAudienceIdProperty, displayOptions: { show: { operation: ['getStatus', 'getProfileStatus'] } } },
	{
		displayName: 'Include Meta Estimated Size',
		name: 'includeMeta',
		type: 'boolean',
		default: true,
		displayOptions: { show: { operation: ['getStatus'] } },
		description: 'Whether to ask Meta for the audience’s estimated size and status (needs the Meta credential)',
	},
];

/** The status of a link: its definition and its synchronization details, in one item. */
export async function executeStatus(this: IExecuteFunctions, i: number): Promise<INodeExecutionData[]> {
	const api = await apiFor(this);
	const { ref } = await audienceRef(this, api, i);
	const metaAudienceId = String(this.getNodeParameter('metaAudienceId', i)).trim();
	const link = buildLink(ref, metaAudienceId);
	const open = readState(this.getWorkflowStaticData('global'), link);
	const json = {
		...describeLinkStatus(link, open),
		actito: { entity: ref.entity, table: ref.table, segmentation: ref.segmentation },
		metaAudienceId,
	} as unknown as IDataObject;
	if (this.getNodeParameter('includeMeta', i, true) as boolean) {
		try {
			const meta = await metaClientFrom(this);
			const a = await meta.getAudience(metaAudienceId, [
				'name',
				'approximate_count_lower_bound',
				'approximate_count_upper_bound',
				'delivery_status',
				'operation_status',
			]);
			json.meta = {
				name: a.name ?? null,
				lowerBound: a.approximate_count_lower_bound ?? null,
				upperBound: a.approximate_count_upper_bound ?? null,
				deliveryStatus: (a.delivery_status as unknown as IDataObject) ?? null,
				operationStatus: (a.operation_status as unknown as IDataObject) ?? null,
				tooSmall:
					a.delivery_status?.code === 300 ||
					(typeof a.approximate_count_upper_bound === 'number' && a.approximate_count_upper_bound < 1000),
			};
		} catch (error) {
			json.meta = { error: (error as Error).message };
		}
	}
	return [{ json, pairedItem: { item: i } }];
}

/** For one profile: is it a member in Actito, is it at Meta, and does Meta hold its current row. */
export async function executeProfileStatus(this: IExecuteFunctions, i: number): Promise<INodeExecutionData[]> {
	const api = await apiFor(this);
	const { ref, tableId } = await audienceRef(this, api, i);
	const metaAudienceId = String(this.getNodeParameter('metaAudienceId', i)).trim();
	const link = buildLink(ref, metaAudienceId);
	const open = readState(this.getWorkflowStaticData('global'), link);
	const key = profileKey(this, i);
	const raw = await api.getProfile(tableId, key);
	const settings = profileSettings(this, i);
	const flat = raw ? flattenProfile(raw, settings) : null;
	// A deleted profile is gone from Actito but may still be at Meta: look it up by the id asked for.
	const id = flat ? toMemberId(flat.profileId) : typeof key === 'string' ? toMemberId(key) : null;
	const sentFingerprint = open && id !== null ? open.members.get(id) : undefined;
	const isMember = Boolean(raw && isInSegmentation(raw, ref.segmentation));
	const consentOk = flat ? consentVerdict(flat.marketingConsent, 'allow') === 'allowed' : false;
	let currentFingerprint: number | null = null;
	let hasMatchKey = false;
	if (flat) {
		const schema = (open?.state.schema ?? DEFAULT_SCHEMA) as MetaKey[];
		const fp = fingerprintProfile(
			{ profileId: flat.profileId, identifiers: { ...flat } as unknown as Record<string, unknown> },
			{ schema },
		);
		currentFingerprint = fp.fingerprint;
		hasMatchKey = fp.hasMatchKey;
	}
	const wanted = isMember && consentOk && hasMatchKey;
	const atMeta = sentFingerprint !== undefined;
	const synchronized = wanted ? atMeta && sentFingerprint === currentFingerprint : !atMeta;
	return [
		{
			json: {
				link,
				profileId: flat?.profileId ?? (id !== null ? String(id) : null),
				found: Boolean(raw),
				isMember,
				marketingConsent: flat?.marketingConsent ?? null,
				hasValidIdentifier: hasMatchKey,
				wanted,
				atMeta,
				synchronized,
				lastSyncedAt: open?.state.syncedAt ?? null,
			},
			pairedItem: { item: i },
		},
	];
}
