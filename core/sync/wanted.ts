// The one rule of the sync: for a profile and a link configuration, is it wanted at Meta, why
// not, and which hashed row (and fingerprint) stands for it. The streaming sync step
// (core/sync/run.ts), Get Profile Status and the item-flow nodes all reach their verdicts
// through the functions below: consentVerdict (core/sync/consent.ts) for consent, and
// buildMetaRow (core/identifiers/row.ts) for the row, called here with the link's settings.

import { attributeMap, isInSegmentation, type RawProfile } from '../actito/profile';
import { buildMetaRow, rowFingerprint, type MetaKey } from '../identifiers';
import type { LinkConfig } from '../link/config';
import { schemaOf } from '../link/config';
import { consentVerdict, parseConsent } from './consent';

export type WhyNot = 'deleted' | 'not_member' | 'consent_negative' | 'consent_unknown' | 'no_valid_identifier';

export interface ProfileDecision {
	profileId: string;
	wanted: boolean;
	whyNot: WhyNot | null;
	isMember: boolean;
	/** true, false or null (unknown), as read from the configured consent source. */
	consent: boolean | null;
	/** Hashed row in the link's schema; null when the profile is not wanted for another reason than its identifiers. */
	row: string[] | null;
	fingerprint: number | null;
	/** Meta key → reason, for identifier values that were present but invalid. */
	invalid: Partial<Record<MetaKey, string>>;
	/** Actito's updateMoment as given (parse it with parseMoment). */
	updateMoment: unknown;
}

/** Is the profile in the link's Actito audience (segmentation, or attribute = value)? */
export function isAudienceMember(raw: RawProfile, config: LinkConfig, attributes = attributeMap(raw)): boolean {
	const rule = config.actito.audience;
	if (rule.kind === 'segmentation') return isInSegmentation(raw, rule.segmentation);
	const value = attributes[rule.attribute];
	if (value === undefined || value === null) return false;
	return String(value).trim() === rule.value;
}

/** Consent as the link reads it: from its attribute, or from its subscription's flag. */
export function readConsent(raw: RawProfile, config: LinkConfig, attributes = attributeMap(raw)): unknown {
	if (config.consent.source === 'subscription') {
		const name = config.consent.subscription;
		const sub = (Array.isArray(raw?.subscriptions) ? raw.subscriptions : []).find((s) => s && s.name === name);
		return sub ? sub.subscribe : undefined;
	}
	return attributes[config.consent.attribute];
}

/** The hashed row of a profile in the link's schema (EXTERN_ID = profile id). */
export function hashedRowOf(profileId: string, attributes: Record<string, unknown>, config: LinkConfig) {
	const schema = schemaOf(config);
	const values: Partial<Record<MetaKey, unknown>> = {};
	for (const { key, field } of config.identifiers) values[key] = key === 'EXTERN_ID' ? profileId : attributes[field];
	const country = config.countryAttribute ? attributes[config.countryAttribute] : undefined;
	return buildMetaRow(schema, values, {
		defaultCountry: config.defaultCountry ?? undefined,
		country: typeof country === 'string' ? country : undefined,
	});
}

/** The rule. `raw` null means the profile no longer exists in Actito. */
export function decideProfile(raw: RawProfile | null, config: LinkConfig, knownId?: string): ProfileDecision {
	if (!raw) {
		return {
			profileId: String(knownId ?? ''),
			wanted: false,
			whyNot: 'deleted',
			isMember: false,
			consent: null,
			row: null,
			fingerprint: null,
			invalid: {},
			updateMoment: null,
		};
	}
	const attributes = attributeMap(raw);
	const profileId = String(raw.profileId ?? attributes.profileId ?? knownId ?? '');
	const isMember = isAudienceMember(raw, config, attributes);
	const consentValue = readConsent(raw, config, attributes);
	const consent = parseConsent(consentValue);
	const updateMoment = attributes.updateMoment ?? raw.updateMoment ?? null;
	const base = { profileId, isMember, consent, updateMoment };
	if (!isMember) return { ...base, wanted: false, whyNot: 'not_member', row: null, fingerprint: null, invalid: {} };
	const verdict = consentVerdict(consentValue, config.consent.unknown);
	if (verdict !== 'allowed') {
		return {
			...base,
			wanted: false,
			whyNot: verdict === 'blocked_negative' ? 'consent_negative' : 'consent_unknown',
			row: null,
			fingerprint: null,
			invalid: {},
		};
	}
	const built = hashedRowOf(profileId, attributes, config);
	if (!built.hasMatchKey) {
		return { ...base, wanted: false, whyNot: 'no_valid_identifier', row: null, fingerprint: null, invalid: built.invalid };
	}
	return { ...base, wanted: true, whyNot: null, row: built.row, fingerprint: rowFingerprint(built.row), invalid: built.invalid };
}

/** A removal goes by EXTERN_ID alone: Meta maps it to the hashes it was added with. */
export function removalRowOf(profileId: string, config: LinkConfig): string[] {
	return config.identifiers.map((m) => (m.key === 'EXTERN_ID' ? profileId : ''));
}

/** Clock skew tolerated between Actito and n8n before a moment counts as "in the future". */
export const MOMENT_SKEW_MS = 10 * 60_000;

/** Actito's updateMoment as epoch ms, or a reason why it cannot be a watermark. */
export function parseMoment(value: unknown, nowMs: number): { ms: number } | { bad: 'not_a_date' | 'in_the_future' } | null {
	if (value === undefined || value === null || value === '') return null;
	if (typeof value !== 'string' || !/^\d{4}-\d{2}-\d{2}T/.test(value.trim())) return { bad: 'not_a_date' };
	const ms = Date.parse(value.trim());
	if (!Number.isFinite(ms)) return { bad: 'not_a_date' };
	if (ms > nowMs + MOMENT_SKEW_MS) return { bad: 'in_the_future' };
	return { ms };
}
