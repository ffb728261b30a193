// The planner of the hourly item chain: given the committed state and what Actito says now,
// decide which profiles need an action at Meta, and why. Pure: the Get Changes node feeds it
// profiles page by page and emits what it returns. Whether a profile is wanted, and its row and
// fingerprint, come from the sync's one rule (decideProfile, core/sync/wanted.ts); what is
// planned here is which change item says so, under the cap.

import { attributeMap, type RawProfile } from '../actito/profile';
import type { LinkConfig } from '../link/config';
import type { MemberMap } from '../state/memberCodec';
import { toMemberId } from '../state/memberCodec';
import type { ChangeItem, ChangeReason } from './changeItem';
import { DEFAULT_FIELD_MAP, IDENTIFIER_FIELDS } from './changeItem';
import { decideProfile, type ProfileDecision } from './wanted';

export interface PlannerSettings {
	link: string;
	/**
	 * The link's rule (core/link/config.ts): audience, consent source and unknown-consent policy,
	 * identifier mapping in the order the item chain sends it, country attribute, default country.
	 */
	config: LinkConfig;
	/** Changes emitted at most in one run; the rest waits for the next run. */
	maxChanges: number;
	mode: 'incremental' | 'full';
	/** First run of the link: additions are `joined`, not `reconcile`. */
	firstRun: boolean;
	/** The committed watermark: incremental reads start a little before it (overlap). */
	watermark?: string | null;
	/** Recovery: every wanted member is emitted as an add, for usersreplace (no cap, no removals). */
	replace?: boolean;
}

export interface PlanStats {
	observed: number;
	add: number;
	remove: number;
	unchanged: number;
	/** Members without any valid match key (not sent). */
	invalid: number;
	/** Members refused for negative consent (or unknown, when the policy blocks it). */
	blockedForConsent: number;
	/** Changes beyond maxChanges, left for the next run. */
	deferred: number;
}

type CountedStat = 'unchanged' | 'invalid' | 'blockedForConsent';

export interface Plan {
	items: ChangeItem[];
	stats: PlanStats;
	/** Highest updateMoment seen (for the candidate watermark). */
	maxUpdateMoment: string | null;
	/** Members of the state not seen in a full read (only in full mode). */
	missingFromFullRead: number;
}

/**
 * Which change-item field carries which Actito attribute, for the keys of the link's schema plus
 * the country. Hash Identifiers reads the items with DEFAULT_FIELD_MAP: a key it cannot read
 * from an item would make the planner's fingerprint differ from the one Sync Members commits.
 */
export function carriedFieldsOf(config: LinkConfig): Array<{ field: string; attribute: string }> {
	const byField = new Map<string, string>();
	const problems: string[] = [];
	const carry = (field: string, attribute: string, what: string) => {
		const already = byField.get(field);
		if (already !== undefined && already !== attribute) problems.push(`${what} and another key both need the item field ${field}`);
		else byField.set(field, attribute);
	};
	for (const { key, field: attribute } of config.identifiers) {
		if (key === 'EXTERN_ID') continue;
		const field = DEFAULT_FIELD_MAP[key];
		if (field === undefined) problems.push(`change items carry no field for the Meta key ${key}`);
		else carry(field, attribute, key);
	}
	if (config.countryAttribute) carry(DEFAULT_FIELD_MAP.COUNTRY, config.countryAttribute, 'the country');
	if (problems.length) throw new Error(`This link cannot be planned as change items: ${problems.join('; ')}.`);
	return IDENTIFIER_FIELDS.filter((field) => byField.has(field)).map((field) => ({ field, attribute: byField.get(field)! }));
}

/** updateMoment as the watermark compares it: text, or null. */
function momentText(value: unknown): string | null {
	if (typeof value === 'string') return value.trim() === '' ? null : value;
	if (typeof value === 'number' || typeof value === 'boolean') return String(value);
	return null;
}

export class ChangePlanner {
	private readonly pending = new Map<string, ChangeItem[]>();
	/** Refusals of profiles that are not at Meta: for the audit log only. */
	private readonly auditOnly = new Map<string, ChangeItem>();
	/** Every profile read, with the counter its last decision bumped (undone if read again). */
	private readonly seen = new Map<number, CountedStat | null>();
	private readonly stats: PlanStats = {
		observed: 0,
		add: 0,
		remove: 0,
		unchanged: 0,
		invalid: 0,
		blockedForConsent: 0,
		deferred: 0,
	};
	private maxUpdateMoment: string | null = null;
	private emitted = 0;

	/**
	 * Data minimization: an add carries only the identifier fields its schema sends, plus the
	 * country (it decides how national phone numbers and ZIP codes read).
	 */
	private readonly carriedFields: Array<{ field: string; attribute: string }>;

	constructor(
		private readonly members: MemberMap,
		private readonly settings: PlannerSettings,
	) {
		this.carriedFields = carriedFieldsOf(settings.config);
	}

	/** A profile as Actito lists it. */
	observe(raw: RawProfile): void {
		this.consider(decideProfile(raw, this.settings.config), raw);
	}

	/** A profile known to be deleted (webhook, or a 404 on re-read). */
	observeDeleted(profileId: string): void {
		this.consider(decideProfile(null, this.settings.config, profileId), null);
	}

	finish(): Plan {
		let missing = 0;
		if (this.settings.mode === 'full' && !this.settings.replace) {
			// Members we pushed that a full read no longer lists: left the segment or deleted.
			for (const id of this.members.keys()) {
				if (this.seen.has(id)) continue;
				missing++;
				this.emit(String(id), [this.removal(String(id), 'reconcile', null)]);
			}
		}
		// The cap is applied here, after every read, in reading order: a profile read again later
		// in the same run (paging overlap) may have withdrawn its change and freed room.
		const items: ChangeItem[] = [];
		const cap = this.settings.replace ? Infinity : this.settings.maxChanges;
		for (const list of this.pending.values()) {
			if (items.length + list.length <= cap) {
				items.push(...list);
				continue;
			}
			this.stats.deferred += list.length;
			for (const item of list) this.stats[item.action]--;
		}
		if (this.stats.deferred === 0) {
			for (const item of this.auditOnly.values()) items.push(item);
			this.stats.add += this.auditOnly.size;
		}
		return { items, stats: { ...this.stats }, maxUpdateMoment: this.maxUpdateMoment, missingFromFullRead: missing };
	}

	private consider(decision: ProfileDecision, raw: RawProfile | null): void {
		this.stats.observed++;
		const id = toMemberId(decision.profileId);
		const previous = this.seen.get(id);
		if (previous) this.stats[previous]--;
		this.seen.set(id, null);
		const moment = momentText(decision.updateMoment);
		if (moment && (!this.maxUpdateMoment || moment > this.maxUpdateMoment)) this.maxUpdateMoment = moment;
		const key = String(id);
		// A profile read twice (paging overlap) keeps only its latest decision.
		if (this.pending.has(key)) this.retract(key);
		this.auditOnly.delete(key);
		const items = this.decide(id, decision, moment, raw);
		if (items.length) this.emit(key, items);
	}

	private decide(id: number, decision: ProfileDecision, moment: string | null, raw: RawProfile | null): ChangeItem[] {
		const inMembers = this.members.has(id);
		const profileId = String(id);
		const { consent, whyNot } = decision;
		if (whyNot === 'deleted' || whyNot === 'not_member') {
			if (!inMembers) return [];
			return [this.removal(profileId, whyNot === 'deleted' ? 'deleted' : 'left', consent)];
		}
		if (whyNot === 'consent_negative' || whyNot === 'consent_unknown') {
			this.count(id, 'blockedForConsent');
			if (this.settings.replace) return [];
			// Emitted as an add that the Consent Filter blocks: it turns it into a removal (the
			// profile leaves Meta) and sends it to Blocked (the audit log). Without identifiers:
			// it never reaches Meta as an add.
			if (inMembers) return [this.blockedAddition(profileId, 'consent_withdrawn', consent)];
			// Not at Meta: only a change seen by an incremental read is an event worth logging;
			// full reads (the first one included) would log every refusing member again.
			// The overlap re-reads profiles already seen: only a change after the committed
			// watermark is new.
			if (this.settings.mode === 'full') return [];
			if (this.settings.watermark && !(moment && moment > this.settings.watermark)) return [];
			// Audit only (nothing changes at Meta): kept out of the cap, and released only by a run
			// that defers nothing, whose watermark then moves past it, so it is logged once.
			this.auditOnly.set(profileId, this.blockedAddition(profileId, 'joined', consent));
			return [];
		}
		if (whyNot === 'no_valid_identifier' || decision.fingerprint === null || !raw) {
			this.count(id, 'invalid');
			if (this.settings.replace) return [];
			return inMembers ? [this.removal(profileId, 'identifiers_changed', consent)] : [];
		}
		if (this.settings.replace) return [this.addition(profileId, raw, 'reconcile', consent)];
		if (!inMembers) {
			const reason: ChangeReason = this.settings.mode === 'full' && !this.settings.firstRun ? 'reconcile' : 'joined';
			return [this.addition(profileId, raw, reason, consent)];
		}
		if (this.members.get(id) === decision.fingerprint) {
			this.count(id, 'unchanged');
			return [];
		}
		// Meta keeps the old hashes under the EXTERN_ID: drop them, then add the new row.
		return [
			this.removal(profileId, 'identifiers_changed', consent),
			this.addition(profileId, raw, 'identifiers_changed', consent),
		];
	}

	private count(id: number, stat: CountedStat): void {
		this.stats[stat]++;
		this.seen.set(id, stat);
	}

	private emit(key: string, items: ChangeItem[]): void {
		// A replace must carry the whole set in one session: it cannot be split across runs.
		// Holding up to twice the cap bounds memory while leaving room for withdrawn changes.
		if (!this.settings.replace && this.emitted + items.length > 2 * this.settings.maxChanges) {
			this.stats.deferred += items.length;
			return;
		}
		this.emitted += items.length;
		for (const item of items) this.stats[item.action]++;
		this.pending.set(key, items);
	}

	private retract(key: string): void {
		const items = this.pending.get(key) ?? [];
		this.pending.delete(key);
		this.emitted -= items.length;
		for (const item of items) this.stats[item.action]--;
	}

	private removal(profileId: string, reason: ChangeReason, consent: boolean | null): ChangeItem {
		// Removals go by EXTERN_ID: they carry no identifier at all.
		return { profileId, action: 'remove', reason, marketingConsent: consent, link: this.settings.link };
	}

	private blockedAddition(profileId: string, reason: ChangeReason, consent: boolean | null): ChangeItem {
		return { profileId, action: 'add', reason, marketingConsent: consent, link: this.settings.link };
	}

	private addition(profileId: string, raw: RawProfile, reason: ChangeReason, consent: boolean | null): ChangeItem {
		const item: ChangeItem = { profileId, action: 'add', reason, marketingConsent: consent, link: this.settings.link };
		const attributes = attributeMap(raw);
		for (const { field, attribute } of this.carriedFields) {
			// The value decideProfile hashed, so that Hash Identifiers builds the same row. A number
			// goes as text (normalization reads 42 and '42' alike; no country is written in digits);
			// blank text and other values hash to nothing either way, so they are not carried.
			const value = attributes[attribute];
			if (typeof value === 'string' && value.trim() !== '') (item as Record<string, unknown>)[field] = value;
			else if (typeof value === 'number' && Number.isFinite(value)) (item as Record<string, unknown>)[field] = String(value);
		}
		return item;
	}
}
