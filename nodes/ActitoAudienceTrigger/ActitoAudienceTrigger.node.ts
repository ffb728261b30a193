import type {
	IDataObject,
	IExecuteFunctions,
	IGetNodeParameterOptions,
	INodeExecutionData,
	INodeType,
	INodeTypeDescription,
	IPollFunctions,
} from 'n8n-workflow';
import { NodeConnectionTypes, NodeOperationError } from 'n8n-workflow';

import { ActitoApi } from '../../core/actito/actitoApi';
import { flattenProfile, isInSegmentation, type ProfileSettings, type RawProfile } from '../../core/actito/profile';
import { decodeMembers, encodeMembers, toMemberId, type MemberMap } from '../../core/state/memberCodec';
import { searchSegmentations, searchTables } from '../ActitoAudience/listSearch';
import { attributeSettings, audienceRef, profileSettings, segmentationLocator, tableLocator } from '../ActitoAudience/shared';
import { credentialTest } from '../shared/credentialTests';
import { toNodeError } from '../shared/errors';
import { actitoClientFrom } from '../shared/transport';

/** Re-read window before the watermark: absorbs clock skew and changes committed while we paged. */
export const WATERMARK_OVERLAP_MS = 2 * 60_000;
const PAGE_SIZE = 1000;
const CURSOR_VERSION = 1;

/** The node's static data. Ids and times only: no identifier ever lands here. */
export interface AudienceCursor {
	v: number;
	/** `entity/tableId/Category:Name`: a different audience starts a new baseline. */
	audience: string;
	/** Highest Actito updateMoment read (ISO), never past the poll's own start. */
	watermark: string;
	/** memberCodec encoding of the member ids (fingerprint 0). */
	members: string;
	memberCount: number;
	lastFullCheckAt: string;
}

interface Audience {
	api: ActitoApi;
	table: string;
	tableId: string;
	segmentation: string;
	settings: ProfileSettings;
	key: string;
}

// The shared helpers take an execute context and an item index; a poll has neither, so this
// view maps their calls onto the poll's parameter reader.
function asItemContext(ctx: IPollFunctions): IExecuteFunctions {
	return {
		getNode: () => ctx.getNode(),
		getNodeParameter: (name: string, _i: number, fallback?: unknown, options?: IGetNodeParameterOptions) =>
			ctx.getNodeParameter(name, fallback, options),
	} as unknown as IExecuteFunctions;
}

async function resolveAudience(ctx: IPollFunctions): Promise<Audience> {
	const api = new ActitoApi(await actitoClientFrom(ctx));
	const view = asItemContext(ctx);
	const { ref, tableId } = await audienceRef(view, api, 0);
	return {
		api,
		table: ref.table,
		tableId,
		segmentation: ref.segmentation,
		settings: profileSettings(view, 0),
		key: `${ref.entity}/${tableId}/${ref.segmentation}`,
	};
}

function momentMs(raw: RawProfile, settings: ProfileSettings): number | null {
	const moment = flattenProfile(raw, settings).updateMoment;
	const ms = moment ? Date.parse(moment) : NaN;
	return Number.isFinite(ms) ? ms : null;
}

function joinedItem(raw: RawProfile, audience: Audience): INodeExecutionData {
	const flat = flattenProfile(raw, audience.settings);
	const json: IDataObject = { event: 'joined', profileId: flat.profileId };
	if (flat.email !== null) json.email = flat.email;
	if (flat.phone !== null) json.phone = flat.phone;
	if (flat.country !== null) json.country = flat.country;
	json.marketingConsent = flat.marketingConsent;
	json.segmentation = audience.segmentation;
	json.table = audience.table;
	json.updateMoment = flat.updateMoment;
	return { json };
}

/** A leaver is no longer ours to describe: ids, consent and time only. */
function leftItem(profileId: string, audience: Audience, raw?: RawProfile): INodeExecutionData {
	const flat = raw ? flattenProfile(raw, audience.settings) : null;
	return {
		json: {
			event: 'left',
			profileId,
			marketingConsent: flat ? flat.marketingConsent : null,
			segmentation: audience.segmentation,
			table: audience.table,
			updateMoment: flat ? flat.updateMoment : null,
		},
	};
}

/**
 * The next watermark: the highest moment read, but never past the poll's start (a change made
 * while we paged may carry a lower moment than one read later), and never backwards.
 */
export function advanceWatermark(previous: string | undefined, maxSeenMs: number | null, startedAtMs: number): string {
	const prev = previous ? Date.parse(previous) : NaN;
	let next = maxSeenMs === null ? (Number.isFinite(prev) ? prev : startedAtMs) : Math.min(maxSeenMs, startedAtMs);
	if (Number.isFinite(prev) && prev > next) next = prev;
	return new Date(next).toISOString();
}

function readCursor(data: IDataObject, key: string): AudienceCursor | null {
	const c = data as unknown as Partial<AudienceCursor>;
	if (c.v !== CURSOR_VERSION || c.audience !== key || typeof c.members !== 'string' || typeof c.watermark !== 'string') {
		return null;
	}
	return c as AudienceCursor;
}

function writeCursor(data: IDataObject, cursor: AudienceCursor): void {
	// Replace, not merge: an older layout's fields must not linger.
	for (const k of Object.keys(data)) delete data[k];
	Object.assign(data, cursor);
}

/**
 * The first type name of this trigger, kept for saved workflows and hidden from the node panel:
 * n8n's panel folds a type `xTrigger` into the card of node `x` and shows the trigger's
 * description there, so new workflows get ActitoAudienceMembersTrigger (same parameters, same poll).
 */
export class ActitoAudienceTrigger implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Actito Audience Trigger',
		name: 'actitoAudienceTrigger',
		hidden: true,
		icon: { light: 'file:actito.svg', dark: 'file:actito.dark.svg' },
		group: ['trigger'],
		version: 1,
		subtitle: '={{$parameter["segmentation"].value}}',
		description: 'Starts the workflow when profiles join or leave an Actito audience (checks at an interval)',
		defaults: { name: 'Actito Audience Trigger' },
		polling: true,
		inputs: [],
		outputs: [NodeConnectionTypes.Main],
		credentials: [{ name: 'actitoApi', displayName: 'Actito Credential', required: true, testedBy: 'actitoApiTest' }],
		properties: [
			{
				displayName:
					'The first poll after activation records the current members and emits nothing; later polls emit who joined or left since.',
				name: 'notice',
				type: 'notice',
				default: '',
			},
			tableLocator,
			segmentationLocator,
			attributeSettings,
			{
				displayName: 'Options',
				name: 'options',
				type: 'collection',
				placeholder: 'Add option',
				default: {},
				options: [
					{
						displayName: 'Emit Current Members on First Poll',
						name: 'emitCurrentMembers',
						type: 'boolean',
						default: false,
						description: 'Whether the first poll emits every current member as joined, instead of only recording them',
					},
					{
						displayName: 'Full Check Every (Hours)',
						name: 'fullCheckHours',
						type: 'number',
						default: 24,
						typeOptions: { minValue: 0 },
						description:
							'How often to list the whole audience instead of only the changed profiles. Deleted profiles are only found this way. 0 never does.',
					},
				],
			},
		],
	};

	methods = {
		listSearch: { searchTables, searchSegmentations },
		credentialTest,
	};

	async poll(this: IPollFunctions): Promise<INodeExecutionData[][] | null> {
		try {
			const audience = await resolveAudience(this);
			if (this.getMode() === 'manual') return [await sample(this, audience)];
			return await pollChanges(this, audience);
		} catch (error) {
			throw toNodeError(this.getNode(), error);
		}
	}
}

/** "Fetch test event": one member as a joined event; the cursor does not move. */
async function sample(ctx: IPollFunctions, audience: Audience): Promise<INodeExecutionData[]> {
	for await (const page of audience.api.iterateProfilePages(audience.tableId, { segmentation: audience.segmentation, pageSize: 1 })) {
		if (page.length) return [joinedItem(page[0], audience)];
	}
	throw new NodeOperationError(ctx.getNode(), `Audience ${audience.segmentation} of table ${audience.table} has no members`, {
		description: 'There is no profile to show as a sample event. Add a profile to the segmentation in Actito, or pick another audience.',
	});
}

async function pollChanges(ctx: IPollFunctions, audience: Audience): Promise<INodeExecutionData[][] | null> {
	const data = ctx.getWorkflowStaticData('node');
	const startedAt = Date.now();
	const options = ctx.getNodeParameter('options', {}) as { emitCurrentMembers?: boolean; fullCheckHours?: number };
	const cursor = readCursor(data, audience.key);
	const items: INodeExecutionData[] = [];

	if (!cursor) {
		const { members, maxSeen } = await listMembers(audience, options.emitCurrentMembers ? items : null, null);
		// With no member to read a moment from, the poll's start stands in (the overlap covers skew).
		writeCursor(data, newCursor(audience, members, advanceWatermark(undefined, maxSeen, startedAt), startedAt));
		return items.length ? [items] : null;
	}

	let members: MemberMap = decodeMembers(cursor.members);
	let maxSeen: number | null = null;
	let lastFullCheckAt = cursor.lastFullCheckAt;
	const hours = Number(options.fullCheckHours ?? 24);
	const lastFull = Date.parse(lastFullCheckAt);
	if (hours > 0 && !(startedAt - lastFull < hours * 3_600_000)) {
		// Listing the whole audience is the only way to notice deleted members (they are never listed).
		const listed = await listMembers(audience, items, members);
		for (const id of members.keys()) {
			if (!listed.members.has(id)) items.push(leftItem(String(id), audience));
		}
		members = listed.members;
		maxSeen = listed.maxSeen;
		lastFullCheckAt = new Date(startedAt).toISOString();
	} else {
		const since = new Date(Date.parse(cursor.watermark) - WATERMARK_OVERLAP_MS).toISOString();
		// No segmentation filter: leavers are exactly the profiles that no longer match it.
		for await (const page of audience.api.iterateProfilePages(audience.tableId, { updatedSince: since, pageSize: PAGE_SIZE })) {
			for (const raw of page) {
				const id = toMemberId(raw.profileId);
				const isMember = isInSegmentation(raw, audience.segmentation);
				if (isMember && !members.has(id)) {
					members.set(id, 0);
					items.push(joinedItem(raw, audience));
				} else if (!isMember && members.has(id)) {
					members.delete(id);
					items.push(leftItem(String(id), audience, raw));
				}
				const ms = momentMs(raw, audience.settings);
				if (ms !== null && (maxSeen === null || ms > maxSeen)) maxSeen = ms;
			}
		}
	}

	// Written only after every page was read: a failed poll leaves the cursor where it was.
	writeCursor(data, {
		...newCursor(audience, members, advanceWatermark(cursor.watermark, maxSeen, startedAt), startedAt),
		lastFullCheckAt,
	});
	return items.length ? [items] : null;
}

/** Lists the audience; pushes a joined item for each member not in `known` when `out` is given. */
async function listMembers(
	audience: Audience,
	out: INodeExecutionData[] | null,
	known: MemberMap | null,
): Promise<{ members: MemberMap; maxSeen: number | null }> {
	const members: MemberMap = new Map();
	let maxSeen: number | null = null;
	for await (const page of audience.api.iterateProfilePages(audience.tableId, { segmentation: audience.segmentation, pageSize: PAGE_SIZE })) {
		for (const raw of page) {
			const id = toMemberId(raw.profileId);
			members.set(id, 0);
			if (out && !known?.has(id)) out.push(joinedItem(raw, audience));
			const ms = momentMs(raw, audience.settings);
			if (ms !== null && (maxSeen === null || ms > maxSeen)) maxSeen = ms;
		}
	}
	return { members, maxSeen };
}

function newCursor(audience: Audience, members: MemberMap, watermark: string, startedAt: number): AudienceCursor {
	return {
		v: CURSOR_VERSION,
		audience: audience.key,
		watermark,
		members: encodeMembers(members),
		memberCount: members.size,
		lastFullCheckAt: new Date(startedAt).toISOString(),
	};
}
