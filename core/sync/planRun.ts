// One planning pass of the hourly item chain: choose incremental or full, read Actito
// accordingly, feed the planner and decide the candidate watermark. The Get Changes node and the
// benchmarks both call this; the rules of *when* to reconcile live here and nowhere else.

import type { ActitoApi } from '../actito/actitoApi';
import { DEFAULT_PROFILE_SETTINGS, type ProfileSettings } from '../actito/profile';
import type { MetaKey } from '../identifiers';
import { buildLinkConfig, LinkConfigError, type IdentifierMapping, type LinkConfig } from '../link/config';
import type { ActitoAudienceRef, LinkState, OpenState, StoredItemChain } from '../state/syncState';
import { startRun } from './commit';
import { ChangePlanner, type Plan } from './planner';
import type { UnknownConsentPolicy } from './consent';

/** The item chain's settings: Get Changes' parameters, which Consent Filter and Hash Identifiers repeat. */
export interface ItemChainSettings {
	segmentation: string;
	/** Attribute names (Get Changes' "Attribute Names"); consentSubscription switches the consent source. */
	profileSettings: ProfileSettings;
	/** The Meta keys Hash Identifiers sends, in its order; EXTERN_ID included. */
	schema: MetaKey[];
	defaultCountry?: string;
	unknownConsent: UnknownConsentPolicy;
}

export interface PlanRunSettings extends ItemChainSettings {
	tableId: string;
	/** The link's rule, as itemChainLinkConfig builds it from the settings above (built here when absent). */
	config?: LinkConfig;
	maxChanges: number;
	fullReconcileEveryHours: number;
	forceFullReconcile?: boolean;
	/** Upload sessions at Meta that the state does not know (see recovery.ts): replace this run. */
	unknownSessions?: string[];
	/** Re-read this much before the watermark: Actito's clock and paging are not exact. */
	overlapMinutes: number;
	pageSize: number;
}

export interface PlanRunResult {
	plan: Plan;
	mode: 'incremental' | 'full';
	candidateWatermark: string | null;
	pagesRead: number;
	/** The run sends the whole wanted set through usersreplace (recovery). */
	replace: boolean;
	unknownSessions: string[];
}

/** Which attribute name of the item chain feeds which Meta key (the change-item fields of DEFAULT_FIELD_MAP). */
const ATTRIBUTE_OF_KEY: Partial<Record<MetaKey, keyof typeof DEFAULT_PROFILE_SETTINGS>> = {
	EMAIL: 'emailAttribute',
	PHONE: 'phoneAttribute',
	FN: 'firstNameAttribute',
	FI: 'firstNameAttribute',
	LN: 'lastNameAttribute',
	GEN: 'sexAttribute',
	DOBY: 'birthDateAttribute',
	DOBM: 'birthDateAttribute',
	DOBD: 'birthDateAttribute',
	COUNTRY: 'countryAttribute',
};

/**
 * The link configuration of an item chain, validated by the builder the Sync step uses
 * (core/link/config.ts), so that the planner decides with the sync's own rule. Throws
 * LinkConfigError listing every problem.
 */
export function itemChainLinkConfig(actito: Pick<ActitoAudienceRef, 'entity' | 'table'>, metaAudienceId: string, settings: ItemChainSettings): LinkConfig {
	const names = { ...DEFAULT_PROFILE_SETTINGS };
	for (const [key, value] of Object.entries(settings.profileSettings ?? {})) {
		if (key in names && typeof value === 'string' && value.trim()) (names as Record<string, string>)[key] = value.trim();
	}
	const problems: string[] = [];
	// The removals the planner emits carry no identifier: they reach Meta by EXTERN_ID only.
	if (!settings.schema.includes('EXTERN_ID')) problems.push('the schema must include EXTERN_ID (removals go by the profile id)');
	const identifiers: IdentifierMapping[] = [{ key: 'EXTERN_ID', field: 'profileId' }];
	for (const key of settings.schema) {
		if (key === 'EXTERN_ID') continue;
		const attribute = ATTRIBUTE_OF_KEY[key];
		if (attribute) identifiers.push({ key, field: names[attribute] });
		else problems.push(`the Meta key ${String(key).slice(0, 20)} cannot be planned as change items`);
	}
	if (problems.length) throw new LinkConfigError(problems);
	const subscription = settings.profileSettings?.consentSubscription?.trim();
	const config = buildLinkConfig({
		actito: { entity: actito.entity, table: actito.table, segmentation: settings.segmentation },
		// Get Changes names the Meta audience only (Sync Members has the ad account); the planner
		// reads no Meta setting of the configuration.
		meta: { adAccountId: '0', audienceId: metaAudienceId },
		identifiers,
		countryAttribute: names.countryAttribute,
		defaultCountry: settings.defaultCountry ?? null,
		consent: subscription
			? { source: 'subscription', subscription, unknown: settings.unknownConsent }
			: { source: 'attribute', attribute: names.consentAttribute, unknown: settings.unknownConsent },
	});
	// Meta's key order there; the item chain's row is in its own schema's order (the order Hash
	// Identifiers sends, fixed for the audience's life), so the fingerprints match what it commits.
	const order = settings.schema.filter((key, i) => settings.schema.indexOf(key) === i);
	return { ...config, identifiers: order.map((key) => config.identifiers.find((m) => m.key === key)!) };
}

export function storedItemChain(settings: ItemChainSettings): StoredItemChain {
	const profileSettings: Record<string, string> = {};
	for (const [key, value] of Object.entries(settings.profileSettings ?? {})) if (typeof value === 'string' && value.trim()) profileSettings[key] = value.trim();
	return {
		segmentation: settings.segmentation,
		profileSettings,
		schema: [...settings.schema],
		defaultCountry: settings.defaultCountry ?? null,
		unknownConsent: settings.unknownConsent,
	};
}

/** The link configuration an item chain stored (see storedItemChain), for Get Profile Status. */
export function storedItemChainConfig(state: Pick<LinkState, 'actito' | 'metaAudienceId' | 'itemChain'>): LinkConfig | null {
	const stored = state.itemChain;
	if (!stored) return null;
	return itemChainLinkConfig(state.actito, state.metaAudienceId, {
		segmentation: stored.segmentation,
		profileSettings: stored.profileSettings,
		schema: stored.schema as MetaKey[],
		defaultCountry: stored.defaultCountry ?? undefined,
		unknownConsent: stored.unknownConsent,
	});
}

export function chooseMode(open: OpenState, settings: Pick<PlanRunSettings, 'fullReconcileEveryHours' | 'forceFullReconcile'>, now: Date): 'incremental' | 'full' {
	const { state } = open;
	if (open.isNew || settings.forceFullReconcile || !state.watermark || !state.lastFullReconcileAt) return 'full';
	if (settings.fullReconcileEveryHours > 0) {
		const age = now.getTime() - Date.parse(state.lastFullReconcileAt);
		if (!(age < settings.fullReconcileEveryHours * 3_600_000)) return 'full';
	}
	return 'incremental';
}

export async function planRun(
	api: ActitoApi,
	open: OpenState,
	settings: PlanRunSettings,
	now: Date = new Date(),
): Promise<PlanRunResult> {
	const replace = Boolean(settings.unknownSessions?.length);
	const mode = replace ? 'full' : chooseMode(open, settings, now);
	const config = settings.config ?? itemChainLinkConfig(open.state.actito, open.state.metaAudienceId, settings);
	// Kept with the state (names of attributes, no values), so that Get Profile Status decides a
	// profile of this link with the planner's own rule, not with defaults.
	open.state.itemChain = storedItemChain(settings);
	const planner = new ChangePlanner(open.members, {
		link: open.state.link,
		config,
		maxChanges: settings.maxChanges,
		mode,
		watermark: open.state.watermark,
		replace,
		firstRun: open.isNew || open.state.runs.every((r) => r.status !== 'success' && r.status !== 'partial'),
	});
	let updatedSince: string | undefined;
	if (mode === 'incremental' && open.state.watermark) {
		updatedSince = new Date(Date.parse(open.state.watermark) - settings.overlapMinutes * 60_000).toISOString();
	}
	let pagesRead = 0;
	// A full read lists the segment's members (every profile for an attribute = value rule); an
	// incremental one lists every profile changed since the watermark, members or not, so that
	// leavers are seen too.
	const rule = config.actito.audience;
	const pages = api.iterateProfilePages(settings.tableId, {
		segmentation: mode === 'full' && rule.kind === 'segmentation' ? rule.segmentation : undefined,
		updatedSince,
		pageSize: settings.pageSize,
	});
	for await (const page of pages) {
		pagesRead++;
		for (const raw of page) planner.observe(raw);
	}
	const plan = planner.finish();
	const seen = plan.maxUpdateMoment;
	const previous = open.state.watermark;
	let candidate = seen && (!previous || seen > previous) ? seen : previous;
	// Nothing listed at all on a full read: start incremental reads from now on.
	if (!candidate) candidate = now.toISOString();
	return { plan, mode, candidateWatermark: candidate, pagesRead, replace, unknownSessions: settings.unknownSessions ?? [] };
}

/** Records the planned run in the state (activation moment on the first run). */
export function openRun(open: OpenState, result: PlanRunResult, now: Date): void {
	const { stats } = result.plan;
	if (!open.state.activatedAt) open.state.activatedAt = now.toISOString();
	open.state.replacePending = result.replace
		? { detectedAt: now.toISOString(), sessions: result.unknownSessions }
		: null;
	startRun(open, {
		mode: result.mode,
		planned: { add: stats.add, remove: stats.remove },
		unchanged: stats.unchanged,
		invalid: stats.invalid,
		blockedForConsent: stats.blockedForConsent,
		deferred: stats.deferred,
		candidateWatermark: result.candidateWatermark,
		now: now.toISOString(),
	});
}
