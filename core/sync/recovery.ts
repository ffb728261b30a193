// Uploads the state does not know about. n8n saves static data only when an execution ends,
// so a run killed half-way (or the loser of two overlapping runs) may have changed the Meta
// audience without a trace in the state: a profile it added and that left since would stay at
// Meta for ever, since removals come from the state. Meta's upload sessions show such uploads;
// when one appears, the next plan sends the whole wanted set through usersreplace, which makes
// the audience exactly right again.

import type { LinkState } from '../state/syncState';

export interface SessionInfo {
	session_id: string | number;
	/** Unix seconds. */
	start_time?: number;
}

/** Meta's clock and n8n's may differ a little. */
const CLOCK_TOLERANCE_MS = 2 * 60_000;

export function findUnknownSessions(state: LinkState, sessions: SessionInfo[]): string[] {
	if (!state.runs.length) return [];
	const known = new Set<string>();
	for (const run of state.runs) for (const id of run.sessions) known.add(String(id));
	// Only the window the stored runs cover: older sessions fell out of the last-20 history.
	const since = Math.min(...state.runs.map((r) => Date.parse(r.startedAt))) - CLOCK_TOLERANCE_MS;
	return sessions
		.filter((s) => !known.has(String(s.session_id)) && typeof s.start_time === 'number' && s.start_time * 1000 >= since)
		.map((s) => String(s.session_id));
}
