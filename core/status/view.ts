// What a person reads about one audience link, built from the status record of
// core/state/linkStatus.ts (plus Meta's cached estimate and, optionally, one profile check).
// Pure: no n8n, no clock of its own (the caller gives `now`), so tests fix every word.

export type StateCode = 'new' | 'synchronized' | 'pending' | 'stopped' | 'failing' | 'running';

export interface RunRow {
	startedAt: string | null;
	finishedAt: string | null;
	status: string;
	mode: string;
	replace: boolean;
	added: number;
	removed: number;
	unchanged: number;
	invalid: number;
	blockedForConsent: number;
	/** Members after the run, derived backwards from today's count and each later run's adds and removes. */
	membersAfter: number;
}

export interface ProfileCheck {
	found: boolean;
	isMember: boolean;
	synchronized: boolean;
	atMeta: boolean;
	wanted: boolean;
	/** Why the profile is not (or not yet) at Meta, in words; null when it is where it should be. */
	whyNot: string | null;
	reason: 'consent' | 'no_valid_identifier' | 'not_member' | 'not_found' | 'waiting' | null;
}

export interface StatusView {
	/** The audience's name as people know it (Actito segmentation / rule), never an id. */
	name: string;
	definition: {
		entity: string | null;
		table: string | null;
		audience: string | null;
		createdAt: string | null;
		activatedAt: string | null;
	};
	memberCount: number;
	lastMemberUpdateAt: string | null;
	syncedAt: string | null;
	lastFullReconcileAt: string | null;
	nextRunAt: string | null;
	state: { code: StateCode; text: string; fix: string | null; fixUrl: string | null; since: string | null };
	runs: RunRow[];
	meta: {
		name: string | null;
		lowerBound: number | null;
		upperBound: number | null;
		tooSmall: boolean;
		delivery: string | null;
		checkedAt: string | null;
		unavailable: string | null;
	} | null;
	refusalsToLog: number;
	profile: ProfileCheck | null;
	now: string;
}

type Json = Record<string, unknown>;

const str = (v: unknown): string | null => (typeof v === 'string' && v.trim() !== '' ? v : null);
const num = (v: unknown): number => (typeof v === 'number' && Number.isFinite(v) ? v : 0);
const numOrNull = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);

/** Takes out of a message whatever could be personal or secret before it reaches a page. */
export function scrub(text: string, max = 280): string {
	const cleaned = text
		.replace(/[^\s@<>"']+@[^\s@<>"']+/g, '[hidden]')
		.replace(/\b(?:access_token|token|appsecret_proof|api[_-]?key)=[^\s&]+/gi, '[hidden]')
		.replace(/\b[A-Za-z0-9_-]{32,}\b/g, '[hidden]')
		.replace(/\+?\d[\d .-]{8,}\d/g, (m) => (/^\d{4}-\d{2}-\d{2}/.test(m) ? m : '[hidden]'));
	return cleaned.length > max ? `${cleaned.slice(0, max - 1)}…` : cleaned;
}

export function minutesBetween(a: string, b: string): number {
	return Math.round((Date.parse(b) - Date.parse(a)) / 60_000);
}

/** "12 minutes ago", "3 hours ago", "2 days ago". */
export function ago(moment: string, now: string): string {
	const m = Math.max(0, minutesBetween(moment, now));
	if (m < 1) return 'just now';
	if (m < 60) return `${m} minute${m === 1 ? '' : 's'} ago`;
	const h = Math.round(m / 60);
	if (h < 48) return `${h} hour${h === 1 ? '' : 's'} ago`;
	const d = Math.round(h / 24);
	return `${d} days ago`;
}

/** "14:07 UTC" (the workflow's timezone is UTC in the template). */
export function clock(moment: string): string {
	return `${moment.slice(11, 16)} UTC`;
}

/** "2026-12-01 14:07 UTC". */
export function when(moment: string | null): string {
	if (!moment || !Number.isFinite(Date.parse(moment))) return '';
	const iso = new Date(Date.parse(moment)).toISOString();
	return `${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC`;
}

/** The next hourly run: the minute of the last run's start, next after now. */
export function nextRun(lastStartedAt: string | null, now: string): string | null {
	if (!lastStartedAt || !Number.isFinite(Date.parse(lastStartedAt))) return null;
	const minute = new Date(Date.parse(lastStartedAt)).getUTCMinutes();
	const at = new Date(Date.parse(now));
	at.setUTCSeconds(0, 0);
	at.setUTCMinutes(minute);
	if (at.getTime() <= Date.parse(now)) at.setUTCHours(at.getUTCHours() + 1);
	return at.toISOString();
}

function audienceName(status: Json): string | null {
	const config = status.configuration as Json | null;
	const rule = config?.audience as Json | undefined;
	if (rule && typeof rule === 'object') {
		if (str(rule.segmentation)) return String(rule.segmentation);
		if (str(rule.attribute)) return `${String(rule.attribute)} = ${String(rule.value ?? '')}`;
	}
	const actito = status.actito as Json | null;
	return str(actito?.segmentation);
}

const TERMS_URL = 'https://business.facebook.com/ads/manage/customaudiences/tos/';

function stateOf(status: Json, now: string, nextRunAt: string | null, runs: RunRow[], adAccountId?: string | null): StatusView['state'] {
	const guard = status.guard as Json | null;
	const lastError = str(status.lastError);
	const syncedAt = str(status.syncedAt);
	const next = nextRunAt ? ` at ${clock(nextRunAt)}` : '';
	if (guard) {
		const removals = num(guard.removals);
		const share = Math.round(100 * num(guard.share));
		return {
			code: 'stopped',
			text: `Stopped by the mass-removal guard: the last run would have removed ${removals.toLocaleString('en-US')} members (${share}% of the audience), so it removed nothing.`,
			fix: 'Check the Actito audience (an emptied segmentation, a changed rule). If the removals are right, turn on "Allow Mass Removal" in the Sync step (Run Options) for one run.',
			fixUrl: null,
			since: str(guard.blockedAt),
		};
	}
	if (lastError) {
		const url = /https:\/\/business\.facebook\.com\/ads\/manage\/customaudiences\/tos\/\?act=\d+/.exec(lastError)?.[0] ?? null;
		if (url || /terms/i.test(lastError)) {
			return {
				code: 'stopped',
				text: 'Stopped: Meta’s Custom Audience terms are not accepted for this ad account.',
				fix: 'Accept them (an admin of the ad account), then the next run goes on by itself.',
				fixUrl: url ?? (adAccountId && /\d+/.test(adAccountId) ? `${TERMS_URL}?act=${/\d+/.exec(adAccountId)![0]}` : TERMS_URL),
				since: runs[0]?.startedAt ?? null,
			};
		}
		return {
			code: 'failing',
			text: `The last run failed: ${scrub(lastError)}`,
			fix: `The next run${next} tries again; the executions list of this workflow has the details.`,
			fixUrl: null,
			since: runs[0]?.startedAt ?? null,
		};
	}
	if (!syncedAt && runs.length === 0 && !status.actito) {
		return { code: 'new', text: `Not synchronized yet: the first run${next || ' (at the activation minute)'} fills the Meta audience.`, fix: null, fixUrl: null, since: null };
	}
	if (runs[0]?.status === 'running') {
		return { code: 'running', text: 'A run is in progress.', fix: null, fixUrl: null, since: runs[0].startedAt };
	}
	if (!syncedAt) {
		const lastRun = (status.lastRuns as Json[] | undefined)?.[0];
		const waiting = num(lastRun?.deferred);
		const what = waiting > 0 ? `${waiting.toLocaleString('en-US')} change${waiting === 1 ? '' : 's'} wait` : 'Changes wait';
		return { code: 'pending', text: `${what} for the next run${next}.`, fix: null, fixUrl: null, since: null };
	}
	return { code: 'synchronized', text: `Synchronized ${ago(syncedAt, now)}.`, fix: null, fixUrl: null, since: syncedAt };
}

function runsOf(status: Json): RunRow[] {
	const raw = (Array.isArray(status.lastRuns) ? status.lastRuns : []) as Json[];
	let after = num(status.memberCount);
	return raw.map((r) => {
		const row: RunRow = {
			startedAt: str(r.startedAt),
			finishedAt: str(r.finishedAt),
			status: str(r.status) ?? 'unknown',
			mode: str(r.mode) ?? '',
			replace: r.replace === true,
			added: num(r.added),
			removed: num(r.removed),
			unchanged: num(r.unchanged),
			invalid: num(r.invalid),
			blockedForConsent: num(r.blockedForConsent),
			membersAfter: Math.max(0, after),
		};
		after = after - row.added + row.removed;
		return row;
	});
}

function metaOf(meta: unknown): StatusView['meta'] {
	if (!meta || typeof meta !== 'object') return null;
	const m = meta as Json;
	if (str(m.error)) {
		return { name: null, lowerBound: null, upperBound: null, tooSmall: false, delivery: null, checkedAt: null, unavailable: 'Meta could not be asked for the estimated size just now.' };
	}
	const delivery = m.deliveryStatus as Json | null;
	return {
		name: str(m.name),
		lowerBound: numOrNull(m.lowerBound),
		upperBound: numOrNull(m.upperBound),
		tooSmall: m.tooSmall === true,
		delivery: str(delivery?.description) ? scrub(String(delivery!.description), 160) : null,
		checkedAt: str(m.checkedAt),
		unavailable: null,
	};
}

/** The profile check in words, from the Get Profile Status record. */
export function profileCheckOf(record: Json | null | undefined): ProfileCheck | null {
	if (!record || typeof record !== 'object') return null;
	const found = record.found === true;
	const isMember = record.isMember === true;
	const wanted = record.wanted === true;
	const atMeta = record.atMeta === true;
	const synchronized = record.synchronized === true;
	let reason: ProfileCheck['reason'] = null;
	let whyNot: string | null = null;
	if (!found) {
		reason = 'not_found';
		whyNot = atMeta ? 'No such profile in Actito (deleted?); it is still at Meta until the next run removes it.' : 'No such profile in Actito.';
	} else if (!isMember) {
		reason = 'not_member';
		whyNot = 'The profile is not a member of this audience.';
	} else if (record.whyNot === 'deleted') {
		reason = 'not_found';
		whyNot = 'The profile is deleted in Actito.';
	} else if (record.whyNot === 'consent_unknown') {
		reason = 'consent';
		whyNot = 'The profile’s marketing consent is unknown, and this link keeps such profiles out of Meta.';
	} else if (record.marketingConsent === false || record.whyNot === 'consent_negative') {
		reason = 'consent';
		whyNot = 'The profile refused marketing consent, so it is kept out of Meta.';
	} else if (record.hasValidIdentifier === false || record.whyNot === 'no_valid_identifier') {
		reason = 'no_valid_identifier';
		whyNot = 'The profile has no identifier Meta can match (e-mail, phone… missing or not valid).';
	} else if (!wanted && str(record.whyNot)) {
		reason = 'consent';
		whyNot = `Kept out of Meta: ${scrub(String(record.whyNot).replace(/_/g, ' '), 80)}.`;
	}
	if (!whyNot && !synchronized) {
		reason = 'waiting';
		whyNot = wanted ? 'The profile waits for the next run to reach Meta (or its change to be sent).' : 'The profile waits for the next run to be removed from Meta.';
	}
	return { found, isMember, synchronized, atMeta, wanted, whyNot, reason };
}

/**
 * The view of one link. `status` is the Get Status record (describeLinkStatus + `meta`);
 * `profile` the Get Profile Status record when a profile was checked.
 */
export function buildStatusView(status: Json, options: { now: string; profile?: Json | null; adAccountId?: string | null }): StatusView {
	const now = options.now;
	const runs = runsOf(status);
	const nextRunAt = nextRun(runs[0]?.startedAt ?? null, now);
	const actito = (status.actito as Json | null) ?? null;
	const meta = metaOf(status.meta);
	const audience = audienceName(status);
	return {
		name: audience ?? meta?.name ?? 'Audience link',
		definition: {
			entity: str(actito?.entity),
			table: str(actito?.table),
			audience,
			createdAt: str((status.meta as Json | undefined)?.createdAt) ?? str(status.activatedAt),
			activatedAt: str(status.activatedAt),
		},
		memberCount: num(status.memberCount),
		lastMemberUpdateAt: str(status.lastMemberUpdateAt),
		syncedAt: str(status.syncedAt),
		lastFullReconcileAt: str(status.lastFullReconcileAt),
		nextRunAt,
		state: stateOf(status, now, nextRunAt, runs, options.adAccountId),
		runs,
		meta,
		refusalsToLog: num(status.refusalsToLog),
		profile: profileCheckOf(options.profile ?? null),
		now,
	};
}
