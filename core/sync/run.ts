// The streaming sync step of one audience link (docs/DESIGN.md, "One sync step"): page by page,
// read Actito → decide (core/sync/wanted.ts) → hash → diff against the state → upload in
// batches of at most 10,000, one upload session per operation → commit each accepted batch.
// Memory: one Actito page, one batch per operation, the state (members, and the ids seen in
// this run). No per-profile output: the caller gets one details record, the refused ids (for
// the audit log) and, on request, a bounded change set with hashed rows only.
//
// Removals: a removal whose profile is re-added with new hashes (identifiers changed) goes just
// before its addition. Every other removal (left, withdrew consent, deleted) is held as an id
// until the read is over, then checked by the mass-removal guard, then sent, before the last
// batch of additions. Additions stream out in full batches while reading.

import type { ActitoApi } from '../actito/actitoApi';
import type { RawProfile } from '../actito/profile';
import type { MetaKey } from '../identifiers';
import { linkIdOf, rowsKeyOf, schemaChange, schemaOf, wantedKeyOf, type LinkConfig } from '../link/config';
import type { MetaClient } from '../meta/metaClient';
import { MetaApiError } from '../meta/metaErrors';
import { MemberTable, toMemberId, type MemberMap } from '../state/memberCodec';
import { emptyState, MAX_RUNS, readState, stateKey, type LinkState, type OpenState, type SyncRunRecord } from '../state/syncState';
import { readLinkMarker, withLinkMarker, LinkConflictError } from './linkMarker';
import { classifySessions, newSessionId } from './sessions';
import { decideProfile, parseMoment, removalRowOf, type WhyNot } from './wanted';
import { encodeMembers } from '../state/memberCodec';
import { IdSet } from '../state/idSet';

export type ChangeReason =
	| 'joined'
	| 'left'
	| 'deleted'
	| 'identifiers_changed'
	| 'consent_withdrawn'
	| 'no_valid_identifier'
	| 'reconcile'
	| 'realtime_backstop'
	| 'replace';

export interface ChangeRecord {
	profileId: string;
	action: 'add' | 'remove' | 'replace';
	reason: ChangeReason;
	/** Hashed (or EXTERN_ID-only for removals): never a plain identifier. */
	row: string[];
}

export interface RefusedProfile {
	profileId: string;
	/** consent_negative, or consent_unknown when the policy blocks unknown consent. */
	reason: string;
}

export interface SyncRunInput {
	config: LinkConfig;
	actito: ActitoApi;
	meta: MetaClient;
	/** The workflow's `global` static data. */
	bucket: Record<string, unknown>;
	/** Everything but the uploads and the state write (editor test runs, inspection). */
	dryRun?: boolean;
	forceFullReconcile?: boolean;
	/** Lets a run that trips the mass-removal guard remove all the same. */
	allowMassRemoval?: boolean;
	/** Start afresh on purpose: the stored state is ignored (and replaced when the run ends). */
	discardState?: boolean;
	/** Keep up to this many changes (hashed rows) for the change-set output; 0: none. */
	changeSetLimit?: number;
	now?: () => Date;
}

export interface SyncDetails {
	link: string;
	/** The link's Meta side, so the steps after Sync (Estimated Size) take it from here, not from a second setting. */
	adAccountId: string;
	metaAudienceId: string;
	status: SyncRunRecord['status'] | 'dry_run';
	mode: 'incremental' | 'full';
	replace: boolean;
	dryRun: boolean;
	schema: MetaKey[];
	sent: { add: number; remove: number; replace: number };
	unchanged: number;
	refusedForConsent: number;
	invalid: number;
	/** Removals held back by the mass-removal guard, or refused by Meta (audience too small). */
	removalsHeld: number;
	coverage: Record<string, number>;
	invalidByReason: Record<string, number>;
	sessions: string[];
	batches: number;
	pagesRead: number;
	profilesRead: number;
	requests: { actito: number; meta: number };
	memberCount: number;
	syncedAt: string | null;
	watermark: string | null;
	notes: string[];
	guard: LinkState['guard'] | null;
	error?: { message: string; hint?: string; kind?: string; code?: number; subcode?: number };
	startedAt: string;
	finishedAt: string;
}

export interface SyncRunOutcome {
	details: SyncDetails;
	refused: RefusedProfile[];
	changes: ChangeRecord[];
	/** The error that stopped the run, already recorded in the state (the caller rethrows it). */
	error: unknown;
}

/** A state could not be used: nothing ran, nothing was written. */
export class SyncSetupError extends Error {
	constructor(
		message: string,
		readonly hint?: string,
	) {
		super(message);
		this.name = 'SyncSetupError';
	}
}

/**
 * The run was handed no state for a link that has synced before (its marker is in the Meta
 * audience). Going on would be a first sync: additions only, every leaver kept at Meta for ever.
 * On n8n 2.x queue mode a worker gets empty static data for every scheduled run, so this is the
 * error users of that setup meet first; a state that was really lost is restarted on purpose
 * with "Discard Stored State" (one replace that makes the audience exact).
 */
export class StateLostError extends SyncSetupError {
	constructor(
		readonly link: string,
		readonly audienceId: string,
	) {
		super(
			`n8n handed this run no sync state although the link has synced before (Meta audience ${audienceId} carries the marker of ${link}): ` +
				'nothing was read from Actito or sent to Meta, so that no leaver stays at Meta.',
			"On n8n 2.x queue mode set the 'N8n Link State in Queue Mode API' credential on the Sync node, see README 'Scaling: queue mode'. " +
				"If the state is really gone (workflow re-created or its static data reset), turn on 'Discard Stored State' for one run: it replaces the audience to be exact.",
		);
		this.name = 'StateLostError';
	}
}

export class MassRemovalGuardError extends Error {
	readonly hint: string;
	constructor(
		readonly removals: number,
		readonly memberCount: number,
		readonly limits: LinkConfig['limits'],
	) {
		super(
			`This run would remove ${removals} of the ${memberCount} members at Meta (${Math.round((100 * removals) / Math.max(1, memberCount))}%), ` +
				`more than the mass-removal guard allows (${Math.round(100 * limits.maxRemovalShare)}% once at least ${limits.minRemovalsForGuard} removals): nothing was removed.`,
		);
		this.name = 'MassRemovalGuardError';
		this.hint =
			'Check the Actito audience (an emptied segmentation, a changed rule, a broken answer). If the removals are right, turn on "Allow Mass Removal" ' +
			'in the Sync from Actito Audience step for one run, or raise the guard\'s share in the link configuration.';
	}
}

const MAX_PENDING_REFUSALS = 100_000;

/** Put into the Meta audience's description, it makes the next run a full reconcile (then it is removed). */
export const RECONCILE_TAG = /\[actito-meta:\s*reconcile\]/i;

function reasonFor(why: WhyNot | null): ChangeReason {
	switch (why) {
		case 'not_member':
			return 'left';
		case 'deleted':
			return 'deleted';
		case 'consent_negative':
		case 'consent_unknown':
			return 'consent_withdrawn';
		case 'no_valid_identifier':
			return 'no_valid_identifier';
		default:
			return 'reconcile';
	}
}

function describe(error: unknown): NonNullable<SyncDetails['error']> {
	const e = (error ?? {}) as { message?: string; hint?: string; kind?: string; code?: number; subcode?: number };
	return {
		message: e.message || String(error),
		...(e.hint ? { hint: e.hint } : {}),
		...(e.kind ? { kind: e.kind } : {}),
		...(typeof e.code === 'number' ? { code: e.code } : {}),
		...(typeof e.subcode === 'number' ? { subcode: e.subcode } : {}),
	};
}

function newState(config: LinkConfig, link: string): LinkState {
	const rule = config.actito.audience;
	const actito = {
		entity: config.actito.entity,
		table: config.actito.table,
		segmentation: rule.kind === 'segmentation' ? rule.segmentation : `attr:${rule.attribute}=${rule.value}`,
	};
	// The one empty state of core/state/syncState.ts; the link id comes from the configuration.
	return { ...emptyState(actito, config.meta.audienceId), link };
}

interface Entry {
	id: number;
	fingerprint: number;
}

/** One upload session of one operation: rows are buffered up to a batch, sent, then committed. */
class SessionWriter {
	private sessionId: number | null = null;
	private seq = 0;
	private rows: string[][] = [];
	private entries: Entry[] = [];
	private lastRow: string[] | null = null;
	sent = 0;
	closed = false;

	constructor(
		private readonly run: Runner,
		readonly operation: 'add' | 'remove' | 'replace',
	) {}

	get buffered(): number {
		return this.rows.length;
	}

	async push(row: string[], entry: Entry): Promise<void> {
		if (this.rows.length >= this.run.batchSize) await this.flush(false);
		this.rows.push(row);
		this.entries.push(entry);
	}

	/** Sends the buffer; `last` closes the session (re-sending one row if the buffer is empty). */
	async flush(last: boolean): Promise<void> {
		if (this.closed) return;
		if (!this.rows.length) {
			if (!last || this.sessionId === null) return;
			// The session is open and nothing is left: close it with a harmless repeat of its last row.
			this.rows.push(this.lastRow!);
			this.entries.push({ id: -1, fingerprint: 0 });
		}
		const rows = this.rows;
		const entries = this.entries;
		this.rows = [];
		this.entries = [];
		if (this.sessionId === null) {
			this.sessionId = newSessionId('hourly');
			this.run.sessionOpened(String(this.sessionId));
		}
		this.seq++;
		if (!this.run.dryRun) {
			await this.run.meta.upload({
				audienceId: this.run.config.meta.audienceId,
				adAccountId: this.run.config.meta.adAccountId,
				operation: this.operation,
				schema: this.run.schema,
				rows,
				session: { sessionId: this.sessionId, batchSeq: this.seq, lastBatchFlag: last },
			});
		}
		this.run.batches++;
		this.lastRow = rows[rows.length - 1];
		const real = entries.filter((e) => e.id >= 0);
		this.sent += real.length;
		this.run.accepted(this.operation, real);
		if (last) this.closed = true;
	}
}

class Runner {
	readonly schema: MetaKey[];
	readonly batchSize: number;
	readonly dryRun: boolean;
	batches = 0;
	sessions: string[] = [];
	/** Replace: every row Meta will hold once the last batch lands. */
	private replaced: MemberMap | null = null;
	private touched = false;

	constructor(
		readonly config: LinkConfig,
		readonly meta: MetaClient,
		readonly open: OpenState,
		readonly run: SyncRunRecord,
		dryRun: boolean,
		private readonly nowIso: () => string,
	) {
		this.schema = schemaOf(config);
		this.batchSize = config.limits.batchSize;
		this.dryRun = dryRun;
	}

	sessionOpened(id: string): void {
		this.sessions.push(id);
		this.run.sessions.push(id);
	}

	startReplace(): void {
		this.replaced = new MemberTable();
	}

	/** Commit per batch: exactly the profiles of an accepted batch change in `members`. */
	accepted(operation: 'add' | 'remove' | 'replace', entries: Entry[]): void {
		if (this.dryRun) return;
		const members = this.open.members;
		if (operation === 'replace') {
			for (const e of entries) this.replaced!.set(e.id, e.fingerprint);
			return;
		}
		for (const e of entries) {
			if (operation === 'remove') {
				if (members.delete(e.id)) this.touched = true;
			} else if (members.get(e.id) !== e.fingerprint) {
				members.set(e.id, e.fingerprint);
				this.touched = true;
			}
		}
		if (operation === 'remove') this.run.removed += entries.length;
		else this.run.added += entries.length;
		this.afterCommit();
	}

	/** A replace takes effect when its last batch lands: only then does Meta hold exactly these rows. */
	replaceLanded(): void {
		if (this.dryRun || !this.replaced) return;
		this.open.members.clear();
		for (const [id, fp] of this.replaced) this.open.members.set(id, fp);
		this.run.added += this.replaced.size;
		this.touched = true;
		this.afterCommit();
	}

	private afterCommit(): void {
		if (this.touched) this.open.state.lastMemberUpdateAt = this.nowIso();
		this.open.state.memberCount = this.open.members.size;
	}
}

function chooseMode(open: OpenState, config: LinkConfig, force: boolean, nowMs: number): 'incremental' | 'full' {
	const { state } = open;
	if (open.isNew || force || !state.watermark || !state.lastFullReconcileAt) return 'full';
	if (config.fullReconcileEveryHours > 0) {
		const age = nowMs - Date.parse(state.lastFullReconcileAt);
		if (!(age < config.fullReconcileEveryHours * 3_600_000)) return 'full';
	}
	return 'incremental';
}

/** Writes the state back into the bucket (members encoded, history trimmed). */
function save(bucket: Record<string, unknown>, open: OpenState): void {
	open.state.members = encodeMembers(open.members);
	open.state.memberCount = open.members.size;
	open.state.runs = open.state.runs.slice(-MAX_RUNS);
	// A fresh object: n8n notices the change of a top-level key of the static data.
	bucket[stateKey(open.state.link)] = { ...open.state };
}

/**
 * Opens the stored state of a link, validated; null when there is none. Throws SyncSetupError
 * (with the fix) when it is not sound.
 */
export function openLinkState(bucket: Record<string, unknown>, config: LinkConfig, nowMs = Date.now()): OpenState | null {
	const link = linkIdOf(config);
	let failure: unknown;
	try {
		return readState(bucket, link, nowMs);
	} catch (error) {
		failure = error;
	}
	throw new SyncSetupError((failure as Error).message);
}

export async function runSync(input: SyncRunInput): Promise<SyncRunOutcome> {
	const config = input.config;
	const now = input.now ?? (() => new Date());
	const nowIso = () => now().toISOString();
	const started = now();
	const link = linkIdOf(config);
	const dryRun = Boolean(input.dryRun);
	const stored = input.discardState ? null : openLinkState(input.bucket, config, started.getTime());
	const open: OpenState = stored ?? { state: newState(config, link), members: new MemberTable(), isNew: true };
	const { state } = open;
	const notes: string[] = [];
	if (input.discardState && input.bucket[stateKey(link)] !== undefined) notes.push('The stored state was discarded on request.');
	const metaRequestsBefore = input.meta.stats.requests;
	const actitoStats = (input.actito.client as unknown as { stats?: { requests?: number } }).stats;
	const actitoRequestsBefore = actitoStats?.requests ?? 0;

	const previousRunStart = state.runs.length ? state.runs[state.runs.length - 1].startedAt : null;
	const run: SyncRunRecord = {
		startedAt: started.toISOString(),
		finishedAt: null,
		status: 'running',
		mode: 'full',
		planned: { add: 0, remove: 0 },
		added: 0,
		removed: 0,
		unchanged: 0,
		invalid: 0,
		blockedForConsent: 0,
		deferred: 0,
		sessions: [],
	};
	// Copies: a dry run must leave the stored objects as they are.
	const history = state.runs.map((r) => ({ ...r, sessions: [...(r.sessions ?? [])] }));
	state.runs = [...history, run];
	// A run that never closed (killed) is recorded as such.
	const stale = history[history.length - 1];
	if (stale && stale.status === 'running') {
		stale.status = 'error';
		stale.finishedAt = stale.finishedAt ?? started.toISOString();
		stale.error = stale.error ?? 'The run stopped before it finished (n8n was stopped or killed); this run repairs what it left.';
	}

	const runner = new Runner(config, input.meta, open, run, dryRun, nowIso);
	const changes: ChangeRecord[] = [];
	const changeLimit = Math.max(0, input.changeSetLimit ?? 0);
	const note = (change: ChangeRecord) => {
		if (changes.length < changeLimit) changes.push(change);
	};
	const refusedNew = new Map<string, string>();
	const coverage: Record<string, number> = Object.fromEntries(schemaOf(config).map((k) => [k, 0]));
	const invalidByReason: Record<string, number> = {};
	let pagesRead = 0;
	let profilesRead = 0;
	let removalsHeld = 0;
	let guardTripped: LinkState['guard'] | null = null;
	let mode: 'incremental' | 'full' = 'full';
	let replace = false;
	let candidateMs: number | null = null;
	const badMoments = { not_a_date: 0, in_the_future: 0 };
	let failure: unknown = null;
	let removalsRefusedByMeta = false;
	let reconcileTagToClear: string | null = null;
	/** Sessions the replace of this run is about: known from now on once it succeeded. */
	const unknownSessions: string[] = [];
	const adds = new SessionWriter(runner, 'add');
	const removes = new SessionWriter(runner, 'remove');
	const replacer = new SessionWriter(runner, 'replace');

	try {
		const schemaProblem = schemaChange(state.schema, config);
		if (schemaProblem) throw new SyncSetupError(schemaProblem);

		// One Actito audience ↔ one Meta audience: the marker in the Meta audience's description.
		const audience = await input.meta.getAudience(config.meta.audienceId, ['id', 'name', 'description']);
		const holder = readLinkMarker(audience.description);
		if (holder && holder !== link) throw new LinkConflictError(config.meta.audienceId, holder, link);

		const replaceReasons: string[] = [];
		if (open.isNew && holder === link) {
			// Only on purpose (Discard Stored State) or to show it (dry run: editor test runs get no
			// static data): a silent replace every hour would hide a setup that loses the state.
			if (!input.discardState && !dryRun) throw new StateLostError(link, config.meta.audienceId);
			replaceReasons.push('this link filled the Meta audience before but has no stored state (discarded on request): the audience is replaced to be exact');
		}
		const rowsKey = rowsKeyOf(config);
		const wantedKey = wantedKeyOf(config);
		if (!open.isNew && state.rowsKey && state.rowsKey !== rowsKey && open.members.size) {
			replaceReasons.push('a setting that changes the hashed rows changed (identifier mapping, country attribute or default country): the audience is replaced on purpose');
		}
		if (state.replacePending) replaceReasons.push('a replace detected by an earlier run is still to be done');
		let sweep = false;
		let sweepSinceMs: number | null = null;
		unknownSessions.push(...(state.replacePending?.sessions ?? []));
		if (!open.isNew) {
			try {
				const sessions = await input.meta.getSessions(config.meta.audienceId);
				const classes = classifySessions({ ...state, runs: history }, sessions);
				if (classes.unknown.length) {
					unknownSessions.push(...classes.unknown);
					replaceReasons.push(
						`Meta shows ${classes.unknown.length} upload session(s) this state does not know (a run that was stopped half-way, or an upload from elsewhere)`,
					);
					state.replacePending = {
						detectedAt: started.toISOString(),
						sessions: [...(state.replacePending?.sessions ?? []), ...classes.unknown],
					};
				}
				sweep = classes.items.length > 0 && Boolean(previousRunStart);
				sweepSinceMs = classes.itemsSinceMs;
				// Seen once: the next run does not sweep for the same sessions again.
				run.sessions.push(...classes.items);
				if (sweep) notes.push(`The real-time flow uploaded ${classes.items.length} session(s) since the last run: changed profiles that are not wanted are removed as well.`);
				state.recoveryCheck = { ok: true, at: started.toISOString() };
			} catch (error) {
				const e = describe(error);
				const text = `The check for uploads the state does not know failed: ${e.message}${e.hint ? ` ${e.hint}` : ''}. A run stopped half-way would go unnoticed until this check works again.`;
				notes.push(text);
				state.recoveryCheck = { ok: false, at: started.toISOString(), error: text };
			}
		}
		replace = replaceReasons.length > 0;
		notes.push(...replaceReasons.map((r) => `Replace: ${r}.`));
		// Forcing a full reconcile without editing the workflow: the tag in the Meta audience's
		// description (Ads Manager → audience → Edit description) asks the next run for one.
		const reconcileAsked = typeof audience.description === 'string' && RECONCILE_TAG.test(audience.description);
		if (reconcileAsked) notes.push('Full reconcile asked for by the tag [actito-meta: reconcile] in the Meta audience description.');
		mode = replace ? 'full' : chooseMode(open, config, Boolean(input.forceFullReconcile) || reconcileAsked, started.getTime());
		reconcileTagToClear = reconcileAsked ? String(audience.description) : null;
		if (!replace && mode === 'incremental' && state.wantedKey && state.wantedKey !== wantedKey) {
			mode = 'full';
			notes.push('Full reconcile: the audience rule or the consent settings changed.');
		}
		run.mode = mode;
		run.replace = replace || undefined;

		const table = await input.actito.getProfileTable(config.actito.table);
		const rule = config.actito.audience;
		if (rule.kind === 'segmentation' && !table.segmentations.some((s) => `${s.category}:${s.name}` === rule.segmentation)) {
			throw new SyncSetupError(
				`Segmentation "${rule.segmentation}" does not exist in the Actito table ${table.name}: nothing was read or sent.`,
				`Segmentations of ${table.name}: ${table.segmentations.map((s) => `${s.category}:${s.name}`).join(', ') || 'none'}. Fix the link configuration.`,
			);
		}
		if (!dryRun && holder !== link) {
			await input.meta.updateAudience(config.meta.audienceId, { description: withLinkMarker(audience.description, link) });
		}

		const overlapMs = config.limits.overlapMinutes * 60_000;
		const incrementalSince = state.watermark ? new Date(Date.parse(state.watermark) - overlapMs).toISOString() : undefined;
		const fullQuery = { segmentation: rule.kind === 'segmentation' ? rule.segmentation : undefined, pageSize: config.limits.pageSize };
		const sources: Array<{ updatedSince?: string; segmentation?: string; pageSize: number; incremental: boolean }> = [];
		if (mode === 'full') {
			sources.push({ ...fullQuery, incremental: false });
			// Leavers are not listed by a full read of the segment: with the real-time flow active,
			// profiles it may have added read again incrementally.
			if (sweep && incrementalSince) sources.push({ updatedSince: incrementalSince, pageSize: config.limits.pageSize, incremental: true });
		} else sources.push({ updatedSince: incrementalSince, pageSize: config.limits.pageSize, incremental: true });

		const watermarkMs = state.watermark ? Date.parse(state.watermark) : null;
		const nowMs = started.getTime();
		const seen = new IdSet();
		const netRemovals = new Map<number, ChangeReason>();
		if (replace) runner.startReplace();

		const countRow = (row: string[], invalid: Record<string, string>) => {
			row.forEach((v, i) => {
				if (v !== '') coverage[runner.schema[i]]++;
			});
			for (const [k, why] of Object.entries(invalid)) invalidByReason[`${k}: ${why}`] = (invalidByReason[`${k}: ${why}`] ?? 0) + 1;
		};

		const read = async function* (): AsyncGenerator<{ raw: RawProfile; incremental: boolean }> {
			for (const source of sources) {
				const { incremental, ...query } = source;
				for await (const page of input.actito.iterateProfilePages(table.id, query)) {
					pagesRead++;
					for (const raw of page) yield { raw, incremental };
				}
			}
		};

		// Replace with members at stake: count first, so that the guard can stop it before a byte goes.
		let replaceWanted: number | null = null;
		if (replace && open.members.size > 0) {
			const wantedIds = new Set<number>();
			for await (const { raw } of read()) {
				const d = decideProfile(raw, config);
				if (d.wanted) wantedIds.add(toMemberId(d.profileId));
			}
			replaceWanted = wantedIds.size;
			let lost = 0;
			for (const id of open.members.keys()) if (!wantedIds.has(id)) lost++;
			if (tripsGuard(lost, open.members.size, config) && !input.allowMassRemoval) {
				removalsHeld = lost;
				guardTripped = { blockedAt: started.toISOString(), removals: lost, memberCount: open.members.size, share: lost / open.members.size };
				throw new MassRemovalGuardError(lost, open.members.size, config.limits);
			}
			pagesRead = 0;
		}

		for await (const { raw, incremental } of read()) {
			const d = decideProfile(raw, config);
			const id = toMemberId(d.profileId);
			if (!seen.add(id)) continue;
			profilesRead++;
			const moment = parseMoment(d.updateMoment, nowMs);
			if (moment && 'bad' in moment) badMoments[moment.bad]++;
			else if (moment && (candidateMs === null || moment.ms > candidateMs)) candidateMs = moment.ms;
			const inMembers = open.members.has(id);
			const profileId = String(id);
			if (d.isMember && !d.wanted) {
				if (d.whyNot === 'no_valid_identifier') {
					run.invalid++;
					for (const [k, why] of Object.entries(d.invalid)) invalidByReason[`${k}: ${why}`] = (invalidByReason[`${k}: ${why}`] ?? 0) + 1;
				} else run.blockedForConsent++;
				// The audit log: a withdrawal of a member at Meta, or a refusal newly seen by an incremental read.
				const isRefusal = d.whyNot === 'consent_negative' || d.whyNot === 'consent_unknown';
				const fresh = incremental && moment && 'ms' in moment && (watermarkMs === null || moment.ms > watermarkMs);
				if (isRefusal && (inMembers || fresh)) refusedNew.set(profileId, d.whyNot!);
			}
			if (replace) {
				if (d.wanted) {
					countRow(d.row!, d.invalid);
					note({ profileId, action: 'replace', reason: 'replace', row: d.row! });
					await replacer.push(d.row!, { id, fingerprint: d.fingerprint! });
				}
				continue;
			}
			if (d.wanted) {
				if (inMembers && open.members.get(id) === d.fingerprint) {
					run.unchanged++;
					continue;
				}
				countRow(d.row!, d.invalid);
				if (inMembers) {
					// Meta keeps the old hashes under the EXTERN_ID: drop them just before the new row goes.
					const removal = removalRowOf(profileId, config);
					note({ profileId, action: 'remove', reason: 'identifiers_changed', row: removal });
					if (adds.buffered >= runner.batchSize) await removes.flush(false);
					await removes.push(removal, { id, fingerprint: 0 });
					note({ profileId, action: 'add', reason: 'identifiers_changed', row: d.row! });
				} else {
					note({ profileId, action: 'add', reason: mode === 'full' && !open.isNew ? 'reconcile' : 'joined', row: d.row! });
				}
				if (adds.buffered >= runner.batchSize) await removes.flush(false);
				await adds.push(d.row!, { id, fingerprint: d.fingerprint! });
				continue;
			}
			if (inMembers) netRemovals.set(id, reasonFor(d.whyNot));
			// Only profiles changed since the real-time flow uploaded can be there without the state knowing.
			else if (sweep && incremental && moment && 'ms' in moment && (sweepSinceMs === null || moment.ms >= sweepSinceMs)) {
				netRemovals.set(id, 'realtime_backstop');
			}
		}

		if (replace) {
			if (replacer.buffered === 0 && runner.batches === 0) {
				// Nothing is wanted: usersreplace cannot carry an empty set, so every profile of the
				// table, and every member the state knows, is removed by EXTERN_ID.
				notes.push('Replace with an empty wanted set: every profile of the table is removed from Meta by its id.');
				const ids = new Set<number>(open.members.keys());
				for await (const page of input.actito.iterateProfilePages(table.id, { pageSize: config.limits.pageSize })) {
					pagesRead++;
					for (const raw of page) ids.add(toMemberId(raw.profileId ?? ''));
				}
				for (const id of ids) {
					const row = removalRowOf(String(id), config);
					note({ profileId: String(id), action: 'remove', reason: 'replace', row });
					await removes.push(row, { id, fingerprint: 0 });
				}
				await removes.flush(true);
				state.replacePending = null;
			} else {
				await replacer.flush(true);
				runner.replaceLanded();
				state.replacePending = null;
			}
			void replaceWanted;
		} else {
			if (mode === 'full') {
				for (const id of open.members.keys()) if (!seen.has(id)) netRemovals.set(id, 'deleted');
			}
			// The mass-removal guard counts members that would leave: not identifier changes (re-added),
			// not the real-time backstop's removals of profiles the state never had.
			let leaving = 0;
			for (const id of netRemovals.keys()) if (open.members.has(id)) leaving++;
			if (tripsGuard(leaving, open.members.size, config) && !input.allowMassRemoval) {
				removalsHeld = leaving;
				guardTripped = {
					blockedAt: started.toISOString(),
					removals: leaving,
					memberCount: open.members.size,
					share: leaving / Math.max(1, open.members.size),
				};
				notes.push(new MassRemovalGuardError(leaving, open.members.size, config.limits).message);
			} else {
				let refused: unknown;
				try {
					for (const [id, reason] of netRemovals) {
						const row = removalRowOf(String(id), config);
						note({ profileId: String(id), action: 'remove', reason, row });
						await removes.push(row, { id, fingerprint: 0 });
					}
					await removes.flush(true);
				} catch (error) {
					refused = error;
				}
				if (refused !== undefined) {
					// Meta's rule for 1870047: removals would make the audience too small: they wait,
					// the additions still go, so a small audience can grow out of it.
					if (!(refused instanceof MetaApiError) || refused.kind !== 'too_small') throw refused;
					const error = refused;
					removalsHeld = netRemovals.size;
					removalsRefusedByMeta = true;
					removes.closed = true;
					notes.push(`Meta refused the removals: ${error.message} They wait for a later run.`);
				}
			}
			await removes.flush(true);
			await adds.flush(true);
		}
		if (reconcileTagToClear !== null && !dryRun && !guardTripped) {
			const description = withLinkMarker(reconcileTagToClear.replace(RECONCILE_TAG, '').replace(/\s+/g, ' ').trim(), link);
			await input.meta.updateAudience(config.meta.audienceId, { description });
		}
		if (badMoments.not_a_date || badMoments.in_the_future) {
			notes.push(
				`Actito gave ${badMoments.not_a_date} updateMoment value(s) that are not dates and ${badMoments.in_the_future} in the future; they were left out of the watermark.`,
			);
		}
	} catch (error) {
		failure = error;
	}
	// Nothing is written for a lost state: in 2.x queue mode that write would make n8n save this
	// run's static data over the good state PostgreSQL still holds. The failed execution says it.
	if (failure instanceof StateLostError) throw failure;

	// Close the run.
	const finished = now();
	run.finishedAt = finished.toISOString();
	run.planned = { add: run.added, remove: run.removed };
	if (notes.length) run.notes = notes.slice(0, 10);
	if (!state.activatedAt && !dryRun) state.activatedAt = started.toISOString();
	const allRefusals = new Map<string, string>();
	for (const p of state.pendingRefusals ?? []) allRefusals.set(p.profileId, p.reason);
	for (const [id, reason] of refusedNew) allRefusals.set(id, reason);
	const refused = [...allRefusals].map(([profileId, reason]) => ({ profileId, reason }));
	state.pendingRefusals = refused.slice(-MAX_PENDING_REFUSALS);
	const held = Boolean(guardTripped) || removalsRefusedByMeta;
	if (failure && !(failure instanceof MassRemovalGuardError)) {
		run.status = 'error';
		run.error = describe(failure).message;
		state.lastError = run.error;
		state.syncedAt = null;
	} else if (held) {
		run.status = guardTripped ? 'blocked' : 'partial';
		run.error = guardTripped ? new MassRemovalGuardError(guardTripped.removals, guardTripped.memberCount, config.limits).message : notes[notes.length - 1];
		state.guard = guardTripped ?? state.guard ?? null;
		state.lastError = run.error;
		state.syncedAt = null;
		if (guardTripped) failure = failure ?? new MassRemovalGuardError(guardTripped.removals, guardTripped.memberCount, config.limits);
	} else {
		run.status = state.recoveryCheck && !state.recoveryCheck.ok ? 'partial' : 'success';
		if (run.status === 'partial') run.error = state.recoveryCheck!.error;
		state.guard = null;
		state.lastError = run.status === 'partial' ? run.error : null;
		if (candidateMs !== null) {
			const previous = state.watermark ? Date.parse(state.watermark) : -Infinity;
			if (candidateMs > previous) state.watermark = new Date(candidateMs).toISOString();
		} else if (!state.watermark && mode === 'full') state.watermark = started.toISOString();
		if (mode === 'full') state.lastFullReconcileAt = started.toISOString();
		state.syncedAt = finished.toISOString();
		state.rowsKey = rowsKeyOf(config);
		state.wantedKey = wantedKeyOf(config);
		if (runner.batches > 0) state.schema = schemaOf(config);
		// The replace made Meta exact: the uploads it was about are accounted for from now on.
		if (replace && state.replacePending === null) run.sessions.push(...new Set(unknownSessions));
	}
	state.candidateWatermark = null;
	state.config = config;
	if (!state.schema && runner.batches > 0 && !failure) state.schema = schemaOf(config);
	if (!dryRun) save(input.bucket, open);

	const details: SyncDetails = {
		link,
		adAccountId: config.meta.adAccountId,
		metaAudienceId: config.meta.audienceId,
		status: dryRun && !failure ? 'dry_run' : run.status,
		mode,
		replace,
		dryRun,
		schema: schemaOf(config),
		// In a dry run: what would have been sent.
		sent: { add: adds.sent, remove: removes.sent, replace: replacer.sent },
		unchanged: run.unchanged,
		refusedForConsent: run.blockedForConsent,
		invalid: run.invalid,
		removalsHeld,
		coverage,
		invalidByReason,
		sessions: runner.sessions,
		batches: runner.batches,
		pagesRead,
		profilesRead,
		requests: {
			actito: (actitoStats?.requests ?? 0) - actitoRequestsBefore,
			meta: input.meta.stats.requests - metaRequestsBefore,
		},
		memberCount: open.members.size,
		syncedAt: state.syncedAt,
		watermark: state.watermark,
		notes,
		guard: state.guard ?? null,
		startedAt: run.startedAt,
		finishedAt: run.finishedAt,
		...(failure ? { error: describe(failure) } : {}),
	};
	return { details, refused, changes, error: failure };
}

export function tripsGuard(removals: number, memberCount: number, config: LinkConfig): boolean {
	if (removals < config.limits.minRemovalsForGuard || removals === 0) return false;
	return removals / Math.max(1, memberCount) > config.limits.maxRemovalShare;
}

/**
 * The audit log acknowledges refusals it wrote: they leave the state's pending list. Called by
 * Log Interaction in the same execution as the sync step (same static-data object).
 */
export function acknowledgeRefusals(bucket: Record<string, unknown>, link: string, profileIds: string[]): number {
	const raw = bucket[stateKey(link)] as LinkState | undefined;
	if (!raw || typeof raw !== 'object' || !Array.isArray(raw.pendingRefusals) || !profileIds.length) return 0;
	const done = new Set(profileIds.map(String));
	const left = raw.pendingRefusals.filter((p) => !done.has(String(p.profileId)));
	const removed = raw.pendingRefusals.length - left.length;
	if (removed) bucket[stateKey(link)] = { ...raw, pendingRefusals: left };
	return removed;
}
