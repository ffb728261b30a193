// Sync from Actito Audience (Meta Custom Audience), in-process against both sandboxes, and the
// traps of issue 9 shown impossible at node level: Meta's exact rows against the wanted set.
import { NodeOperationError } from 'n8n-workflow';
import type { IDataObject } from 'n8n-workflow';

import { hashIdentifier } from '../../core/identifiers';
import { ActitoAudience } from '../../nodes/ActitoAudience/ActitoAudience.node';
import { MetaCustomAudience } from '../../nodes/MetaCustomAudience/MetaCustomAudience.node';
import { runNode, type StaticData } from '../support/n8nContext';
import { AD_ACCOUNT, byId, createMetaAudience, DEFAULT_COUNTRY, metaMembers, metaUploads, startSandboxes, VIP, wantedRows, type RawProfile, type Sandboxes } from './sandboxes';

jest.setTimeout(60_000);

const meta = new MetaCustomAudience();
const actitoNode = new ActitoAudience();
let s: Sandboxes;
const rl = (value: string) => ({ __rl: true, mode: 'id', value });

beforeAll(async () => {
	s = await startSandboxes();
	await s.actitoControl('POST', 'seed', {
		profiles: 400,
		seed: 19,
		segmentations: [{ category: 'Audiences', name: 'VIP', members: 200 }],
		consent: { true: 0.6, false: 0.25, absent: 0.15 },
	});
});
afterAll(async () => s?.close());

async function profiles(): Promise<RawProfile[]> {
	return (await s.actitoControl('GET', 'profiles')).profiles;
}

function sync(audienceId: string, staticData: StaticData, parameters: Record<string, unknown> = {}, mode: 'trigger' | 'manual' = 'trigger') {
	return runNode(meta, {
		parameters: {
			resource: 'audience',
			operation: 'syncFromActito',
			adAccount: rl(AD_ACCOUNT),
			audience: rl(audienceId),
			table: rl('Customers'),
			segmentation: rl(VIP),
			defaultCountry: DEFAULT_COUNTRY,
			...parameters,
		},
		credentials: { actitoApi: s.actitoCredentials, metaMarketingApi: s.metaCredentials },
		staticData,
		mode,
	});
}

describe('Sync from Actito Audience', () => {
	it('one run: Meta exact, three outputs, one details item, no plain identifier in any item', async () => {
		const audienceId = await createMetaAudience(s, 'node sync');
		const staticData: StaticData = {};
		const [summary, refused, changeSet] = await sync(audienceId, staticData, { runOptions: { changeSetLimit: 50 } });
		const wanted = wantedRows(await profiles());
		const members = await metaMembers(s, audienceId);
		expect(members.rows.slice().sort(byId)).toEqual(wanted);
		expect(summary).toHaveLength(1);
		expect(summary[0].json).toMatchObject({ status: 'success', memberCount: wanted.length });
		expect(summary[0].pairedItem).toEqual([{ item: 0 }]);
		expect(refused).toHaveLength(0); // a first full read logs nobody
		expect(changeSet.length).toBe(50);
		const text = JSON.stringify([summary, refused, changeSet, staticData]);
		for (const p of await profiles()) {
			for (const v of [p.attributes.emailAddress, p.attributes.gsmNumber]) if (typeof v === 'string' && v.length > 5) expect(text.includes(v)).toBe(false);
		}
	});

	it('an editor test run (manual) is a dry run: nothing uploaded, nothing stored', async () => {
		const audienceId = await createMetaAudience(s, 'node dry');
		const staticData: StaticData = {};
		await s.metaControl('POST', 'requests/clear');
		const [summary] = await sync(audienceId, staticData, {}, 'manual');
		expect(summary[0].json.status).toBe('dry_run');
		expect((summary[0].json.sent as IDataObject).add).toBeGreaterThan(0);
		expect(await metaUploads(s)).toHaveLength(0);
		expect(JSON.stringify(staticData.global ?? {})).toBe('{}');
	});

	it('trap: no removal is lost for want of EXTERN_ID, and a withdrawal leaves Meta', async () => {
		const audienceId = await createMetaAudience(s, 'node extern');
		const staticData: StaticData = {};
		// The user maps only the e-mail: EXTERN_ID is the profile id all the same.
		await sync(audienceId, staticData, { identifiers: { mapping: [{ key: 'EMAIL', field: 'emailAddress' }] } });
		const members = await metaMembers(s, audienceId);
		expect(members.schema).toEqual(['EXTERN_ID', 'EMAIL']);
		const victim = members.rows[0][0];
		await s.actitoControl('POST', 'profiles/changes', [{ profileId: victim, attributes: { marketingConsent: false } }]);
		const [summary, refused] = await sync(audienceId, staticData, { identifiers: { mapping: [{ key: 'EMAIL', field: 'emailAddress' }] } });
		expect((summary[0].json.sent as IDataObject).remove).toBe(1);
		expect((await metaMembers(s, audienceId)).rows.map((r) => r[0])).not.toContain(victim);
		expect(refused.map((r) => r.json)).toEqual([{ profileId: victim, reason: 'consent_negative', link: summary[0].json.link }]);
		await s.actitoControl('POST', 'profiles/changes', [{ profileId: victim, attributes: { marketingConsent: true } }]);
	});

	it('trap: unknown consent "block" is one setting — no unknown-consent member reaches Meta', async () => {
		const audienceId = await createMetaAudience(s, 'node block');
		await sync(audienceId, {}, { unknownConsent: 'block' });
		const list = await profiles();
		const unknown = new Set(list.filter((p) => p.segments.includes(VIP) && p.attributes.marketingConsent === undefined).map((p) => p.profileId));
		expect(unknown.size).toBeGreaterThan(5);
		const at = (await metaMembers(s, audienceId)).rows.map((r) => r[0]);
		expect(at.filter((id) => unknown.has(id))).toEqual([]);
	});

	it('trap: consent from a subscription works (Newsletter=false is never added)', async () => {
		const list = await profiles();
		const vip = list.filter((p) => p.segments.includes(VIP)).slice(0, 10);
		await s.actitoControl('POST', 'profiles/changes', vip.map((p, i) => ({ profileId: p.profileId, subscriptions: { Newsletter: i % 2 === 0 } })));
		const audienceId = await createMetaAudience(s, 'node subscription');
		await sync(audienceId, {}, { consentSource: 'subscription', consentSubscription: 'Newsletter', unknownConsent: 'block' });
		const at = new Set((await metaMembers(s, audienceId)).rows.map((r) => r[0]));
		for (const [i, p] of vip.entries()) expect(at.has(p.profileId)).toBe(i % 2 === 0 && Boolean(hashIdentifier('EMAIL', p.attributes.emailAddress) || hashIdentifier('PHONE', p.attributes.gsmNumber, { defaultCountry: 'BE', country: p.attributes.country as string })));
	});

	it('trap: no churn — a second run re-plans nobody; Get Profile Status uses the same rule (national numbers)', async () => {
		const audienceId = await createMetaAudience(s, 'node churn');
		const staticData: StaticData = {};
		await sync(audienceId, staticData);
		await s.metaControl('POST', 'requests/clear');
		const [summary] = await sync(audienceId, staticData, { runOptions: { forceFullReconcile: true } });
		expect(summary[0].json.sent).toEqual({ add: 0, remove: 0, replace: 0 });
		expect(await metaUploads(s)).toHaveLength(0);
		const list = await profiles();
		const national = list.find((p) => p.segments.includes(VIP) && p.attributes.marketingConsent === true && typeof p.attributes.gsmNumber === 'string' && /^0/.test(p.attributes.gsmNumber as string) && !hashIdentifier('EMAIL', p.attributes.emailAddress));
		const probe = national ?? list.find((p) => (wantedRows(list).map((r) => r[0]) as string[]).includes(p.profileId))!;
		const [[status]] = await runNode(actitoNode, {
			// "This workflow's link": no audience, table or segmentation repeated here.
			parameters: { resource: 'audience', operation: 'getProfileStatus', linkSource: 'workflow', profileId: probe.profileId },
			credentials: { actitoApi: s.actitoCredentials },
			staticData,
		});
		expect(status.json).toMatchObject({ wanted: true, atMeta: true, synchronized: true });
	});

	it('trap: audit log — refusals that could not be logged stay in the state and are logged by a later run', async () => {
		const audienceId = await createMetaAudience(s, 'node audit');
		const staticData: StaticData = {};
		await sync(audienceId, staticData);
		const member = (await metaMembers(s, audienceId)).rows[0][0];
		await s.actitoControl('POST', 'profiles/changes', [{ profileId: member, attributes: { marketingConsent: false } }]);
		const [, refused] = await sync(audienceId, staticData);
		expect(refused.map((r) => r.json.profileId)).toEqual([member]);
		const log = (table: string, items: Array<{ json: IDataObject }>) =>
			runNode(actitoNode, {
				parameters: { resource: 'customTableRecord', operation: 'logInteraction', customTable: table, interactionProfileId: ({ $json }: { $json: IDataObject }) => $json.profileId, interactionAudience: ({ $json }: { $json: IDataObject }) => $json.link },
				items,
				credentials: { actitoApi: s.actitoCredentials },
				staticData,
				continueOnFail: true,
				executionCopy: true,
			});
		await log('no_such_table', refused as Array<{ json: IDataObject }>);
		// The next run (nothing new happened) gives the refusal again.
		const [, again] = await sync(audienceId, staticData);
		expect(again.map((r) => r.json.profileId)).toEqual([member]);
		await log('negative_consent', again as Array<{ json: IDataObject }>);
		const records = (await s.actitoControl('GET', 'custom-tables/negative_consent')).records as IDataObject[];
		const flat = records.map((r) => Object.fromEntries((r.properties as Array<{ name: string; value: unknown }>).map((p) => [p.name, p.value])));
		expect(flat.filter((r) => r.profileId === member)).toEqual([expect.objectContaining({ event: 'NEGATIVE_CONSENT', moment: expect.any(String) })]);
		const [, after] = await sync(audienceId, staticData);
		expect(after).toHaveLength(0);
		await s.actitoControl('POST', 'profiles/changes', [{ profileId: member, attributes: { marketingConsent: true } }]);
	});

	it('a bad configuration is a NodeOperationError listing what to fix', async () => {
		const error = await sync('123', {}, { identifiers: { mapping: [{ key: 'EMAIL', field: '' }] }, defaultCountry: 'Atlantis' }).catch((e) => e);
		expect(error).toBeInstanceOf(NodeOperationError);
		expect(error.message).toMatch(/EMAIL has no Actito field/);
		expect(error.message).toMatch(/default country/);
	});

	it('Get Status answers from the stored state and caches the Meta estimate', async () => {
		const audienceId = await createMetaAudience(s, 'node status');
		const staticData: StaticData = {};
		await sync(audienceId, staticData);
		await s.metaControl('POST', 'requests/clear');
		await s.actitoControl('POST', 'requests/clear').catch(() => undefined);
		for (let i = 0; i < 5; i++) {
			const [[status]] = await runNode(actitoNode, {
				parameters: { resource: 'audience', operation: 'getStatus', linkSource: 'workflow' },
				credentials: { actitoApi: s.actitoCredentials, metaMarketingApi: s.metaCredentials },
				staticData,
			});
			expect(status.json).toMatchObject({ metaAudienceId: audienceId, pending: false, configuration: { schema: ['EXTERN_ID', 'EMAIL', 'PHONE'] } });
			expect((status.json.meta as IDataObject).upperBound).toBeGreaterThan(0);
		}
		const metaCalls = (await s.metaControl('GET', 'requests')).requests.length;
		expect(metaCalls).toBe(1);
	});

	it('Get Status of this workflow’s link: pending before the first run, ambiguous with two links, By Meta Audience picks one', async () => {
		const status = async (staticData: StaticData, parameters: IDataObject = { linkSource: 'workflow' }) =>
			(
				await runNode(actitoNode, {
					parameters: { resource: 'audience', operation: 'getStatus', includeMeta: false, ...parameters },
					credentials: { actitoApi: s.actitoCredentials, metaMarketingApi: s.metaCredentials },
					staticData,
				})
			)[0][0].json;
		expect(await status({})).toMatchObject({ link: 'this workflow’s link (not run yet)', metaAudienceId: null, pending: true, memberCount: 0 });
		const first = await createMetaAudience(s, 'node two links a');
		const second = await createMetaAudience(s, 'node two links b');
		const staticData: StaticData = {};
		await sync(first, staticData);
		await sync(second, staticData);
		const both = await status(staticData);
		expect(both.stateError).toMatch(/holds the state of 2 audience links/);
		expect(both.stateError).toMatch(/By Meta Audience/);
		const one = await status(staticData, { linkSource: 'audience', metaAudienceId: second, table: rl('Customers'), segmentation: rl(VIP) });
		expect(one).toMatchObject({ metaAudienceId: second, pending: false });
		expect(one.stateError).toBeUndefined();
		const error = await runNode(actitoNode, {
			parameters: { resource: 'audience', operation: 'getProfileStatus', linkSource: 'workflow', profileId: '1001' },
			credentials: { actitoApi: s.actitoCredentials },
			staticData: {},
		}).catch((e) => e);
		expect(error).toBeInstanceOf(NodeOperationError);
		expect(error.message).toMatch(/has not run yet/);
	});
});

describe('Sync Members never sends an unhashed value', () => {
	it('a plain e-mail in meta.row, or an EXTERN_ID that is an e-mail, is refused by reason and never reaches Meta', async () => {
		const audienceId = await createMetaAudience(s, 'node unhashed');
		await s.metaControl('POST', 'requests/clear');
		const schema = ['EXTERN_ID', 'EMAIL', 'PHONE'];
		const items = [
			{ json: { profileId: '1', action: 'add', meta: { schema, row: ['1', 'jane.doe@example.com', ''] } } },
			{ json: { profileId: '2', action: 'add', meta: { schema, row: ['jane.doe@example.com', hashIdentifier('EMAIL', 'a@b.be'), ''] } } },
			{ json: { profileId: '3', action: 'add', meta: { schema, row: ['3', hashIdentifier('EMAIL', 'c@d.be'), '+32 470 12 34 56'] } } },
			{ json: { profileId: '4', action: 'add', meta: { schema, row: ['4', hashIdentifier('EMAIL', 'e@f.be'), ''] } } },
		];
		const [[summary]] = await runNode(meta, {
			parameters: { resource: 'audience', operation: 'syncMembers', adAccount: rl(AD_ACCOUNT), audience: rl(audienceId), options: { commitState: false } },
			items,
			credentials: { metaMarketingApi: s.metaCredentials },
		});
		expect((summary.json.sent as IDataObject).add).toBe(1);
		expect(summary.json.invalidByReason).toMatchObject({
			'EMAIL: not a SHA-256 hash (refused, not sent)': 1,
			'EXTERN_ID: looks like an e-mail or phone (refused, not sent)': 1,
			'PHONE: not a SHA-256 hash (refused, not sent)': 1,
		});
		const wire = JSON.stringify(await s.metaControl('GET', 'requests'));
		expect(wire).not.toContain('jane.doe');
		expect(wire).not.toContain('470 12');
		expect((await metaMembers(s, audienceId)).rows.map((r) => r[0])).toEqual(['4']);
	});
});
