// What a person looks at for one audience link, read from its state: the Get Status node,
// the demo and the status webhook of the template all show this same record.

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
	lastRuns: Array<Record<string, unknown>>;
}

export function describeLinkStatus(link: string, open: OpenState | null, lastRuns = 5): LinkStatus {
	const state = open?.state;
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
		lastRuns: (state?.runs ?? [])
			.slice(-lastRuns)
			.reverse()
			.map((r) => ({
				startedAt: r.startedAt,
				finishedAt: r.finishedAt,
				status: r.status,
				mode: r.mode,
				added: r.added,
				removed: r.removed,
				unchanged: r.unchanged,
				invalid: r.invalid,
				blockedForConsent: r.blockedForConsent,
				deferred: r.deferred,
				...(r.error ? { error: r.error } : {}),
			})),
	};
}
