// The item chain's planner decides with the sync's one rule: for many profiles (the sandbox's
// generator, made messier by a seeded random) and several link configurations, what
// ChangePlanner does with a profile is what decideProfile (core/sync/wanted.ts) says of it:
// - wanted → added (joined); at Meta with decideProfile's fingerprint → unchanged; at Meta with
//   any other fingerprint → identifiers_changed (so the fingerprint it compares is that one);
// - refused for consent → blocked; without a valid match key → invalid; not a member → nothing;
// - and its add, through the real Hash Identifiers node mapped as the schema says, gives
//   decideProfile's row, carrying only the schema's identifier fields and the country.
import { NodeOperationError, type IDataObject } from 'n8n-workflow';

import { attributeMap, type RawProfile } from '../../core/actito/profile';
import { rowFingerprint } from '../../core/identifiers';
import { buildLinkConfig, schemaOf, type LinkConfig } from '../../core/link/config';
import type { MemberMap } from '../../core/state/memberCodec';
import { DEFAULT_FIELD_MAP } from '../../core/sync/changeItem';
import { ChangePlanner, type Plan } from '../../core/sync/planner';
import { itemChainLinkConfig, type ItemChainSettings } from '../../core/sync/planRun';
import { decideProfile, type ProfileDecision } from '../../core/sync/wanted';
import { ActitoAudience } from '../../nodes/ActitoAudience/ActitoAudience.node';
import { HashIdentifiers } from '../../nodes/HashIdentifiers/HashIdentifiers.node';
import { createMetaAudience, startSandboxes, type Sandboxes } from '../nodes/sandboxes';
import { coreClients } from '../support/coreClients';
import { runNode, type StaticData } from '../support/n8nContext';

const { generateProfiles, createRandom } = require('../../sandbox/seed') as {
	generateProfiles: (options: Record<string, unknown>) => Array<{
		profileId: string;
		attributes: Record<string, unknown>;
		subscriptions: Array<{ name: string; subscribe: boolean }>;
		segments: string[];
	}>;
	createRandom: (seed: number) => () => number;
};

const LINK = 'actito:acme/Customers/seg:Audiences:VIP→meta:1';
const ENVELOPE = ['profileId', 'action', 'reason', 'marketingConsent', 'link'];
const hashIdentifiers = new HashIdentifiers();

/** The sandbox's profiles as Actito's API lists them, with the dirt real tables have. */
function profiles(seed: number, count: number): RawProfile[] {
	const random = createRandom(seed * 7919);
	const pick = <T,>(list: T[]): T => list[Math.floor(random() * list.length)];
	return generateProfiles({
		profiles: count,
		seed,
		segmentations: [
			{ category: 'Audiences', name: 'VIP', members: Math.floor(count * 0.7) },
			{ category: 'Audiences', name: 'Other', members: Math.floor(count / 3) },
		],
	}).map((p) => {
		const attributes: Record<string, unknown> = { ...p.attributes };
		const roll = random();
		if (roll < 0.1) attributes.marketingConsent = pick<unknown>(['yes', 'no', 'Opt-out', 'maybe', '', null, 1, 0, 'nee', ' TRUE ']);
		else if (roll < 0.15) delete attributes.marketingConsent;
		if (random() < 0.05) attributes.emailAddress = pick<unknown>(['   ', 'not-an-email', 'null', 42, ' Mixed.Case@Example.COM ']);
		if (random() < 0.05) attributes.gsmNumber = pick<unknown>(['', 'abc', 32470123456, '0470 12 34 56', '12']);
		if (random() < 0.05) attributes.country = pick<unknown>(['', 'XX', 56, 'Belgique', '  be ']);
		if (random() < 0.05) attributes.firstName = pick<unknown>(['', '  ', 'Ève-Marie', 7]);
		if (random() < 0.1) delete attributes.emailAddress;
		if (random() < 0.1) delete attributes.gsmNumber;
		attributes.updateMoment = `2026-11-28T${String(Math.floor(random() * 24)).padStart(2, '0')}:00:00.000Z`;
		return {
			profileId: p.profileId,
			// Actito lists attributes as name/value pairs, and non-memberships too (belongs: false).
			attributes: Object.entries(attributes).map(([name, value]) => ({ name, value })),
			subscriptions: random() < 0.1 ? [] : p.subscriptions.map((s) => ({ ...s, subscribe: random() < 0.05 ? 'maybe' : s.subscribe })),
			segmentations: ['Audiences:VIP', 'Audiences:Other'].map((key) => ({
				belongs: p.segments.includes(key),
				segmentation: { category: 'Audiences', name: key.split(':')[1] },
			})),
		} as RawProfile;
	});
}

const chain = (settings: Partial<ItemChainSettings>): LinkConfig =>
	itemChainLinkConfig({ entity: 'acme', table: 'Customers' }, '1', {
		segmentation: 'Audiences:VIP',
		profileSettings: {},
		schema: ['EXTERN_ID', 'EMAIL', 'PHONE'],
		unknownConsent: 'allow',
		...settings,
	});

const CONFIGS: Array<[string, LinkConfig]> = [
	['default schema, no default country, unknown allowed', chain({})],
	['default schema, BE, unknown blocked', chain({ defaultCountry: 'BE', unknownConsent: 'block' })],
	['e-mail only, FR, unknown allowed', chain({ schema: ['EXTERN_ID', 'EMAIL'], defaultCountry: 'FR' })],
	['phone and country, BE, unknown blocked', chain({ schema: ['EXTERN_ID', 'PHONE', 'COUNTRY'], defaultCountry: 'BE', unknownConsent: 'block' })],
	['every Get Changes key, BE', chain({ schema: ['EXTERN_ID', 'EMAIL', 'PHONE', 'FN', 'LN', 'COUNTRY'], defaultCountry: 'BE' })],
	['consent from the Newsletter subscription, unknown blocked', chain({ profileSettings: { consentSubscription: 'Newsletter' }, unknownConsent: 'block', defaultCountry: 'BE' })],
	[
		'attribute = value audience (sex = F), names and gender, NL',
		buildLinkConfig({
			actito: { entity: 'acme', table: 'Customers', attribute: 'sex', value: 'F' },
			meta: { adAccountId: '1', audienceId: '1' },
			identifiers: [
				{ key: 'EMAIL', field: 'emailAddress' },
				{ key: 'FN', field: 'firstName' },
				{ key: 'LN', field: 'lastName' },
				{ key: 'GEN', field: 'sex' },
				{ key: 'DOBY', field: 'birthDate' },
			],
			defaultCountry: 'NL',
			consent: { unknown: 'block' },
		}),
	],
];

type Verdict = 'added' | 'blocked' | 'invalid' | 'not_member';

function expectedVerdict(decision: ProfileDecision): Verdict {
	if (decision.wanted) return 'added';
	if (decision.whyNot === 'consent_negative' || decision.whyNot === 'consent_unknown') return 'blocked';
	if (decision.whyNot === 'no_valid_identifier') return 'invalid';
	return 'not_member';
}

function planOne(config: LinkConfig, raw: RawProfile, members: MemberMap, mode: 'full' | 'incremental' = 'incremental'): Plan {
	const planner = new ChangePlanner(members, { link: LINK, config, maxChanges: 1000, mode, firstRun: true, watermark: null });
	planner.observe(raw);
	return planner.finish();
}

/** What the planner made of a profile not at Meta, told by its counters and items only. */
function plannerVerdict(plan: Plan): Verdict {
	expect(plan.stats.observed).toBe(1);
	if (plan.stats.blockedForConsent === 1) return 'blocked';
	if (plan.stats.invalid === 1) return 'invalid';
	if (plan.items.length === 1 && plan.items[0].action === 'add') return 'added';
	expect(plan.items).toEqual([]);
	return 'not_member';
}

describe.each(CONFIGS)('ChangePlanner decides as decideProfile: %s', (_name, config) => {
	const schema = schemaOf(config);
	const countryField = DEFAULT_FIELD_MAP.COUNTRY;
	const carried = new Set([
		...config.identifiers.filter((m) => m.key !== 'EXTERN_ID').map((m) => DEFAULT_FIELD_MAP[m.key]),
		...(config.countryAttribute ? [countryField] : []),
	]);

	test('profile by profile: verdict, fingerprint compared, item fields, row after Hash Identifiers', async () => {
		const all = [...profiles(11, 150), ...profiles(23, 150)];
		const tally: Record<Verdict, number> = { added: 0, blocked: 0, invalid: 0, not_member: 0 };
		const adds: Array<{ item: IDataObject; decision: ProfileDecision }> = [];
		for (const raw of all) {
			const decision = decideProfile(raw, config);
			const id = Number(decision.profileId);
			const verdict = expectedVerdict(decision);
			tally[verdict]++;

			// Not at Meta.
			const fresh = planOne(config, raw, new Map());
			expect({ id, verdict: plannerVerdict(fresh) }).toEqual({ id, verdict });
			for (const item of fresh.items) {
				expect(item.profileId).toBe(decision.profileId);
				expect(item.marketingConsent).toBe(decision.consent);
				expect(item.link).toBe(LINK);
			}
			if (verdict === 'added') {
				expect(fresh.items[0].reason).toBe('joined');
				adds.push({ item: fresh.items[0] as unknown as IDataObject, decision });
			}
			if (verdict === 'blocked') {
				// Audit only: an add without any identifier, which the Consent Filter blocks.
				expect(fresh.items.map((i) => Object.keys(i).sort())).toEqual([[...ENVELOPE].sort()]);
			}

			// At Meta with decideProfile's fingerprint, then with another one.
			const sent = decision.fingerprint ?? 12345;
			const same = planOne(config, raw, new Map([[id, sent]]));
			const other = planOne(config, raw, new Map([[id, (sent ^ 1) >>> 0]]));
			const shape = (p: Plan) => p.items.map((i) => `${i.action}:${i.reason}`);
			if (verdict === 'added') {
				expect({ id, items: shape(same), unchanged: same.stats.unchanged }).toEqual({ id, items: [], unchanged: 1 });
				expect({ id, items: shape(other) }).toEqual({ id, items: ['remove:identifiers_changed', 'add:identifiers_changed'] });
			} else {
				const expected = { blocked: 'add:consent_withdrawn', invalid: 'remove:identifiers_changed', not_member: 'remove:left' }[verdict];
				expect({ id, items: shape(same) }).toEqual({ id, items: [expected] });
				expect(shape(other)).toEqual(shape(same));
			}
		}
		// The generator and its dirt reach every verdict, so each comparison above was made.
		expect(tally.added).toBeGreaterThan(20);
		expect(tally.blocked).toBeGreaterThan(5);
		expect(tally.not_member).toBeGreaterThan(5);

		// Data minimization: an add carries the schema's identifier fields and the country, no more.
		for (const { item } of adds) {
			for (const key of Object.keys(item)) expect(ENVELOPE.includes(key) || carried.has(key)).toBe(true);
		}
		// Hash Identifiers, mapped as the schema says (in its order), builds decideProfile's row: the
		// fingerprint Sync Members commits is the one the planner compares.
		const [hashed = []] = await runNode(hashIdentifiers, {
			items: adds.map(({ item }) => ({ json: item })),
			parameters: {
				identifiers: { mapping: schema.map((key) => ({ key, field: DEFAULT_FIELD_MAP[key] })) },
				countryField,
				defaultCountry: config.defaultCountry ?? '',
			},
		});
		expect(hashed).toHaveLength(adds.length);
		hashed.forEach((out, i) => {
			const meta = out.json.meta as { schema: string[]; row: string[] };
			const { decision } = adds[i];
			expect(meta.schema).toEqual(schema);
			expect({ id: decision.profileId, row: meta.row }).toEqual({ id: decision.profileId, row: decision.row });
			expect(rowFingerprint(meta.row)).toBe(decision.fingerprint);
		});
	});

	test('a whole read: the counters are decideProfile\'s tallies, and committed fingerprints plan nothing', () => {
		const all = profiles(37, 400);
		const decisions = all.map((raw) => decideProfile(raw, config));
		const count = (v: Verdict) => decisions.filter((d) => expectedVerdict(d) === v).length;
		const read = (members: MemberMap) => {
			const planner = new ChangePlanner(members, { link: LINK, config, maxChanges: 10_000, mode: 'full', firstRun: false, watermark: null });
			for (const raw of all) planner.observe(raw);
			return planner.finish();
		};
		const first = read(new Map());
		expect(first.stats).toEqual({
			observed: all.length,
			add: count('added'),
			remove: 0,
			unchanged: 0,
			invalid: count('invalid'),
			blockedForConsent: count('blocked'),
			deferred: 0,
		});
		expect(first.items.every((i) => i.action === 'add' && i.reason === 'reconcile')).toBe(true);
		expect(new Set(first.items.map((i) => i.profileId))).toEqual(new Set(decisions.filter((d) => d.wanted).map((d) => d.profileId)));
		const committed: MemberMap = new Map(decisions.filter((d) => d.wanted).map((d) => [Number(d.profileId), d.fingerprint!]));
		const again = read(committed);
		expect(again.items).toEqual([]);
		expect(again.stats.unchanged).toBe(count('added'));
		expect(again.maxUpdateMoment).toBe(
			all.map((raw) => String(attributeMap(raw).updateMoment)).sort().pop(),
		);
	});
});

describe('itemChainLinkConfig: Get Changes\' parameters through the builder Sync uses', () => {
	test('the attribute names and the consent subscription reach the rule; the schema keeps its order', () => {
		const config = chain({
			schema: ['EXTERN_ID', 'EMAIL', 'PHONE', 'FN', 'LN', 'COUNTRY'],
			profileSettings: { emailAttribute: 'mail', phoneAttribute: 'mobile', countryAttribute: 'land', consentSubscription: 'Newsletter' },
			defaultCountry: 'belgium',
		});
		expect(config.identifiers).toEqual([
			{ key: 'EXTERN_ID', field: 'profileId' },
			{ key: 'EMAIL', field: 'mail' },
			{ key: 'PHONE', field: 'mobile' },
			{ key: 'FN', field: 'firstName' },
			{ key: 'LN', field: 'lastName' },
			{ key: 'COUNTRY', field: 'land' },
		]);
		expect(config.countryAttribute).toBe('land');
		expect(config.defaultCountry).toBe('BE');
		expect(config.consent).toEqual({ source: 'subscription', subscription: 'Newsletter', unknown: 'allow' });
		expect(config.actito.audience).toEqual({ kind: 'segmentation', segmentation: 'Audiences:VIP' });
	});

	test('what Sync refuses, Get Changes refuses, with every problem named', () => {
		expect(() => chain({ defaultCountry: 'Atlantis' })).toThrow(/default country "Atlantis" is not a country/);
		expect(() => chain({ schema: ['EMAIL', 'PHONE'] })).toThrow(/must include EXTERN_ID/);
		expect(() => chain({ schema: ['EXTERN_ID'] })).toThrow(/besides EXTERN_ID/);
		expect(() => chain({ unknownConsent: 'maybe' as never })).toThrow(/unknown consent must be allow or block/);
	});
});

describe('the Get Changes node plans with the rule, on its own parameters', () => {
	let s: Sandboxes;
	let audienceId: string;
	const actitoAudience = new ActitoAudience();

	beforeAll(async () => {
		s = await startSandboxes();
		await s.actitoControl('POST', 'seed', { profiles: 300, seed: 5, segmentations: [{ category: 'Audiences', name: 'VIP', members: 200 }] });
		audienceId = await createMetaAudience(s, 'VIP (planner rule)');
	});
	afterAll(async () => {
		await s?.close();
	});

	const getChanges = (staticData: StaticData, syncOptions: IDataObject, attributes: IDataObject = {}) =>
		runNode(actitoAudience, {
			credentials: { actitoApi: s.actitoCredentials, metaMarketingApi: s.metaCredentials },
			staticData,
			mode: 'trigger',
			items: [{ json: {} }],
			parameters: {
				resource: 'audience',
				operation: 'getChanges',
				table: { __rl: true, mode: 'id', value: 'Customers' },
				segmentation: { __rl: true, mode: 'id', value: 'Audiences:VIP' },
				metaAudienceId: audienceId,
				attributes,
				syncOptions,
			},
		});

	test('consent from a subscription and a phone-and-country schema: the adds are decideProfile\'s wanted profiles', async () => {
		const settings = { schema: ['EXTERN_ID', 'PHONE', 'COUNTRY'], defaultCountry: 'BE', unknownConsent: 'block' } as const;
		const [items = []] = await getChanges({}, settings, { consentSubscription: 'Newsletter' });
		const config = chain({ ...settings, schema: [...settings.schema], profileSettings: { consentSubscription: 'Newsletter' } });
		const wanted = new Map<string, ProfileDecision>();
		const { actito } = coreClients(s);
		const table = await actito.getProfileTable('Customers');
		for await (const page of actito.iterateProfilePages(table.id, { segmentation: 'Audiences:VIP' })) {
			for (const raw of page) {
				const decision = decideProfile(raw, config);
				if (decision.wanted) wanted.set(decision.profileId, decision);
			}
		}
		expect(wanted.size).toBeGreaterThan(50);
		const adds = items.map((i) => i.json).filter((json) => json.action === 'add');
		expect(new Set(adds.map((json) => json.profileId))).toEqual(new Set(wanted.keys()));
		for (const json of adds) {
			expect(json.marketingConsent).toBe(true);
			expect(Object.keys(json).filter((k) => !ENVELOPE.includes(k)).every((k) => k === 'phone' || k === 'country')).toBe(true);
		}
	});

	test('Get Profile Status "By Meta Audience" decides with the settings Get Changes stored (unknown consent blocked, default country), not with defaults', async () => {
		const settings = { schema: ['EXTERN_ID', 'EMAIL', 'PHONE'], defaultCountry: 'BE', unknownConsent: 'block' } as const;
		const staticData: StaticData = {};
		await getChanges(staticData, settings);
		const global = (staticData.global ?? {}) as IDataObject;
		const stored = Object.values(global).find((v) => v && typeof v === 'object' && 'itemChain' in (v as object)) as IDataObject | undefined;
		expect(stored?.itemChain).toEqual({ segmentation: 'Audiences:VIP', profileSettings: {}, schema: ['EXTERN_ID', 'EMAIL', 'PHONE'], defaultCountry: 'BE', unknownConsent: 'block' });
		const config = chain({ ...settings, schema: [...settings.schema], profileSettings: {} });
		const { actito } = coreClients(s);
		const table = await actito.getProfileTable('Customers');
		const decisions: ProfileDecision[] = [];
		for await (const page of actito.iterateProfilePages(table.id, { segmentation: 'Audiences:VIP' })) for (const raw of page) decisions.push(decideProfile(raw, config));
		const unknown = decisions.filter((d) => d.whyNot === 'consent_unknown').slice(0, 3);
		const wanted = decisions.filter((d) => d.wanted).slice(0, 3);
		expect(unknown.length).toBeGreaterThan(0);
		for (const d of [...unknown, ...wanted]) {
			const [[status]] = await runNode(actitoAudience, {
				credentials: { actitoApi: s.actitoCredentials, metaMarketingApi: s.metaCredentials },
				staticData,
				parameters: {
					resource: 'audience',
					operation: 'getProfileStatus',
					linkSource: 'audience',
					table: { __rl: true, mode: 'id', value: 'Customers' },
					segmentation: { __rl: true, mode: 'id', value: 'Audiences:VIP' },
					metaAudienceId: audienceId,
					profileId: d.profileId,
				},
			});
			// With the old hard-coded "allow", an unknown-consent member read as wanted.
			expect(status.json).toMatchObject({ profileId: d.profileId, isMember: true, wanted: d.wanted, whyNot: d.whyNot });
		}
	});

	test('a schema without EXTERN_ID or a default country that is none: refused before any state is written, naming this step\'s settings', async () => {
		for (const syncOptions of [{ schema: ['EMAIL', 'PHONE'] }, { defaultCountry: 'Atlantis' }]) {
			const staticData: StaticData = {};
			const run = getChanges(staticData, syncOptions);
			await expect(run).rejects.toThrow(NodeOperationError);
			await expect(run).rejects.toMatchObject({ description: expect.stringMatching(/of this step/) });
			expect(JSON.stringify(staticData)).not.toMatch(/actitoMeta:/);
		}
	});
});
