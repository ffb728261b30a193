// Property tests of the sync core: the member codec, the Consent Filter node and the planner.
// - the codec round-trips any member set (ids 0..2^53-1, uint32 fingerprints) and stays within
//   8 bytes a member for dense, realistic ids;
// - whatever shape the items have, an add of a profile with negative consent never leaves the
//   Consent Filter on Allowed;
// - the planner adds only members; what it adds for a refusing profile carries no identifier and
//   is turned into a removal by the Consent Filter; committing its plan the way Sync Members does
//   and planning again gives nothing (convergence), also under a change cap.
import fc from 'fast-check';
import type { IDataObject, INodeExecutionData } from 'n8n-workflow';

import { buildMetaRow } from '../../core/identifiers';
import { decodeMembers, encodeMembers, type MemberMap } from '../../core/state/memberCodec';
import { emptyState, type OpenState } from '../../core/state/syncState';
import { applyAcceptedBatch } from '../../core/sync/commit';
import { consentVerdict, parseConsent, type UnknownConsentPolicy } from '../../core/sync/consent';
import type { RawProfile } from '../../core/actito/profile';
import { ChangePlanner, type PlannerSettings } from '../../core/sync/planner';
import { itemChainLinkConfig } from '../../core/sync/planRun';
import { uploadChanges, type UploadRow } from '../../core/sync/uploader';
import type { MetaClient } from '../../core/meta/metaClient';
import { ConsentFilter } from '../../nodes/ConsentFilter/ConsentFilter.node';
import { runNode } from '../support/n8nContext';

const consentFilter = new ConsentFilter();
const HEX64 = /^[0-9a-f]{64}$/;

// ---------------------------------------------------------------------------------------------
// State codec

describe('member codec', () => {
	const memberSet = fc.uniqueArray(fc.tuple(fc.maxSafeNat(), fc.integer({ min: 0, max: 0xffffffff })), {
		selector: ([id]) => id,
		maxLength: 300,
	});

	test('round-trips any member set: ids 0..2^53-1, fingerprints uint32', () => {
		fc.assert(
			fc.property(memberSet, (entries) => {
				const members: MemberMap = new Map(entries);
				const encoded = encodeMembers(members);
				expect(typeof encoded).toBe('string');
				expect(encoded).toMatch(/^[A-Za-z0-9+/]*={0,2}$/);
				const decoded = decodeMembers(encoded);
				expect([...decoded.entries()].sort((a, b) => a[0] - b[0])).toEqual([...members.entries()].sort((a, b) => a[0] - b[0]));
				// Deterministic: the same set encodes the same whatever the insertion order.
				expect(encodeMembers(new Map([...members.entries()].reverse()))).toBe(encoded);
			}),
			{ numRuns: 500 },
		);
	});

	test('round-trips the edges: empty, 0, 2^53-1, fingerprints 0 and 2^32-1', () => {
		for (const entries of [[], [[0, 0]], [[Number.MAX_SAFE_INTEGER, 0xffffffff]], [[0, 0xffffffff], [Number.MAX_SAFE_INTEGER, 0], [1, 1]]] as Array<Array<[number, number]>>) {
			const members = new Map(entries);
			expect(new Map(decodeMembers(encodeMembers(members)))).toEqual(members);
		}
	});

	test('stays within 8 bytes a member for dense realistic ids (Actito ids, gaps below 128)', () => {
		const dense = fc
			.record({
				base: fc.integer({ min: 1, max: 50_000_000 }),
				gaps: fc.array(fc.integer({ min: 1, max: 127 }), { minLength: 100, maxLength: 5000 }),
				seed: fc.integer({ min: 0, max: 0xffffffff }),
			})
			.map(({ base, gaps, seed }) => {
				const members: MemberMap = new Map();
				let id = base;
				let fp = seed;
				for (const gap of gaps) {
					id += gap;
					fp = (Math.imul(fp, 2654435761) + 0x9e3779b9) >>> 0;
					members.set(id, fp);
				}
				return members;
			});
		fc.assert(
			fc.property(dense, (members) => {
				const encoded = encodeMembers(members);
				// What static data stores: the base64 text (one byte a character in JSON).
				expect(Buffer.byteLength(encoded, 'utf8') / members.size).toBeLessThanOrEqual(8);
				expect(new Map(decodeMembers(encoded))).toEqual(members);
			}),
			{ numRuns: 100 },
		);
	});
});

// ---------------------------------------------------------------------------------------------
// Consent Filter node, in-process

const negativeConsent = fc.constantFrom<unknown>(false, 'false', 'FALSE', ' false ', 'False', 0, '0', 'no', 'No', 'n', 'off', 'non', 'nee', 'nein', 'opt-out', 'optout', 'unsubscribed', 'denied', 'withdrawn');
const positiveConsent = fc.constantFrom<unknown>(true, 'true', 'TRUE', 1, '1', 'yes', 'oui', 'ja', 'opt-in', 'granted');
const junkConsent = fc.oneof(
	fc.constantFrom<unknown>(null, undefined, 'null', 'undefined', '', '   ', 'maybe', 2, -1, NaN, [], [false], ['false'], {}, { value: false }, { marketingConsent: false }),
	fc.anything(),
);
const consentValue = fc.oneof(negativeConsent, positiveConsent, junkConsent);
const actionValue = fc.oneof(
	fc.constantFrom<unknown>('add', 'ADD', 'Add', ' add', 'remove', 'REMOVE', 'Remove', ' remove ', 'delete', '', null, undefined, 0, true, {}, ['remove'], { action: 'remove' }),
	fc.string(),
);

/** An item as anything upstream might hand the filter: fields missing, junk, nested objects. */
const itemJson = fc
	.record(
		{
			profileId: fc.oneof(fc.integer({ min: 1, max: 1e9 }).map(String), fc.integer(), fc.constant(null), fc.string()),
			action: actionValue,
			marketingConsent: consentValue,
			email: fc.oneof(fc.emailAddress(), fc.string(), fc.constant(null)),
			subscriptions: fc.oneof(
				fc.constant(undefined),
				fc.array(fc.record({ name: fc.constantFrom('Newsletter', 'Other', ''), subscribe: consentValue }, { requiredKeys: [] }), { maxLength: 3 }),
				fc.anything(),
			),
			nested: fc.anything(),
			link: fc.constantFrom(undefined, 'actito:acme/Customers/seg:Audiences:VIP→meta:1'),
		},
		{ requiredKeys: [] },
	)
	.map((json) => json as IDataObject);

type FilterParams = { consentSource: 'field' | 'subscription'; consentField?: string; subscriptionName?: string; unknownConsent: UnknownConsentPolicy };

const filterParams: fc.Arbitrary<FilterParams> = fc.oneof(
	fc.record({ consentSource: fc.constant('field' as const), consentField: fc.constant('marketingConsent'), unknownConsent: fc.constantFrom<UnknownConsentPolicy>('allow', 'block') }),
	fc.record({ consentSource: fc.constant('subscription' as const), subscriptionName: fc.constant('Newsletter'), unknownConsent: fc.constantFrom<UnknownConsentPolicy>('allow', 'block') }),
);

/** What the filter reads as the consent of an item, the way a reader of the item would. */
function consentOf(json: IDataObject, params: FilterParams): unknown {
	if (params.consentSource === 'field') return json[params.consentField ?? 'marketingConsent'];
	const subs = json.subscriptions;
	if (!Array.isArray(subs)) return null;
	const entry = subs.find((e) => e && typeof e === 'object' && (e as IDataObject).name === params.subscriptionName) as IDataObject | undefined;
	return entry ? entry.subscribe : null;
}

/** How Sync Members reads the action of an item (anything but "remove" may add someone). */
function actsAsAdd(json: IDataObject): boolean {
	return String(json.action ?? 'add').toLowerCase() !== 'remove';
}

describe('Consent Filter: no negative-consent add on Allowed, whatever the items look like', () => {
	test('Allowed items that add never have negative (or, when blocking, unknown) consent', async () => {
		await fc.assert(
			fc.asyncProperty(fc.array(itemJson, { maxLength: 25 }), filterParams, async (jsons, params) => {
				const items: INodeExecutionData[] = jsons.map((json) => ({ json }));
				const [allowed = [], blocked = []] = await runNode(consentFilter, { items, parameters: params });
				for (const out of allowed) {
					const source = jsons[(out.pairedItem as { item: number }).item];
					const json = out.json as IDataObject;
					if (!actsAsAdd(json)) continue;
					// The item that goes on as an add is the input item itself, and its consent is not negative…
					expect(json).toBe(source);
					const verdict = consentVerdict(consentOf(source, params), params.unknownConsent);
					expect(verdict).toBe('allowed');
					// …nor is the consent Sync Members' last line of defence reads.
					if (params.consentSource === 'field') expect(parseConsent(json.marketingConsent)).not.toBe(false);
				}
				// Every input item comes out on Allowed exactly once (as itself or as a removal).
				expect(allowed.map((o) => (o.pairedItem as { item: number }).item)).toEqual(jsons.map((_, i) => i));
				// Blocked holds exactly the refused adds, and each has its removal on Allowed.
				for (const out of blocked) {
					const i = (out.pairedItem as { item: number }).item;
					expect(actsAsAdd(jsons[i])).toBe(true);
					expect(['negative', 'unknown']).toContain(out.json.consentVerdict);
					const removal = allowed.find((o) => (o.pairedItem as { item: number }).item === i)!.json;
					expect(removal).toMatchObject({ action: 'remove', reason: 'consent_withdrawn' });
					// A removal goes by id: no identifier rides along.
					expect(removal).not.toHaveProperty('email');
				}
			}),
			{ numRuns: 300 },
		);
	});
});

// ---------------------------------------------------------------------------------------------
// Planner

const SCHEMA = ['EXTERN_ID', 'EMAIL', 'PHONE'] as const;
const ID_POOL = 40;
const VIP = 'Audiences:VIP';

/** What a profile is, as these properties draw it; rawOf gives it as Actito lists it. */
interface ProfileSnapshot {
	profileId: string;
	isMember: boolean;
	deleted: boolean;
	marketingConsent: unknown;
	identifiers: Record<string, unknown>;
	updateMoment?: string | null;
}

/** The snapshot as an Actito profile (Actito's default attribute names). */
function rawOf(snapshot: ProfileSnapshot): RawProfile {
	const attributes: Array<{ name: string; value: unknown }> = [{ name: 'marketingConsent', value: snapshot.marketingConsent }];
	const names: Record<string, string> = { email: 'emailAddress', phone: 'gsmNumber', country: 'country' };
	for (const [field, value] of Object.entries(snapshot.identifiers)) attributes.push({ name: names[field] ?? field, value });
	if (snapshot.updateMoment !== undefined) attributes.push({ name: 'updateMoment', value: snapshot.updateMoment });
	return {
		profileId: snapshot.profileId,
		attributes,
		segmentations: [{ belongs: snapshot.isMember, segmentation: { category: 'Audiences', name: 'VIP' } }],
	};
}

const emailArb = fc.oneof(
	fc.constantFrom('jane.doe@example.com', ' Jane.Doe@Example.com ', 'john@example.org', 'x@y.be'),
	fc.emailAddress(),
	fc.constantFrom<unknown>('', '   ', 'not-an-email', 'null', null, undefined, 42, {}, ['a@b.c']),
);
const phoneArb = fc.oneof(
	fc.constantFrom('+32470123456', '0470 12 34 56', '+33 6 12 34 56 78', '(555) 123-4567'),
	fc.constantFrom<unknown>('', 'abc', '12', null, undefined, 32470123456, {}),
);
const countryArb = fc.constantFrom<unknown>('BE', 'FR', 'US', 'be', 'Belgium', '', 'XX', null, undefined, 7);

const snapshotArb: fc.Arbitrary<ProfileSnapshot> = fc.record({
	profileId: fc.integer({ min: 1, max: ID_POOL }).map(String),
	isMember: fc.boolean(),
	deleted: fc.integer({ min: 0, max: 6 }).map((n) => n === 0),
	marketingConsent: consentValue,
	identifiers: fc.record({ email: emailArb, phone: phoneArb, country: countryArb }, { requiredKeys: [] }) as fc.Arbitrary<Record<string, unknown>>,
	updateMoment: fc.constantFrom<string | null | undefined>(undefined, null, '2026-11-28T10:00:00.000Z', '2026-11-28T11:00:00.000Z'),
});

/** Snapshots heavy in refusals changed after the watermark: what a capped window meets after a mass opt-out. */
const refusalHeavySnapshotArb: fc.Arbitrary<ProfileSnapshot> = fc.record({
	profileId: fc.integer({ min: 1, max: ID_POOL }).map(String),
	isMember: fc.boolean(),
	deleted: fc.constant(false),
	marketingConsent: fc.oneof({ weight: 3, arbitrary: negativeConsent }, { weight: 2, arbitrary: consentValue }),
	identifiers: fc.record({ email: emailArb, phone: phoneArb, country: countryArb }, { requiredKeys: [] }) as fc.Arbitrary<Record<string, unknown>>,
	updateMoment: fc.constantFrom<string | null | undefined>(undefined, '2026-11-28T10:00:00.000Z', '2026-11-28T11:00:00.000Z', '2026-11-28T11:00:00.000Z'),
});

const membersArb = fc
	.uniqueArray(fc.tuple(fc.integer({ min: 1, max: ID_POOL + 10 }), fc.integer({ min: 0, max: 0xffffffff })), { selector: ([id]) => id, maxLength: 30 })
	.map((entries) => new Map(entries) as MemberMap);

const settingsArb = fc.record({
	mode: fc.constantFrom<'full' | 'incremental'>('full', 'incremental'),
	unknownConsent: fc.constantFrom<UnknownConsentPolicy>('allow', 'block'),
	defaultCountry: fc.constantFrom<string | undefined>('BE', undefined),
	firstRun: fc.boolean(),
});

type SettingsDraw = { mode: 'full' | 'incremental'; unknownConsent: UnknownConsentPolicy; defaultCountry?: string; firstRun: boolean };

function plannerSettings(draw: SettingsDraw, maxChanges = Number.MAX_SAFE_INTEGER, watermark: string | null = null): PlannerSettings {
	return {
		link: 'actito:acme/Customers/seg:Audiences:VIP→meta:1',
		config: itemChainLinkConfig({ entity: 'acme', table: 'Customers' }, '1', {
			segmentation: VIP,
			profileSettings: {},
			schema: [...SCHEMA],
			defaultCountry: draw.defaultCountry,
			unknownConsent: draw.unknownConsent,
		}),
		maxChanges,
		mode: draw.mode,
		firstRun: draw.firstRun,
		watermark,
	};
}

function plan(members: MemberMap, snapshots: ProfileSnapshot[], settings: PlannerSettings) {
	const planner = new ChangePlanner(members, settings);
	for (const snap of snapshots) {
		if (snap.deleted) planner.observeDeleted(snap.profileId);
		else planner.observe(rawOf(snap));
	}
	return planner.finish();
}

/** The last snapshot of each profile: what the planner keeps of a profile read twice. */
function latest(snapshots: ProfileSnapshot[]): Map<number, ProfileSnapshot> {
	const out = new Map<number, ProfileSnapshot>();
	for (const s of snapshots) out.set(Number(s.profileId), s);
	return out;
}

function hasIdentifier(item: IDataObject): boolean {
	return ['email', 'phone', 'firstName', 'lastName', 'birthDate', 'sex'].some((k) => item[k] !== undefined);
}

/** Consent Filter → Hash Identifiers → Sync Members' commit, as the template chains them (Meta always accepts). */
async function commitPlan(members: MemberMap, items: IDataObject[], draw: SettingsDraw): Promise<void> {
	const [allowed = []] = await runNode(consentFilter, {
		items: items.map((json) => ({ json })),
		parameters: { consentSource: 'field', consentField: 'marketingConsent', unknownConsent: draw.unknownConsent },
	});
	const rows: UploadRow[] = allowed.map((out, index) => {
		const json = out.json as IDataObject;
		const built = buildMetaRow([...SCHEMA], { EXTERN_ID: json.profileId, EMAIL: json.email, PHONE: json.phone }, {
			defaultCountry: draw.defaultCountry,
			country: typeof json.country === 'string' ? json.country : undefined,
		});
		for (const cell of built.row.slice(1)) expect(cell === '' || HEX64.test(cell)).toBe(true);
		return { index, profileId: String(json.profileId), action: json.action as 'add' | 'remove', schema: [...SCHEMA], row: built.row };
	});
	const client = {
		stats: { requests: 0 },
		newSessionId: () => 1,
		upload: async ({ rows: sent }: { rows: string[][] }) => ({ numReceived: sent.length, numInvalidEntries: 0, invalidEntrySamples: {}, sessionId: '1' }),
	} as unknown as MetaClient;
	const open: OpenState = { state: emptyState({ entity: 'acme', table: 'Customers', segmentation: 'Audiences:VIP' }, '1'), members, isNew: false };
	const summary = await uploadChanges(client, rows, { audienceId: '1', batchSize: 7, onBatchAccepted: (batch) => applyAcceptedBatch(open, batch, 'now') });
	expect(summary.status === 'success' || summary.status === 'nothing_to_do').toBe(true);
}

describe('ChangePlanner', () => {
	test('adds only members; an add that can reach Meta is for a wanted profile; a refusing profile\'s add carries no identifier and the Consent Filter turns it into a removal', async () => {
		await fc.assert(
			fc.asyncProperty(membersArb, fc.array(snapshotArb, { maxLength: 40 }), settingsArb, async (members, snapshots, draw) => {
				const settings = plannerSettings(draw);
				const { items } = plan(new Map(members), snapshots, settings);
				const last = latest(snapshots);
				for (const item of items as unknown as IDataObject[]) {
					if (item.action !== 'add') continue;
					const snap = last.get(Number(item.profileId))!;
					expect(snap).toBeDefined();
					expect(snap.isMember && !snap.deleted).toBe(true);
					const verdict = consentVerdict(snap.marketingConsent, draw.unknownConsent);
					if (verdict !== 'allowed') {
						// Emitted for the audit log only: the filter blocks it, and it has nothing to send.
						expect(hasIdentifier(item)).toBe(false);
						expect(consentVerdict(item.marketingConsent, draw.unknownConsent)).not.toBe('allowed');
					} else {
						expect(parseConsent(item.marketingConsent)).not.toBe(false);
					}
				}
				// After the Consent Filter, no add of a refusing profile is left.
				const [allowed = []] = await runNode(consentFilter, {
					items: (items as unknown as IDataObject[]).map((json) => ({ json })),
					parameters: { consentSource: 'field', consentField: 'marketingConsent', unknownConsent: draw.unknownConsent },
				});
				for (const out of allowed) {
					if (out.json.action !== 'add') continue;
					const snap = last.get(Number(out.json.profileId))!;
					expect(consentVerdict(snap.marketingConsent, draw.unknownConsent)).toBe('allowed');
				}
			}),
			{ numRuns: 300 },
		);
	});

	test('commit the plan, plan again: nothing left to do (convergence)', async () => {
		await fc.assert(
			fc.asyncProperty(membersArb, fc.array(snapshotArb, { maxLength: 40 }), settingsArb, async (start, snapshots, draw) => {
				const members = new Map(start);
				const watermark = '2026-11-28T11:00:00.000Z';
				const first = plan(members, snapshots, plannerSettings(draw, undefined, watermark));
				await commitPlan(members, first.items as unknown as IDataObject[], draw);
				const again = plan(members, snapshots, plannerSettings({ ...draw, firstRun: false }, undefined, watermark));
				expect(again.items).toEqual([]);
				// And members is what docs/DESIGN.md calls wanted, for every profile that was read.
				for (const [id, snap] of latest(snapshots)) {
					const wanted =
						snap.isMember &&
						!snap.deleted &&
						consentVerdict(snap.marketingConsent, draw.unknownConsent) === 'allowed' &&
						buildMetaRow([...SCHEMA], { EXTERN_ID: snap.profileId, EMAIL: snap.identifiers.email, PHONE: snap.identifiers.phone }, {
							defaultCountry: draw.defaultCountry,
							country: typeof snap.identifiers.country === 'string' ? snap.identifiers.country : undefined,
						}).hasMatchKey;
					expect({ id, atMeta: members.has(id) }).toEqual({ id, atMeta: wanted });
				}
				// A full read also drops members it no longer lists; an incremental one leaves them.
				for (const id of start.keys()) {
					if (latest(snapshots).has(id)) continue;
					expect(members.has(id)).toBe(draw.mode !== 'full');
				}
			}),
			{ numRuns: 300 },
		);
	});

	test('under a change cap, repeated runs converge and no run exceeds the cap', async () => {
		await fc.assert(
			fc.asyncProperty(membersArb, fc.array(fc.oneof(snapshotArb, refusalHeavySnapshotArb), { maxLength: 40 }), settingsArb, fc.integer({ min: 2, max: 7 }), async (start, snapshots, draw, cap) => {
				const members = new Map(start);
				// A capped run keeps the watermark (the next run re-reads the same window); a run with
				// nothing deferred commits the highest updateMoment it saw.
				let watermark = '2026-11-28T10:30:00.000Z';
				const uncapped = plan(new Map(members), snapshots, plannerSettings(draw, undefined, watermark)).items.length;
				let runs = 0;
				for (;;) {
					const capped = plan(members, snapshots, plannerSettings({ ...draw, firstRun: runs === 0 && draw.firstRun }, cap, watermark));
					// Refusals of profiles not at Meta are for the audit log only: outside the cap.
					const counted = (capped.items as unknown as IDataObject[]).filter(
						(item) => !(item.action === 'add' && !members.has(Number(item.profileId)) && consentVerdict(item.marketingConsent, draw.unknownConsent) !== 'allowed'),
					);
					// A profile's items (removal + add of a changed row) are never split: at most the cap.
					expect(counted.length).toBeLessThanOrEqual(cap);
					await commitPlan(members, capped.items as unknown as IDataObject[], draw);
					runs++;
					if (capped.stats.deferred === 0) {
						if (capped.maxUpdateMoment && capped.maxUpdateMoment > watermark) watermark = capped.maxUpdateMoment;
						break;
					}
					// Each capped run must make progress: at most one run per change, plus the last.
					expect(runs).toBeLessThanOrEqual(uncapped + 1);
				}
				const after = plan(members, snapshots, plannerSettings({ ...draw, firstRun: false }, cap, watermark));
				expect(after.items).toEqual([]);
			}),
			{ numRuns: 300 },
		);
	});

	test('change cap: refusals already off Meta do not fill the cap run after run (the window closes)', async () => {
		// Regression: a refusing member not at Meta, changed after the watermark, used to be emitted
		// (for the audit log) as an add counted against maxChanges. A capped run keeps the watermark,
		// so the next run re-read the same refusals first: with as many of them as the cap, the
		// joiner behind them was deferred for ever and Log Negative Consent logged them hourly.
		const draw: SettingsDraw = { mode: 'incremental', unknownConsent: 'allow', defaultCountry: 'BE', firstRun: false };
		const late = '2026-11-28T11:00:00.000Z';
		const snapshots: ProfileSnapshot[] = [
			...['1', '2', '3'].map((profileId) => ({ profileId, isMember: true, deleted: false, marketingConsent: false, identifiers: {}, updateMoment: late })),
			{ profileId: '4', isMember: true, deleted: false, marketingConsent: true, identifiers: { email: 'joiner@example.com' }, updateMoment: late },
		];
		const members: MemberMap = new Map();
		const watermark = '2026-11-28T10:30:00.000Z';
		for (let run = 0; run < 5 && !members.has(4); run++) {
			const capped = plan(members, snapshots, plannerSettings(draw, 2, watermark));
			await commitPlan(members, capped.items as unknown as IDataObject[], draw);
		}
		expect(members.has(4)).toBe(true);
	});
});
