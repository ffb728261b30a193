// The state of one audience link, kept in the workflow's `global` static data under
// `actitoMeta:<link>`. It holds ids, fingerprints, counts and times only: never an e-mail,
// phone or name. Every read and write of it goes through this module.

import type { LinkConfig } from '../link/config';
import { isMetaKey } from '../identifiers/metaKeys';
import { decodeMembers, encodeMembers, MemberTable, type MemberMap } from './memberCodec';

export const STATE_VERSION = 1;
export const MAX_RUNS = 20;

export interface ActitoAudienceRef {
	entity: string;
	table: string;
	/** `Category:Name` of the segmentation whose members form the audience. */
	segmentation: string;
}

export interface SyncRunRecord {
	startedAt: string;
	finishedAt: string | null;
	/** `blocked`: the mass-removal guard stopped the removals (see LinkState.guard). */
	status: 'running' | 'success' | 'partial' | 'error' | 'blocked';
	mode: 'incremental' | 'full';
	/** The run sent the whole wanted set through usersreplace (recovery, or changed row settings). */
	replace?: boolean;
	/** Why it replaced, or what it could not check (recovery check failed, bad updateMoment values…). */
	notes?: string[];
	planned: { add: number; remove: number };
	added: number;
	removed: number;
	unchanged: number;
	invalid: number;
	blockedForConsent: number;
	/** Changes left for the next run because of the per-run cap. */
	deferred: number;
	sessions: string[];
	error?: string;
}

export interface LinkState {
	version: number;
	link: string;
	actito: ActitoAudienceRef;
	metaAudienceId: string;
	/** Encoded MemberMap (see memberCodec). */
	members: string;
	memberCount: number;
	/** Actito updateMoment of the last committed incremental read. */
	watermark: string | null;
	/** The watermark the run in progress will commit when it finishes without error. */
	candidateWatermark: string | null;
	lastFullReconcileAt: string | null;
	lastMemberUpdateAt: string | null;
	/** Set when Meta holds every wanted change; null while changes wait. */
	syncedAt: string | null;
	activatedAt: string | null;
	/** The Meta schema this audience was filled with (Meta allows one per audience). */
	schema: string[] | null;
	/** Set when Meta shows uploads the state does not know: the run in progress replaces. */
	replacePending?: { detectedAt: string; sessions: string[] } | null;
	runs: SyncRunRecord[];
	/** The link configuration the last run used (core/link/config.ts); written by the sync step. */
	config?: LinkConfig;
	/**
	 * Get Changes' own settings for an item chain (attribute names, no values), written when it
	 * plans: Get Profile Status builds the same rule from them (itemChainLinkConfig, core/sync/planRun.ts).
	 */
	itemChain?: StoredItemChain;
	/** rowsKeyOf / wantedKeyOf of that configuration: a change is handled on purpose. */
	rowsKey?: string;
	wantedKey?: string;
	/** Refusals to log in Actito's audit table that were not logged yet (ids and reason only). */
	pendingRefusals?: Array<{ profileId: string; reason: string }>;
	/** Set while the mass-removal guard holds removals back. */
	guard?: { blockedAt: string; removals: number; memberCount: number; share: number } | null;
	/** Outcome of the last check for uploads the state does not know. */
	recoveryCheck?: { ok: boolean; at: string; error?: string } | null;
	/** Error of the last run, null after a run without error. */
	lastError?: string | null;
}

export class SyncStateError extends Error {
	constructor(message: string) {
		super(message);
		this.name = 'SyncStateError';
	}
}

export function buildLink(actito: ActitoAudienceRef, metaAudienceId: string): string {
	return `actito:${actito.entity}/${actito.table}/seg:${actito.segmentation}→meta:${metaAudienceId}`;
}

export function stateKey(link: string): string {
	return `actitoMeta:${link}`;
}

export function emptyState(actito: ActitoAudienceRef, metaAudienceId: string): LinkState {
	return {
		version: STATE_VERSION,
		link: buildLink(actito, metaAudienceId),
		actito,
		metaAudienceId,
		members: '',
		memberCount: 0,
		watermark: null,
		candidateWatermark: null,
		lastFullReconcileAt: null,
		lastMemberUpdateAt: null,
		syncedAt: null,
		activatedAt: null,
		schema: null,
		runs: [],
	};
}

export interface StoredItemChain {
	segmentation: string;
	profileSettings: Record<string, string>;
	schema: string[];
	defaultCountry: string | null;
	unknownConsent: 'allow' | 'block';
}

/** A link state with its members decoded, ready to be read and changed in one execution. */
export interface OpenState {
	state: LinkState;
	members: MemberMap;
	/** True when nothing was stored yet for this link (first run). */
	isNew: boolean;
}

/** Clock skew tolerated for stored moments (watermark) before they count as "in the future". */
const STATE_SKEW_MS = 10 * 60_000;
const RUN_STATUSES = new Set(['running', 'success', 'partial', 'error', 'blocked']);
const RUN_MODES = new Set(['incremental', 'full']);

function resetHint(link: string): string {
	return (
		`Nothing was changed. To start this link afresh on purpose, turn on "Discard Stored State" in the Sync from Actito Audience step for one run ` +
		`(the next run re-reads every member and replaces the Meta audience), or reset it by deleting the key "${stateKey(link)}" from the workflow's static data, ` +
		'or restore the previous workflow version.'
	);
}

function isMoment(value: unknown): boolean {
	return typeof value === 'string' && /^\d{4}-\d{2}-\d{2}T/.test(value) && Number.isFinite(Date.parse(value));
}

/**
 * Every field of a stored state, checked and cross-checked. Returns the problems (empty when
 * the state is sound) and the decoded members.
 */
export function validateState(raw: unknown, link: string, nowMs = Date.now()): { problems: string[]; members: MemberMap | null } {
	const problems: string[] = [];
	if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
		return { problems: [`the state is ${Array.isArray(raw) ? 'a list' : typeof raw}, not an object`], members: null };
	}
	const s = raw as Record<string, unknown>;
	if (s.version !== STATE_VERSION) {
		problems.push(
			typeof s.version === 'number'
				? `it has version ${s.version}; this package reads version ${STATE_VERSION} (update the package if it is newer)`
				: `its version is ${JSON.stringify(s.version)?.slice(0, 20) ?? 'missing'} (${typeof s.version}), not the number ${STATE_VERSION}`,
		);
	}
	if (s.link !== link) problems.push(`it names the link ${JSON.stringify(String(s.link ?? '')).slice(0, 120)}, not this one`);
	const actito = s.actito as Record<string, unknown> | null;
	if (!actito || typeof actito !== 'object' || ['entity', 'table', 'segmentation'].some((k) => typeof actito[k] !== 'string')) {
		problems.push('its Actito audience (actito.entity, table, segmentation) is missing or not text');
	}
	if (typeof s.metaAudienceId !== 'string' || !/^\d+$/.test(s.metaAudienceId)) problems.push('its Meta audience id is not a string of digits');
	let members: MemberMap | null = null;
	if (typeof s.members !== 'string') problems.push(`its member list is ${s.members === null ? 'null' : typeof s.members}, not encoded text`);
	else if (!/^[A-Za-z0-9+/]*={0,2}$/.test(s.members)) problems.push('its member list is not base64 text');
	else {
		try {
			members = decodeMembers(s.members);
		} catch (error) {
			problems.push(`its member list cannot be read (${(error as Error).message})`);
		}
	}
	if (typeof s.memberCount !== 'number' || !Number.isSafeInteger(s.memberCount) || s.memberCount < 0) {
		problems.push('its member count is not a whole number ≥ 0');
	} else if (members && members.size !== s.memberCount) {
		problems.push(`its member count says ${s.memberCount} but its member list holds ${members.size}`);
	}
	for (const field of ['watermark', 'candidateWatermark', 'lastFullReconcileAt', 'lastMemberUpdateAt', 'syncedAt', 'activatedAt']) {
		const v = s[field];
		if (v === undefined || v === null) continue;
		if (!isMoment(v)) problems.push(`its ${field} is not a date (${JSON.stringify(v)?.slice(0, 40)})`);
		else if ((field === 'watermark' || field === 'candidateWatermark') && Date.parse(v as string) > nowMs + STATE_SKEW_MS) {
			problems.push(`its ${field} ${v as string} lies in the future (incremental reads would miss every change until then)`);
		}
	}
	if (s.schema !== null && s.schema !== undefined && !(Array.isArray(s.schema) && s.schema.every(isMetaKey))) {
		problems.push('its schema is not a list of Meta keys');
	}
	const rp = s.replacePending as Record<string, unknown> | null | undefined;
	if (rp !== undefined && rp !== null && (typeof rp !== 'object' || !isMoment(rp.detectedAt) || !Array.isArray(rp.sessions))) {
		problems.push('its pending replace is not {detectedAt, sessions}');
	}
	if (!Array.isArray(s.runs)) problems.push(`its run history is ${s.runs === null ? 'null' : typeof s.runs}, not a list`);
	else {
		s.runs.forEach((r, i) => {
			const run = r as Record<string, unknown> | null;
			if (!run || typeof run !== 'object' || Array.isArray(run)) return problems.push(`run ${i} of its history is not an object`);
			if (!isMoment(run.startedAt)) problems.push(`run ${i} has no start date`);
			if (!RUN_STATUSES.has(run.status as string)) problems.push(`run ${i} has the unknown status ${JSON.stringify(run.status)?.slice(0, 20)}`);
			if (!RUN_MODES.has(run.mode as string)) problems.push(`run ${i} has the unknown mode ${JSON.stringify(run.mode)?.slice(0, 20)}`);
			if (!Array.isArray(run.sessions)) problems.push(`run ${i} has no session list`);
			for (const n of ['added', 'removed']) {
				if (typeof run[n] !== 'number' || !((run[n] as number) >= 0)) problems.push(`run ${i} has a bad ${n} count`);
			}
			return undefined;
		});
	}
	const pending = s.pendingRefusals;
	if (
		pending !== undefined &&
		!(Array.isArray(pending) && pending.every((p) => p && typeof p === 'object' && /^\d+$/.test(String((p as { profileId?: unknown }).profileId)) && typeof (p as { reason?: unknown }).reason === 'string'))
	) {
		problems.push('its list of refusals to log is not a list of {profileId, reason}');
	}
	if (s.config !== undefined && (typeof s.config !== 'object' || s.config === null || Array.isArray(s.config))) {
		problems.push('its stored link configuration is not an object');
	}
	const chain = s.itemChain as Record<string, unknown> | null | undefined;
	if (
		chain !== undefined &&
		!(
			chain &&
			typeof chain === 'object' &&
			typeof chain.segmentation === 'string' &&
			Array.isArray(chain.schema) &&
			chain.schema.every((k) => typeof k === 'string') &&
			chain.profileSettings !== null &&
			typeof chain.profileSettings === 'object' &&
			(chain.unknownConsent === 'allow' || chain.unknownConsent === 'block')
		)
	) {
		problems.push('its stored item-chain settings are not {segmentation, profileSettings, schema, defaultCountry, unknownConsent}');
	}
	for (const field of ['rowsKey', 'wantedKey', 'lastError']) {
		if (s[field] !== undefined && s[field] !== null && typeof s[field] !== 'string') problems.push(`its ${field} is not text`);
	}
	return { problems, members };
}

export function readState(bucket: Record<string, unknown>, link: string, nowMs = Date.now()): OpenState | null {
	const raw = bucket[stateKey(link)];
	if (raw === undefined || raw === null) return null;
	const { problems, members } = validateState(raw, link, nowMs);
	if (problems.length || !members) {
		throw new SyncStateError(`The stored sync state of ${link} is not sound: ${problems.join('; ')}. ${resetHint(link)}`);
	}
	const state = raw as LinkState;
	return { state: { ...state, runs: [...state.runs] }, members, isNew: false };
}

/** The state of the link that syncs into this Meta audience, whatever its Actito side (Get Status). */
export function findStateByAudience(bucket: Record<string, unknown>, metaAudienceId: string): { link: string; open: OpenState } | null {
	for (const [key, value] of Object.entries(bucket ?? {})) {
		if (!key.startsWith('actitoMeta:')) continue;
		const link = key.slice('actitoMeta:'.length);
		const id = value && typeof value === 'object' ? (value as { metaAudienceId?: unknown }).metaAudienceId : undefined;
		if (id === metaAudienceId || link.endsWith(`→meta:${metaAudienceId}`)) {
			const open = readState(bucket, link);
			if (open) return { link, open };
		}
	}
	return null;
}

/**
 * The link synced by this workflow (one link per workflow, as the generator writes them): what
 * Get Status reads when its link is "this workflow's", so the Meta audience is set only in the
 * Sync step. Null before the first run; an error when the workflow holds several links.
 */
export function findWorkflowLink(bucket: Record<string, unknown>): { link: string; open: OpenState } | null {
	const links = Object.keys(bucket ?? {})
		.filter((key) => key.startsWith('actitoMeta:'))
		.map((key) => key.slice('actitoMeta:'.length));
	if (links.length > 1) {
		throw new SyncStateError(
			`This workflow holds the state of ${links.length} audience links (${links.join(', ')}), so "this workflow's link" is ambiguous. ` +
				'Set Link to "By Meta Audience" and pick the audience, or keep one link per workflow (the generator writes one file per link).',
		);
	}
	if (!links.length) return null;
	const open = readState(bucket, links[0]);
	return open ? { link: links[0], open } : null;
}

export function openState(
	bucket: Record<string, unknown>,
	actito: ActitoAudienceRef,
	metaAudienceId: string,
): OpenState {
	const link = buildLink(actito, metaAudienceId);
	return readState(bucket, link) ?? { state: emptyState(actito, metaAudienceId), members: new MemberTable(), isNew: true };
}

export function writeState(bucket: Record<string, unknown>, open: OpenState): void {
	open.state.members = encodeMembers(open.members);
	open.state.memberCount = open.members.size;
	open.state.runs = open.state.runs.slice(-MAX_RUNS);
	bucket[stateKey(open.state.link)] = open.state;
	open.isNew = false;
}

export function currentRun(state: LinkState): SyncRunRecord | undefined {
	const last = state.runs[state.runs.length - 1];
	return last && last.status === 'running' ? last : undefined;
}

/** The inverse of buildLink, for a Sync Members step that finds no state for its link yet. */
export function parseLink(link: string): { actito: ActitoAudienceRef; metaAudienceId: string } | null {
	const match = /^actito:([^/]+)\/([^/]+)\/seg:(.+)→meta:(\d+)$/.exec(link);
	// Links of attribute audiences (attr:…) are only made by the sync step, which keeps its own state.
	if (!match) return null;
	return { actito: { entity: match[1], table: match[2], segmentation: match[3] }, metaAudienceId: match[4] };
}
