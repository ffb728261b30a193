// Uploads the state does not know about. n8n saves static data only when an execution ends,
// so a run killed half-way (or the loser of two overlapping runs) may have changed the Meta
// audience without a trace in the state: a profile it added and that left since would stay at
// Meta for ever, since removals come from the state. Meta's upload sessions show such uploads;
// when one appears, the next plan sends the whole wanted set through usersreplace, which makes
// the audience exactly right again. Sessions of the item flows (the near-real-time template) are
// told apart by their id (core/sync/sessions.ts) and never trigger a replace.

import type { LinkState } from '../state/syncState';
import { classifySessions, type SessionInfo } from './sessions';

export type { SessionInfo } from './sessions';

export function findUnknownSessions(state: LinkState, sessions: SessionInfo[]): string[] {
	return classifySessions(state, sessions).unknown;
}
