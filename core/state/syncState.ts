// The state of one audience link, kept in the workflow's `global` static data under
// `actitoMeta:<link>`. It holds ids, fingerprints, counts and times only: never an e-mail,
// phone or name. Every read and write of it goes through this module.

import { decodeMembers, encodeMembers, MemberCodecError, type MemberMap } from './memberCodec';

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
	status: 'running' | 'success' | 'partial' | 'error';
	mode: 'incremental' | 'full';
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

/** A link state with its members decoded, ready to be read and changed in one execution. */
export interface OpenState {
	state: LinkState;
	members: MemberMap;
	/** True when nothing was stored yet for this link (first run). */
	isNew: boolean;
}

export function readState(bucket: Record<string, unknown>, link: string): OpenState | null {
	const raw = bucket[stateKey(link)];
	if (raw === undefined || raw === null) return null;
	const fix = `Reset it by deleting the key "${stateKey(link)}" from the workflow's static data (the next run then re-reads every member), or restore the previous workflow version.`;
	if (typeof raw !== 'object') throw new SyncStateError(`The sync state of ${link} is not an object. ${fix}`);
	const state = raw as LinkState;
	if (state.version !== STATE_VERSION) {
		throw new SyncStateError(
			`The sync state of ${link} has version ${String(state.version)}, this package reads version ${STATE_VERSION}. Update the package, or ${fix}`,
		);
	}
	let failure: unknown;
	try {
		return { state: { ...state, runs: [...(state.runs ?? [])] }, members: decodeMembers(state.members), isNew: false };
	} catch (error) {
		failure = error;
	}
	if (failure instanceof MemberCodecError) {
		throw new SyncStateError(`The member list in the sync state of ${link} cannot be read (${failure.message}). ${fix}`);
	}
	throw failure;
}

export function openState(
	bucket: Record<string, unknown>,
	actito: ActitoAudienceRef,
	metaAudienceId: string,
): OpenState {
	const link = buildLink(actito, metaAudienceId);
	return readState(bucket, link) ?? { state: emptyState(actito, metaAudienceId), members: new Map(), isNew: true };
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
	if (!match) return null;
	return { actito: { entity: match[1], table: match[2], segmentation: match[3] }, metaAudienceId: match[4] };
}
