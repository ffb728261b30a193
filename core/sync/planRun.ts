// One planning pass of the hourly sync: choose incremental or full, read Actito accordingly,
// feed the planner and decide the candidate watermark. The Get Changes node and the
// benchmarks both call this; the rules of *when* to reconcile live here and nowhere else.

import type { ActitoApi } from '../actito/actitoApi';
import { flattenProfile, isInSegmentation, type ProfileSettings, type RawProfile } from '../actito/profile';
import type { MetaKey } from '../identifiers';
import type { OpenState } from '../state/syncState';
import { startRun } from './commit';
import { ChangePlanner, type Plan, type ProfileSnapshot } from './planner';
import type { UnknownConsentPolicy } from './consent';

export interface PlanRunSettings {
	tableId: string;
	segmentation: string;
	profileSettings: ProfileSettings;
	schema: MetaKey[];
	fieldMap?: Record<string, string>;
	defaultCountry?: string;
	unknownConsent: UnknownConsentPolicy;
	maxChanges: number;
	fullReconcileEveryHours: number;
	forceFullReconcile?: boolean;
	/** Upload sessions at Meta that the state does not know (see recovery.ts): replace this run. */
	unknownSessions?: string[];
	/** Re-read this much before the watermark: Actito's clock and paging are not exact. */
	overlapMinutes: number;
	pageSize: number;
}

export interface PlanRunResult {
	plan: Plan;
	mode: 'incremental' | 'full';
	candidateWatermark: string | null;
	pagesRead: number;
	/** The run sends the whole wanted set through usersreplace (recovery). */
	replace: boolean;
	unknownSessions: string[];
}

export function snapshotFromProfile(raw: RawProfile, segmentation: string, settings: ProfileSettings): ProfileSnapshot {
	const flat = flattenProfile(raw, settings);
	return {
		profileId: flat.profileId,
		isMember: isInSegmentation(raw, segmentation),
		deleted: false,
		marketingConsent: flat.marketingConsent,
		identifiers: {
			email: flat.email,
			phone: flat.phone,
			country: flat.country,
			firstName: flat.firstName,
			lastName: flat.lastName,
			birthDate: flat.birthDate,
			sex: flat.sex,
		},
		updateMoment: flat.updateMoment,
	};
}

export function chooseMode(open: OpenState, settings: Pick<PlanRunSettings, 'fullReconcileEveryHours' | 'forceFullReconcile'>, now: Date): 'incremental' | 'full' {
	const { state } = open;
	if (open.isNew || settings.forceFullReconcile || !state.watermark || !state.lastFullReconcileAt) return 'full';
	if (settings.fullReconcileEveryHours > 0) {
		const age = now.getTime() - Date.parse(state.lastFullReconcileAt);
		if (!(age < settings.fullReconcileEveryHours * 3_600_000)) return 'full';
	}
	return 'incremental';
}

export async function planRun(
	api: ActitoApi,
	open: OpenState,
	settings: PlanRunSettings,
	now: Date = new Date(),
): Promise<PlanRunResult> {
	const replace = Boolean(settings.unknownSessions?.length);
	const mode = replace ? 'full' : chooseMode(open, settings, now);
	const planner = new ChangePlanner(open.members, {
		link: open.state.link,
		schema: settings.schema,
		fieldMap: settings.fieldMap,
		defaultCountry: settings.defaultCountry,
		unknownConsent: settings.unknownConsent,
		maxChanges: settings.maxChanges,
		mode,
		watermark: open.state.watermark,
		replace,
		firstRun: open.isNew || open.state.runs.every((r) => r.status !== 'success' && r.status !== 'partial'),
	});
	let updatedSince: string | undefined;
	if (mode === 'incremental' && open.state.watermark) {
		updatedSince = new Date(Date.parse(open.state.watermark) - settings.overlapMinutes * 60_000).toISOString();
	}
	let pagesRead = 0;
	// A full read lists the segment's members; an incremental one lists every profile changed
	// since the watermark, members or not, so that leavers are seen too.
	const pages = api.iterateProfilePages(settings.tableId, {
		segmentation: mode === 'full' ? settings.segmentation : undefined,
		updatedSince,
		pageSize: settings.pageSize,
	});
	for await (const page of pages) {
		pagesRead++;
		for (const raw of page) planner.observe(snapshotFromProfile(raw, settings.segmentation, settings.profileSettings));
	}
	const plan = planner.finish();
	const seen = plan.maxUpdateMoment;
	const previous = open.state.watermark;
	let candidate = seen && (!previous || seen > previous) ? seen : previous;
	// Nothing listed at all on a full read: start incremental reads from now on.
	if (!candidate) candidate = now.toISOString();
	return { plan, mode, candidateWatermark: candidate, pagesRead, replace, unknownSessions: settings.unknownSessions ?? [] };
}

/** Records the planned run in the state (activation moment on the first run). */
export function openRun(open: OpenState, result: PlanRunResult, now: Date): void {
	const { stats } = result.plan;
	if (!open.state.activatedAt) open.state.activatedAt = now.toISOString();
	open.state.replacePending = result.replace
		? { detectedAt: now.toISOString(), sessions: result.unknownSessions }
		: null;
	startRun(open, {
		mode: result.mode,
		planned: { add: stats.add, remove: stats.remove },
		unchanged: stats.unchanged,
		invalid: stats.invalid,
		blockedForConsent: stats.blockedForConsent,
		deferred: stats.deferred,
		candidateWatermark: result.candidateWatermark,
		now: now.toISOString(),
	});
}
