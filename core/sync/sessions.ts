// Which upload sessions at Meta come from where. The hourly sync step and the item flows (Sync /
// Replace Members, e.g. the near-real-time template) mark their session ids by their remainder
// modulo SESSION_TAG_MODULUS, so that the hourly run can tell a session of a killed hourly run
// (unknown to its state: Meta may hold rows the state missed, replace) from the real-time flow's
// (expected: sweep the changed profiles, no replace). Any other session (Ads Manager, another
// tool) counts as unknown. A foreign session has a 1-in-1000 chance to look like an item session.

import { randomBytes } from 'node:crypto';

import type { LinkState } from '../state/syncState';

export type SessionKind = 'hourly' | 'items';

export const SESSION_TAG_MODULUS = 1000;
const TAGS: Record<SessionKind, number> = { hourly: 317, items: 683 };

/** A random session id below 2^53 whose remainder marks its kind. */
export function newSessionId(kind: SessionKind): number {
	const random = Number(randomBytes(8).readBigUInt64BE(0) % BigInt(Math.floor(Number.MAX_SAFE_INTEGER / SESSION_TAG_MODULUS) - 1)) + 1;
	return random * SESSION_TAG_MODULUS + TAGS[kind];
}

export function sessionKind(sessionId: string | number): SessionKind | 'other' {
	const text = String(sessionId);
	if (!/^\d+$/.test(text)) return 'other';
	const rest = Number(BigInt(text) % BigInt(SESSION_TAG_MODULUS));
	if (rest === TAGS.hourly) return 'hourly';
	if (rest === TAGS.items) return 'items';
	return 'other';
}

export interface SessionInfo {
	session_id: string | number;
	/** Unix seconds. */
	start_time?: number;
}

/** Meta's clock and n8n's may differ a little. */
const CLOCK_TOLERANCE_MS = 2 * 60_000;

export interface SessionClasses {
	/** Sessions the state does not know, from a hourly run or from elsewhere: replace. */
	unknown: string[];
	/** Item-flow sessions since the last hourly run started: the real-time flow is active. */
	items: string[];
	/** Start of the earliest of those (epoch ms, less the clock tolerance), or null. */
	itemsSinceMs: number | null;
}

export function classifySessions(state: LinkState, sessions: SessionInfo[]): SessionClasses {
	const out: SessionClasses = { unknown: [], items: [], itemsSinceMs: null };
	if (!state.runs.length) return out;
	const known = new Set<string>();
	for (const run of state.runs) for (const id of run.sessions) known.add(String(id));
	for (const id of state.replacePending?.sessions ?? []) known.add(String(id));
	// Only the window the stored runs cover: older sessions fell out of the last-20 history.
	const since = Math.min(...state.runs.map((r) => Date.parse(r.startedAt))) - CLOCK_TOLERANCE_MS;
	const lastStart = Date.parse(state.runs[state.runs.length - 1].startedAt) - CLOCK_TOLERANCE_MS;
	for (const s of sessions) {
		const id = String(s.session_id);
		if (known.has(id) || typeof s.start_time !== 'number') continue;
		const startMs = s.start_time * 1000;
		if (startMs < since) continue;
		if (sessionKind(id) === 'items') {
			if (startMs >= lastStart) {
				out.items.push(id);
				out.itemsSinceMs = Math.min(out.itemsSinceMs ?? Infinity, startMs - CLOCK_TOLERANCE_MS);
			}
		} else out.unknown.push(id);
	}
	return out;
}
