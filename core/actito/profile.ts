// Turns Actito's profile shape (attributes as a name/value list, subscriptions, segmentations)
// into the flat record the nodes work with. Defensive by design: customers name attributes
// their own way and store booleans as whatever their import tool produced.

import { parseConsent } from '../sync/consent';

export interface RawProfile {
	profileId?: string | number;
	attributes?: Array<{ name?: string; value?: unknown }> | Record<string, unknown>;
	subscriptions?: Array<{ name?: string; subscribe?: unknown }>;
	segmentations?: Array<{ belongs?: unknown; segmentation?: { category?: string; name?: string } }>;
	[key: string]: unknown;
}

export interface ProfileSettings {
	emailAttribute?: string;
	phoneAttribute?: string;
	countryAttribute?: string;
	/** Attribute holding marketing consent; ignored when consentSubscription is set. */
	consentAttribute?: string;
	/** Subscription whose `subscribe` flag is the consent, for customers who model it that way. */
	consentSubscription?: string;
	firstNameAttribute?: string;
	lastNameAttribute?: string;
	birthDateAttribute?: string;
	sexAttribute?: string;
}

export interface FlatProfile {
	profileId: string;
	email: string | null;
	phone: string | null;
	country: string | null;
	firstName: string | null;
	lastName: string | null;
	birthDate: string | null;
	sex: string | null;
	marketingConsent: boolean | null;
	subscriptions: Record<string, boolean>;
	/** `Category:Name` of every segmentation the profile belongs to. */
	segments: string[];
	updateMoment: string | null;
	attributes: Record<string, unknown>;
}

export const DEFAULT_PROFILE_SETTINGS: Required<Omit<ProfileSettings, 'consentSubscription'>> = {
	emailAttribute: 'emailAddress',
	phoneAttribute: 'gsmNumber',
	countryAttribute: 'country',
	consentAttribute: 'marketingConsent',
	firstNameAttribute: 'firstName',
	lastNameAttribute: 'lastName',
	birthDateAttribute: 'birthDate',
	sexAttribute: 'sex',
};

// Consent words are read by the one rule of the sync (core/sync/consent).
export { parseConsent };

export function attributeMap(raw: RawProfile): Record<string, unknown> {
	const out: Record<string, unknown> = {};
	const attrs = raw?.attributes;
	if (Array.isArray(attrs)) {
		for (const a of attrs) {
			if (a && typeof a.name === 'string') out[a.name] = a.value;
		}
	} else if (attrs && typeof attrs === 'object') {
		Object.assign(out, attrs);
	}
	return out;
}

function text(value: unknown): string | null {
	if (value === undefined || value === null) return null;
	if (typeof value === 'string') return value.trim() === '' ? null : value;
	if (typeof value === 'number' || typeof value === 'boolean') return String(value);
	return null;
}

export function profileSegments(raw: RawProfile): string[] {
	const out: string[] = [];
	for (const s of Array.isArray(raw?.segmentations) ? raw.segmentations : []) {
		const category = s?.segmentation?.category;
		const name = s?.segmentation?.name;
		// Only an explicit belongs:true counts; Actito lists non-memberships too.
		if (name && (s.belongs === true || parseConsent(s.belongs) === true)) out.push(`${category ?? ''}:${name}`);
	}
	return out;
}

export function flattenProfile(raw: RawProfile, settings: ProfileSettings = {}): FlatProfile {
	const s = { ...DEFAULT_PROFILE_SETTINGS, ...stripUndefined(settings) };
	const attributes = attributeMap(raw);
	const subscriptions: Record<string, boolean> = {};
	for (const sub of Array.isArray(raw?.subscriptions) ? raw.subscriptions : []) {
		if (sub && typeof sub.name === 'string') {
			const flag = parseConsent(sub.subscribe);
			if (flag !== null) subscriptions[sub.name] = flag;
		}
	}
	const marketingConsent = settings.consentSubscription
		? subscriptions[settings.consentSubscription] ?? null
		: parseConsent(attributes[s.consentAttribute]);
	return {
		profileId: String(raw?.profileId ?? attributes.profileId ?? ''),
		email: text(attributes[s.emailAttribute]),
		phone: text(attributes[s.phoneAttribute]),
		country: text(attributes[s.countryAttribute]),
		firstName: text(attributes[s.firstNameAttribute]),
		lastName: text(attributes[s.lastNameAttribute]),
		birthDate: text(attributes[s.birthDateAttribute]),
		sex: text(attributes[s.sexAttribute]),
		marketingConsent,
		subscriptions,
		segments: profileSegments(raw),
		updateMoment: text(attributes.updateMoment ?? raw?.updateMoment),
		attributes,
	};
}

function stripUndefined<T extends object>(value: T): Partial<T> {
	const out: Partial<T> = {};
	for (const [k, v] of Object.entries(value)) {
		if (v !== undefined && v !== '') (out as Record<string, unknown>)[k] = v;
	}
	return out;
}

/** Splits `Category:Name` at the first colon; a bare name has an empty category. */
export function parseSegmentationKey(key: string): { category: string; name: string } {
	const colon = key.indexOf(':');
	return colon < 0 ? { category: '', name: key } : { category: key.slice(0, colon), name: key.slice(colon + 1) };
}

/** Whether a raw or flattened profile belongs to `Category:Name`. */
export function isInSegmentation(profile: RawProfile | FlatProfile, key: string): boolean {
	const segments = Array.isArray((profile as FlatProfile).segments)
		? (profile as FlatProfile).segments
		: profileSegments(profile as RawProfile);
	const wanted = parseSegmentationKey(key);
	return segments.some((s) => {
		const got = parseSegmentationKey(s);
		return got.name === wanted.name && (got.category === wanted.category || !wanted.category);
	});
}
