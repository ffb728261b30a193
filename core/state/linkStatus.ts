// What a person looks at for one audience link, read from its state: the Get Status node,
// the demo and the status webhook of the template all show this same record. Ids, counts,
// times and the package's own messages only: no identifier, token or raw error body.

import { schemaOf } from '../link/config';
import type { OpenState } from './syncState';

export interface LinkStatus {
	link: string;
	actito: { entity: string; table: string; segmentation: string } | null;
	metaAudienceId: string | null;
	activatedAt: string | null;
	memberCount: number;
	lastMemberUpdateAt: string | null;
	/** Empty while changes wait for the next run. */
	syncedAt: string | null;
	pending: boolean;
	lastFullReconcileAt: string | null;
	/** The stored link configuration, in short (no identifier values: attribute names and settings). */
	configuration: Record<string, unknown> | null;
	/** Set while the mass-removal guard holds removals back. */
	guard: { blockedAt: string; removals: number; memberCount: number; share: number } | null;
	recoveryCheck: { ok: boolean; at: string; error?: string } | null;
	lastError: string | null;
	refusalsToLog: number;
	lastRuns: Array<Record<string, unknown>>;
}

export function describeLinkStatus(link: string, open: OpenState | null, lastRuns = 5): LinkStatus {
	const state = open?.state;
	const config = state?.config;
	return {
		link,
		actito: state ? { ...state.actito } : null,
		metaAudienceId: state?.metaAudienceId ?? null,
		activatedAt: state?.activatedAt ?? null,
		memberCount: open ? open.members.size : 0,
		lastMemberUpdateAt: state?.lastMemberUpdateAt ?? null,
		syncedAt: state?.syncedAt ?? null,
		pending: !state?.syncedAt,
		lastFullReconcileAt: state?.lastFullReconcileAt ?? null,
		configuration: config
			? {
					audience: config.actito.audience,
					schema: schemaOf(config),
					identifiers: config.identifiers,
					defaultCountry: config.defaultCountry,
					consent: config.consent,
					fullReconcileEveryHours: config.fullReconcileEveryHours,
					massRemovalGuard: { maxShare: config.limits.maxRemovalShare, minRemovals: config.limits.minRemovalsForGuard },
				}
			: null,
		guard: state?.guard ?? null,
		recoveryCheck: state?.recoveryCheck ?? null,
		lastError: state?.lastError ?? null,
		refusalsToLog: state?.pendingRefusals?.length ?? 0,
		lastRuns: (state?.runs ?? [])
			.slice(-lastRuns)
			.reverse()
			.map((r) => ({
				startedAt: r.startedAt,
				finishedAt: r.finishedAt,
				status: r.status,
				mode: r.mode,
				...(r.replace ? { replace: true } : {}),
				added: r.added,
				removed: r.removed,
				unchanged: r.unchanged,
				invalid: r.invalid,
				blockedForConsent: r.blockedForConsent,
				deferred: r.deferred,
				...(r.error ? { error: r.error } : {}),
				...(r.notes?.length ? { notes: r.notes } : {}),
			})),
	};
}
