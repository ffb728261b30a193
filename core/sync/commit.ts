// How a run moves the link state. The planner opens a run; the uploader reports each batch
// Meta accepted; the run closes. Rules (docs/DESIGN.md, "Sync semantics"):
// - exactly the profiles of an accepted batch change in `members`;
// - the watermark moves only when the whole run finished without error;
// - `syncedAt` is set when nothing is left, and cleared while changes wait.

import { toMemberId } from '../state/memberCodec';
import { currentRun, type OpenState, type SyncRunRecord } from '../state/syncState';
import type { AcceptedBatch, UploadSummary } from './uploader';

export interface RunStart {
	mode: 'incremental' | 'full';
	planned: { add: number; remove: number };
	unchanged: number;
	invalid: number;
	blockedForConsent: number;
	deferred: number;
	/** Watermark to commit when the run succeeds. */
	candidateWatermark: string | null;
	now: string;
}

export function startRun(open: OpenState, start: RunStart): SyncRunRecord {
	const { state } = open;
	// A run that never closed (killed, or its sync step never ran) is recorded as such.
	const stale = currentRun(state);
	if (stale) {
		stale.status = 'error';
		stale.finishedAt = stale.finishedAt ?? start.now;
		stale.error = stale.error ?? 'The run stopped before its Sync Members step finished (killed, or the step did not run).';
	}
	const record: SyncRunRecord = {
		startedAt: start.now,
		finishedAt: null,
		status: 'running',
		mode: start.mode,
		planned: start.planned,
		added: 0,
		removed: 0,
		unchanged: start.unchanged,
		invalid: start.invalid,
		blockedForConsent: start.blockedForConsent,
		deferred: start.deferred,
		sessions: [],
	};
	state.runs.push(record);
	state.candidateWatermark = start.candidateWatermark;
	if (start.planned.add + start.planned.remove + start.deferred > 0) state.syncedAt = null;
	return record;
}

export function applyAcceptedBatch(open: OpenState, batch: AcceptedBatch, now: string): void {
	let changed = 0;
	for (const entry of batch.entries) {
		if (entry.profileId === undefined) continue;
		const id = toMemberId(entry.profileId);
		if (batch.action === 'remove') {
			if (open.members.delete(id)) changed++;
		} else if (open.members.get(id) !== entry.fingerprint) {
			open.members.set(id, entry.fingerprint);
			changed++;
		}
	}
	const run = currentRun(open.state);
	if (run) run[batch.action === 'remove' ? 'removed' : 'added'] += batch.entries.length;
	if (changed) open.state.lastMemberUpdateAt = now;
	open.state.memberCount = open.members.size;
}

/** Replace mode: Meta now holds exactly these rows. */
export function replaceMembers(open: OpenState, batch: AcceptedBatch, now: string): void {
	open.members.clear();
	applyAcceptedBatch(open, batch, now);
	open.state.lastMemberUpdateAt = now;
}

export function finishRun(open: OpenState, outcome: { summary?: UploadSummary; error?: string; now: string }): SyncRunRecord {
	const { state } = open;
	let run = currentRun(state);
	if (!run) {
		// Sync Members used without the planner (standalone): record the run all the same.
		run = {
			startedAt: outcome.now,
			finishedAt: null,
			status: 'running',
			mode: 'incremental',
			planned: { add: outcome.summary?.sent.add ?? 0, remove: outcome.summary?.sent.remove ?? 0 },
			added: outcome.summary?.sent.add ?? 0,
			removed: outcome.summary?.sent.remove ?? 0,
			unchanged: 0,
			invalid: 0,
			blockedForConsent: 0,
			deferred: 0,
			sessions: [],
		};
		state.runs.push(run);
	}
	run.finishedAt = outcome.now;
	if (outcome.summary) {
		run.sessions.push(...outcome.summary.sessions);
		run.invalid += outcome.summary.skippedNoIdentifier;
	}
	const failed = Boolean(outcome.error) || outcome.summary?.status === 'error';
	if (failed) {
		run.status = 'error';
		run.error = outcome.error ?? outcome.summary?.error?.message;
		state.syncedAt = null;
		return run;
	}
	if (outcome.summary?.status === 'partial') {
		// Some removals were refused: they wait, so the window is read again next time.
		run.status = 'partial';
		run.error = outcome.summary.warning?.message;
		state.syncedAt = null;
		state.candidateWatermark = null;
		return run;
	}
	run.status = run.deferred > 0 ? 'partial' : 'success';
	// The replace made Meta exact: the uploads it was about are accounted for from now on.
	if (state.replacePending) run.sessions.push(...state.replacePending.sessions);
	state.replacePending = null;
	// A capped run re-reads the same window next time, so the watermark stays.
	if (run.deferred === 0) {
		if (state.candidateWatermark) state.watermark = state.candidateWatermark;
		if (run.mode === 'full') state.lastFullReconcileAt = run.startedAt;
		state.syncedAt = outcome.now;
	} else {
		state.syncedAt = null;
	}
	state.candidateWatermark = null;
	return run;
}
