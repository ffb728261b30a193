// The link configuration: every setting of one audience link, in one validated object. The sync
// step, the status, the profile status and the generator all read this object; it is stored
// with the link's state (core/state/syncState.ts), so a later run can tell which settings changed.

import * as crypto from 'node:crypto';

import { META_KEYS, isMetaKey, type MetaKey } from '../identifiers';
import { countryToIso2 } from '../identifiers';
import type { UnknownConsentPolicy } from '../sync/consent';

export type ActitoAudienceRule =
	| { kind: 'segmentation'; segmentation: string }
	| { kind: 'attribute'; attribute: string; value: string };

export type ConsentSource = { source: 'attribute'; attribute: string } | { source: 'subscription'; subscription: string };

export interface IdentifierMapping {
	key: MetaKey;
	/** Actito attribute name; `profileId` for EXTERN_ID. */
	field: string;
}

export interface SafetyLimits {
	/** Mass-removal guard: a run removing more than this share of the audience stops (0..1). */
	maxRemovalShare: number;
	/** …and at least this many removals (small audiences churn by large shares). */
	minRemovalsForGuard: number;
	batchSize: number;
	pageSize: number;
	callsPerMinute: number;
	overlapMinutes: number;
}

export interface LinkConfig {
	actito: { entity: string; table: string; audience: ActitoAudienceRule };
	meta: { adAccountId: string; audienceId: string };
	/** In Meta's key order; EXTERN_ID → profileId always first. */
	identifiers: IdentifierMapping[];
	/** Attribute holding the profile's country (national phone numbers, ZIP), or null. */
	countryAttribute: string | null;
	/** ISO alpha-2, upper case, or null. */
	defaultCountry: string | null;
	consent: ConsentSource & { unknown: UnknownConsentPolicy };
	/** Hours between full reconciles; 0: only the first run (and forced ones). */
	fullReconcileEveryHours: number;
	limits: SafetyLimits;
}

export const DEFAULT_LIMITS: SafetyLimits = {
	maxRemovalShare: 0.2,
	minRemovalsForGuard: 200,
	batchSize: 10_000,
	pageSize: 1000,
	callsPerMinute: 60,
	overlapMinutes: 5,
};

export const DEFAULT_IDENTIFIERS: IdentifierMapping[] = [
	{ key: 'EXTERN_ID', field: 'profileId' },
	{ key: 'EMAIL', field: 'emailAddress' },
	{ key: 'PHONE', field: 'gsmNumber' },
];

export class LinkConfigError extends Error {
	readonly hint: string;
	constructor(readonly problems: string[]) {
		super(`The link configuration is not valid: ${problems.join('; ')}.`);
		this.name = 'LinkConfigError';
		this.hint = 'Fix these settings of the Sync from Actito Audience step (or the generator options) and run again.';
	}
}

/** What a user (node parameters, generator, tests) gives; everything else takes its default. */
export interface LinkConfigInput {
	actito: { entity: string; table: string; segmentation?: string; attribute?: string; value?: string };
	meta: { adAccountId: string; audienceId: string };
	identifiers?: Array<{ key: string; field: string }>;
	countryAttribute?: string | null;
	defaultCountry?: string | null;
	consent?: { source?: string; attribute?: string; subscription?: string; unknown?: string };
	fullReconcileEveryHours?: number;
	limits?: Partial<SafetyLimits>;
}

const text = (v: unknown) => (typeof v === 'string' ? v.trim() : typeof v === 'number' ? String(v) : '');

function numberIn(problems: string[], name: string, value: unknown, fallback: number, min: number, max: number, integer = true): number {
	if (value === undefined || value === null || value === '') return fallback;
	const n = Number(value);
	if (!Number.isFinite(n) || n < min || n > max || (integer && !Number.isInteger(n))) {
		problems.push(`${name} must be ${integer ? 'a whole number' : 'a number'} from ${min} to ${max} (got ${String(value).slice(0, 20)})`);
		return fallback;
	}
	return n;
}

/** Validates and completes a configuration; throws LinkConfigError listing every problem. */
export function buildLinkConfig(input: LinkConfigInput): LinkConfig {
	const problems: string[] = [];
	const a = input?.actito ?? ({} as LinkConfigInput['actito']);
	const entity = text(a.entity);
	const table = text(a.table);
	if (!entity) problems.push('the Actito entity is missing (it comes from the Actito credential)');
	if (!table) problems.push('the Actito profile table is missing');
	let audience: ActitoAudienceRule | null = null;
	const segmentation = text(a.segmentation);
	const attribute = text(a.attribute);
	if (segmentation && attribute) problems.push('give the Actito audience as a segmentation or as attribute = value, not both');
	else if (segmentation) {
		if (!/^[^:]+:.+$/.test(segmentation)) problems.push(`segmentation "${segmentation.slice(0, 60)}" is not Category:Name`);
		audience = { kind: 'segmentation', segmentation };
	} else if (attribute) {
		const value = text(a.value);
		if (!value) problems.push(`the audience rule ${attribute} = … has no value`);
		audience = { kind: 'attribute', attribute, value };
	} else problems.push('the Actito audience is missing (a segmentation, or attribute = value)');

	const m = input?.meta ?? ({} as LinkConfigInput['meta']);
	const adAccountDigits = text(m.adAccountId).replace(/^act_/, '');
	if (!/^\d+$/.test(adAccountDigits)) problems.push('the Meta ad account must be digits, optionally after act_');
	const audienceId = text(m.audienceId);
	if (!/^\d+$/.test(audienceId)) problems.push('the Meta audience id must be digits');

	const mapping = new Map<MetaKey, string>();
	for (const entry of input.identifiers?.length ? input.identifiers : DEFAULT_IDENTIFIERS) {
		const key = text(entry?.key).toUpperCase();
		const field = text(entry?.field);
		if (!isMetaKey(key)) {
			problems.push(`"${key.slice(0, 20)}" is not a Meta match key (${META_KEYS.join(', ')})`);
			continue;
		}
		if (key === 'EXTERN_ID') {
			// Removals go by EXTERN_ID: it is the profile id, whatever was asked.
			if (field && field !== 'profileId') problems.push('EXTERN_ID is always the Actito profileId (removals need it); map no other field to it');
			continue;
		}
		if (!field) problems.push(`the Meta key ${key} has no Actito field`);
		else if (mapping.has(key)) problems.push(`the Meta key ${key} is mapped twice`);
		else mapping.set(key, field);
	}
	if (!mapping.size) problems.push('map at least one Actito field to a Meta match key besides EXTERN_ID (e.g. emailAddress → EMAIL)');
	const identifiers: IdentifierMapping[] = [{ key: 'EXTERN_ID', field: 'profileId' }];
	for (const key of META_KEYS) if (mapping.has(key)) identifiers.push({ key, field: mapping.get(key)! });

	let defaultCountry: string | null = null;
	if (text(input.defaultCountry)) {
		const iso = countryToIso2(text(input.defaultCountry));
		if (!iso) problems.push(`default country "${text(input.defaultCountry).slice(0, 30)}" is not a country (use an ISO code such as BE)`);
		else defaultCountry = iso.toUpperCase();
	}
	const countryAttribute = input.countryAttribute === null ? null : text(input.countryAttribute ?? 'country') || null;

	const c = input.consent ?? {};
	const unknown = (text(c.unknown) || 'allow') as UnknownConsentPolicy;
	if (unknown !== 'allow' && unknown !== 'block') problems.push('unknown consent must be allow or block');
	let consent: LinkConfig['consent'];
	if ((text(c.source) || 'attribute') === 'subscription') {
		const subscription = text(c.subscription);
		if (!subscription) problems.push('consent from a subscription needs the subscription name');
		consent = { source: 'subscription', subscription, unknown };
	} else if ((text(c.source) || 'attribute') === 'attribute') {
		consent = { source: 'attribute', attribute: text(c.attribute) || 'marketingConsent', unknown };
	} else {
		problems.push('the consent source must be attribute or subscription');
		consent = { source: 'attribute', attribute: 'marketingConsent', unknown };
	}

	const l = input.limits ?? {};
	const limits: SafetyLimits = {
		maxRemovalShare: numberIn(problems, 'the mass-removal share', l.maxRemovalShare, DEFAULT_LIMITS.maxRemovalShare, 0, 1, false),
		minRemovalsForGuard: numberIn(problems, 'the mass-removal minimum', l.minRemovalsForGuard, DEFAULT_LIMITS.minRemovalsForGuard, 0, 1e9),
		batchSize: numberIn(problems, 'the batch size', l.batchSize, DEFAULT_LIMITS.batchSize, 1, 10_000),
		pageSize: numberIn(problems, 'the page size', l.pageSize, DEFAULT_LIMITS.pageSize, 1, 1000),
		callsPerMinute: numberIn(problems, 'the Actito calls per minute', l.callsPerMinute, DEFAULT_LIMITS.callsPerMinute, 1, 100),
		overlapMinutes: numberIn(problems, 'the overlap', l.overlapMinutes, DEFAULT_LIMITS.overlapMinutes, 0, 24 * 60),
	};
	const fullReconcileEveryHours = numberIn(problems, 'the full-reconcile interval', input.fullReconcileEveryHours, 24, 0, 24 * 365);
	if (problems.length) throw new LinkConfigError(problems);
	return {
		actito: { entity, table, audience: audience! },
		meta: { adAccountId: `act_${adAccountDigits}`, audienceId },
		identifiers,
		countryAttribute,
		defaultCountry,
		consent,
		fullReconcileEveryHours,
		limits,
	};
}

export function schemaOf(config: LinkConfig): MetaKey[] {
	return config.identifiers.map((m) => m.key);
}

export function audienceLabel(rule: ActitoAudienceRule): string {
	return rule.kind === 'segmentation' ? `seg:${rule.segmentation}` : `attr:${rule.attribute}=${rule.value}`;
}

/** The link's name: state key, link marker in the Meta audience's description. Ids only. */
export function linkIdOf(config: LinkConfig): string {
	return `actito:${config.actito.entity}/${config.actito.table}/${audienceLabel(config.actito.audience)}→meta:${config.meta.audienceId}`;
}

function digest(value: unknown): string {
	return crypto.createHash('sha256').update(JSON.stringify(value)).digest('hex').slice(0, 16);
}

/**
 * Settings that change the hashed rows: when this key changes, the rows Meta holds are no longer
 * the ones the state's fingerprints describe, so the next run replaces the audience on purpose.
 */
export function rowsKeyOf(config: LinkConfig): string {
	return digest({ identifiers: config.identifiers, defaultCountry: config.defaultCountry, countryAttribute: config.countryAttribute });
}

/** Settings that change who is wanted: a change makes the next run a full reconcile. */
export function wantedKeyOf(config: LinkConfig): string {
	return digest({ audience: config.actito.audience, consent: config.consent });
}

/** Meta keeps one schema per audience for its whole life (error 2650 otherwise). */
export function schemaChange(stored: readonly string[] | null | undefined, config: LinkConfig): string | null {
	if (!stored || !stored.length) return null;
	const now = schemaOf(config);
	if (stored.join(',') === now.join(',')) return null;
	return (
		`This Meta audience was filled with the keys [${stored.join(', ')}]; the configuration now sends [${now.join(', ')}]. ` +
		'Meta takes one set of keys per audience: restore the identifier mapping, or link a new Meta audience.'
	);
}
