// Meta Custom Audience, executed in-process against the Meta sandbox.
import { createHash } from 'node:crypto';

import { NodeApiError, NodeOperationError } from 'n8n-workflow';
import type { IDataObject, INodeExecutionData } from 'n8n-workflow';

import { ActitoAudience } from '../../nodes/ActitoAudience/ActitoAudience.node';
import { MetaCustomAudience } from '../../nodes/MetaCustomAudience/MetaCustomAudience.node';
import { runCredentialTest, runListSearch, runNode } from '../support/n8nContext';
import { AD_ACCOUNT, createMetaAudience, metaMembers, metaRequests, metaUploads, startSandboxes, type Sandboxes } from './sandboxes';

const sha = (text: string) => createHash('sha256').update(text).digest('hex');
const SCHEMA = ['EXTERN_ID', 'EMAIL', 'PHONE'];

let s: Sandboxes;
beforeAll(async () => {
	s = await startSandboxes();
});
afterAll(async () => {
	await s?.close();
});
beforeEach(async () => {
	await s.metaControl('POST', 'reset');
});

const node = new MetaCustomAudience();
const rl = (value: string) => ({ __rl: true, mode: 'id', value });

function meta(parameters: Record<string, unknown>, extra: { items?: INodeExecutionData[]; staticData?: Record<string, IDataObject>; continueOnFail?: boolean; credentials?: IDataObject } = {}) {
	return runNode(node, {
		parameters: { resource: 'audience', adAccount: rl(AD_ACCOUNT), ...parameters },
		items: extra.items,
		staticData: extra.staticData,
		continueOnFail: extra.continueOnFail,
		credentials: { metaMarketingApi: { ...s.metaCredentials, ...(extra.credentials ?? {}) } },
	}).then(([out]) => out);
}

/** Hashed change items as Hash Identifiers would emit them (EXTERN_ID, EMAIL, PHONE). */
function hashedItems(ids: number[], action: 'add' | 'remove' = 'add', extra: IDataObject = {}): INodeExecutionData[] {
	return ids.map((id) => ({
		json: {
			profileId: String(id),
			action,
			meta: { schema: SCHEMA, row: action === 'remove' ? [String(id), '', ''] : [String(id), sha(`p${id}@example.com`), ''], invalid: {} },
			...extra,
		},
	}));
}

async function sync(audienceId: string, items: INodeExecutionData[], options: IDataObject = {}, extra: { staticData?: Record<string, IDataObject>; continueOnFail?: boolean; credentials?: IDataObject } = {}) {
	return meta({ operation: 'syncMembers', audience: rl(audienceId), options }, { items, ...extra });
}

describe('Meta Custom Audience: audiences', () => {
	it('lists customer-list audiences only, across every page', async () => {
		const audiences = [];
		for (let i = 0; i < 7; i++) audiences.push({ adAccountId: AD_ACCOUNT, name: `List ${i}` });
		audiences.push({ adAccountId: AD_ACCOUNT, name: 'Website visitors', subtype: 'WEBSITE' });
		audiences.push({ adAccountId: AD_ACCOUNT, name: 'Lookalike', subtype: 'LOOKALIKE' });
		await s.metaControl('POST', 'seed', { audiences });
		// Short pages with empty pages between them, as Meta sometimes does.
		await s.metaControl('POST', 'config', { pageSizeCap: 2, emptyPagesBetween: 1, trailingEmptyPage: true });
		const out = await meta({ operation: 'listAudiences' });
		expect(out.map((o) => o.json.name).sort()).toEqual(['List 0', 'List 1', 'List 2', 'List 3', 'List 4', 'List 5', 'List 6']);
		expect(out.every((o) => o.json.subtype === 'CUSTOM')).toBe(true);
		expect(out.every((o) => (o.pairedItem as { item: number }).item === 0)).toBe(true);
		const pages = (await metaRequests(s)).filter((r) => r.operation === 'list_audiences');
		expect(pages.length).toBeGreaterThan(4);
		const limited = await meta({ operation: 'listAudiences', returnAll: false, limit: 3 });
		expect(limited).toHaveLength(3);
	});

	it('creates a customer-list audience', async () => {
		const [out] = await meta({ operation: 'createAudience', name: 'VIP customers', audienceDescription: 'from Actito' });
		expect(out.json).toEqual({ id: expect.stringMatching(/^\d+$/), name: 'VIP customers', adAccountId: AD_ACCOUNT });
		const list = await meta({ operation: 'listAudiences' });
		expect(list.map((o) => o.json.id)).toContain(out.json.id);
	});

	it('refuses to create without accepted terms, with the terms URL in the description', async () => {
		await s.metaControl('POST', 'seed', { adAccounts: [{ id: AD_ACCOUNT, tosAccepted: false }] });
		const error = await meta({ operation: 'createAudience', name: 'X' }).catch((e) => e);
		expect(error).toBeInstanceOf(NodeApiError);
		expect(error.description).toContain('https://business.facebook.com/ads/manage/customaudiences/tos/?act=100000000000001');
	});

	it('gets the estimated size and says when the audience is too small', async () => {
		const id = await createMetaAudience(s, 'Small', { schema: ['EMAIL'], rows: [[sha('a@b.com')], [sha('c@d.com')]] });
		const [out] = await meta({ operation: 'getEstimatedSize', audience: rl(id) });
		expect(out.json).toMatchObject({
			audienceId: id,
			name: 'Small',
			tooSmall: true,
			deliveryStatus: { code: 300, meaning: expect.stringMatching(/Too small/) },
			operationStatus: { code: 200 },
		});
		expect(typeof out.json.lowerBound).toBe('number');
		expect(typeof out.json.upperBound).toBe('number');
	});

	it('accepts an Ads Manager URL for the audience', async () => {
		const id = await createMetaAudience(s, 'By URL');
		const [out] = await meta({
			operation: 'getEstimatedSize',
			audience: { __rl: true, mode: 'url', value: `https://adsmanager.facebook.com/adsmanager/audiences?act=100000000000001&ids=${id}` },
		});
		expect(out.json.audienceId).toBe(id);
	});

	it('lists the upload sessions of an audience, and one session by id', async () => {
		const id = await createMetaAudience(s, 'Sessions');
		const [summary] = await sync(id, [...hashedItems([1, 2, 3]), ...hashedItems([9], 'remove')]);
		const sessions = await meta({ operation: 'getUploadSessions', audience: rl(id) });
		expect(sessions.map((o) => String(o.json.session_id)).sort()).toEqual((summary.json.sessions as string[]).slice().sort());
		const one = await meta({ operation: 'getUploadSessions', audience: rl(id), sessionId: (summary.json.sessions as string[])[1] });
		expect(one).toHaveLength(1);
		expect(one[0].json).toMatchObject({ num_received: 3, stage: 'finished' });
	});
});

describe('Meta Custom Audience: Sync Members', () => {
	it('syncs standalone (items without a link): Meta holds the rows, no state is written', async () => {
		const id = await createMetaAudience(s, 'Standalone');
		const staticData: Record<string, IDataObject> = {};
		const [out] = await sync(id, hashedItems([1, 2, 3]), {}, { staticData });
		expect(out.json).toMatchObject({ status: 'success', sent: { add: 3, remove: 0 }, link: null });
		expect(out.json).not.toHaveProperty('run');
		expect(out.pairedItem).toEqual([{ item: 0 }, { item: 1 }, { item: 2 }]);
		const members = await metaMembers(s, id);
		expect(members.schema).toEqual(SCHEMA);
		expect(members.rows.sort()).toEqual([1, 2, 3].map((i) => [String(i), sha(`p${i}@example.com`), '']).sort());
		expect(JSON.stringify(staticData.global ?? {})).toBe('{}');
		// Standalone use does not mark the audience as held by a link either.
		const [size] = await meta({ operation: 'getEstimatedSize', audience: rl(id) });
		expect(size.json.name).toBe('Standalone');
	});

	it('never adds a profile whose item says it refused marketing, even without a Consent Filter', async () => {
		const id = await createMetaAudience(s, 'No filter');
		await sync(id, hashedItems([1, 2]));
		await s.metaControl('POST', 'requests/clear');
		const [out] = await sync(id, [...hashedItems([2], 'add', { marketingConsent: 'false' }), ...hashedItems([3], 'add', { marketingConsent: false })]);
		expect(out.json).toMatchObject({ status: 'success', sent: { add: 0, remove: 2 } });
		expect((await metaUploads(s)).map((u) => u.operation)).toEqual(['remove']);
		expect((await metaMembers(s, id)).rows.map((r) => r[0])).toEqual(['1']);
	});

	it('makes no upload call on a dry run and shows the batches it would send', async () => {
		const id = await createMetaAudience(s, 'Dry');
		await s.metaControl('POST', 'requests/clear');
		const link = `actito:acme/Customers/seg:Audiences:VIP→meta:${id}`;
		const staticData: Record<string, IDataObject> = {};
		const [out] = await sync(id, [...hashedItems([1, 2, 3], 'add', { link }), ...hashedItems([4], 'remove', { link })], { dryRun: true, batchSize: 2 }, { staticData });
		expect(out.json.status).toBe('dry_run');
		expect((out.json.batches as IDataObject[]).map((b) => [b.operation, b.batchSeq, b.rows, b.lastBatch])).toEqual([
			['remove', 1, 1, true],
			['add', 1, 2, false],
			['add', 2, 1, true],
		]);
		expect(await metaUploads(s)).toEqual([]);
		// Nothing at all was written: no marker, no state.
		expect((await metaRequests(s)).filter((r) => r.method !== 'GET')).toEqual([]);
		expect(staticData.global ?? {}).toEqual({});
		expect((await metaMembers(s, id)).count).toBe(0);
	});

	it('sends removals first, then additions, in batches of batchSize, one session per operation', async () => {
		const id = await createMetaAudience(s, 'Batches');
		await sync(id, hashedItems([1, 2, 3, 4, 5, 6, 7]));
		await s.metaControl('POST', 'requests/clear');
		const items = [...hashedItems([10, 11, 12, 13, 14]), ...hashedItems([1, 2, 3], 'remove')];
		const [out] = await sync(id, items, { batchSize: 2 });
		const batches = out.json.batches as Array<{ operation: string; sessionId: string; batchSeq: number; rows: number; lastBatch: boolean }>;
		expect(batches.map((b) => [b.operation, b.batchSeq, b.rows, b.lastBatch])).toEqual([
			['remove', 1, 2, false],
			['remove', 2, 1, true],
			['add', 1, 2, false],
			['add', 2, 2, false],
			['add', 3, 1, true],
		]);
		const sessions = out.json.sessions as string[];
		expect(sessions).toHaveLength(2);
		expect(new Set(batches.filter((b) => b.operation === 'remove').map((b) => b.sessionId))).toEqual(new Set([sessions[0]]));
		expect(new Set(batches.filter((b) => b.operation === 'add').map((b) => b.sessionId))).toEqual(new Set([sessions[1]]));
		const uploads = await metaUploads(s);
		expect(uploads.map((u) => [u.operation, u.rows])).toEqual([
			['remove', 2],
			['remove', 1],
			['add', 2],
			['add', 2],
			['add', 1],
		]);
		const members = await metaMembers(s, id);
		expect(members.rows.map((r) => r[0]).sort()).toEqual(['10', '11', '12', '13', '14', '4', '5', '6', '7']);
	});

	it('stops with the terms URL in the description when the terms are not accepted', async () => {
		const id = await createMetaAudience(s, 'Terms');
		await s.metaControl('POST', 'seed', { adAccounts: [{ id: AD_ACCOUNT, tosAccepted: false }] });
		const error = await sync(id, hashedItems([1])).catch((e) => e);
		expect(error).toBeInstanceOf(NodeApiError);
		expect(error.message).toMatch(/terms/i);
		expect(error.description).toContain('https://business.facebook.com/ads/manage/customaudiences/tos/?act=100000000000001');
	});

	it('stops with a clear error when the token has expired (190)', async () => {
		const id = await createMetaAudience(s, 'Expired');
		await s.metaControl('POST', 'tokens/sandbox-meta-token/expire');
		const error = await sync(id, hashedItems([1])).catch((e) => e);
		expect(error).toBeInstanceOf(NodeApiError);
		expect(error.message).toMatch(/190/);
		expect(error.description).toMatch(/token is invalid or expired/);
		expect(error.description).toMatch(/Meta Marketing API credential/);
		// The token never shows in what the user sees.
		expect(JSON.stringify({ m: error.message, d: error.description })).not.toContain('sandbox-meta-token');
	});

	it('retries a throttled upload (80003) and succeeds when Meta lets it through', async () => {
		const id = await createMetaAudience(s, 'Throttled');
		await s.metaControl('POST', 'faults', {
			match: { method: 'POST', path: `/${id}/users` },
			count: 1,
			error: { code: 80003, error_subcode: 2446079, message: 'There have been too many calls to this ad account.', is_transient: true, regainMinutes: 0 },
		});
		const [out] = await sync(id, hashedItems([1, 2]), { maxWaitMinutes: 1 });
		expect(out.json.status).toBe('success');
		// The throttled answer came before the route (a fault), so it is found by its path.
		const uploads = (await metaRequests(s)).filter((r) => r.path.endsWith(`/${id}/users`));
		expect(uploads.map((u) => [u.status, u.code ?? null])).toEqual([
			[400, 80003],
			[200, null],
		]);
		expect((await metaMembers(s, id)).count).toBe(2);
	});

	it('stops with a clear error when throttling would need a wait past the maximum', async () => {
		const id = await createMetaAudience(s, 'Throttled long');
		await s.metaControl('POST', 'faults', {
			match: { method: 'POST', path: `/${id}/users` },
			count: 5,
			error: { code: 80003, error_subcode: 2446079, message: 'There have been too many calls to this ad account.', is_transient: true, regainMinutes: 30 },
		});
		const started = Date.now();
		const error = await sync(id, hashedItems([1, 2]), { maxWaitMinutes: 1 }).catch((e) => e);
		expect(Date.now() - started).toBeLessThan(20_000);
		expect(error).toBeInstanceOf(NodeApiError);
		expect(`${error.message} ${error.description}`).toMatch(/Maximum Wait/);
		expect(error.message).toMatch(/the next run sends the rest/);
		expect((await metaMembers(s, id)).count).toBe(0);
	});

	it('refuses items without a hashed row, naming the fix; continues on fail with itemErrors', async () => {
		const id = await createMetaAudience(s, 'Bad items');
		const items = [...hashedItems([1]), { json: { profileId: '2', action: 'add', email: 'x@y.com' } }];
		const error = await sync(id, items).catch((e) => e);
		expect(error).toBeInstanceOf(NodeOperationError);
		expect(error.message).toBe('Item 1 has no hashed row in "meta"');
		expect(error.description).toMatch(/Hash Identifiers/);
		const [out] = await sync(id, items, {}, { continueOnFail: true });
		expect(out.json).toMatchObject({ status: 'success', sent: { add: 1, remove: 0 }, itemErrors: [{ itemIndex: 1, error: 'Item 1 has no hashed row in "meta"' }] });
	});
});

describe('Meta Custom Audience: list search and credential test', () => {
	it('lists the token’s ad accounts, filtered', async () => {
		await s.metaControl('POST', 'seed', {
			adAccounts: [{ id: 'act_200', name: 'Second Brand' }],
			tokens: [{ token: 'sandbox-meta-token', adAccounts: [AD_ACCOUNT, 'act_200'] }],
		});
		const all = await runListSearch(node, 'searchAdAccounts', { credentials: { metaMarketingApi: s.metaCredentials } });
		expect(all.results.map((r: IDataObject) => r.value)).toEqual([AD_ACCOUNT, 'act_200']);
		expect(all.results[1]).toMatchObject({ name: 'Second Brand (act_200)', url: expect.stringContaining('act=200') });
		const filtered = await runListSearch(node, 'searchAdAccounts', { credentials: { metaMarketingApi: s.metaCredentials }, filter: 'second' });
		expect(filtered.results.map((r: IDataObject) => r.value)).toEqual(['act_200']);
	});

	it('lists the customer-list audiences of the chosen ad account, page by page', async () => {
		const audiences = [];
		for (let i = 0; i < 5; i++) audiences.push({ adAccountId: AD_ACCOUNT, name: `Aud ${i}` });
		audiences.push({ adAccountId: AD_ACCOUNT, name: 'Pixel', subtype: 'WEBSITE' });
		await s.metaControl('POST', 'seed', { audiences });
		await s.metaControl('POST', 'config', { pageSizeCap: 2 });
		const found: IDataObject[] = [];
		let paginationToken: string | undefined;
		for (let guard = 0; guard < 10; guard++) {
			const page = await runListSearch(node, 'searchAudiences', {
				credentials: { metaMarketingApi: s.metaCredentials },
				parameters: { operation: 'syncMembers', adAccount: { __rl: true, mode: 'list', value: AD_ACCOUNT } },
				paginationToken,
			});
			found.push(...page.results);
			paginationToken = page.paginationToken;
			if (!paginationToken) break;
		}
		expect(found.map((r) => r.name).sort()).toEqual(audiences.filter((a) => !a.subtype).map((a) => expect.stringContaining(a.name)));
		expect(found).toHaveLength(5);
		// No ad account chosen yet: an empty list, no call.
		const none = await runListSearch(node, 'searchAudiences', { credentials: { metaMarketingApi: s.metaCredentials }, parameters: { operation: 'syncMembers' } });
		expect(none.results).toEqual([]);
	});

	it('Actito Audience’s Meta audience picker lists the audiences of every ad account the token reaches', async () => {
		await s.metaControl('POST', 'seed', {
			adAccounts: [{ id: 'act_300', name: 'Brand Ads' }],
			tokens: [{ token: 'sandbox-meta-token', adAccounts: [AD_ACCOUNT, 'act_300'] }],
			audiences: [
				{ adAccountId: AD_ACCOUNT, name: 'VIP customers' },
				{ adAccountId: 'act_300', name: 'VIP customers' },
				{ adAccountId: 'act_300', name: 'Newsletter' },
				{ adAccountId: 'act_300', name: 'Pixel visitors', subtype: 'WEBSITE' },
			],
		});
		await s.metaControl('POST', 'config', { pageSizeCap: 2 });
		const actito = new ActitoAudience();
		const walk = async (filter?: string) => {
			const found: IDataObject[] = [];
			let paginationToken: string | undefined;
			for (let guard = 0; guard < 20; guard++) {
				const page = await runListSearch(actito, 'searchAllAudiences', {
					credentials: { metaMarketingApi: s.metaCredentials },
					parameters: { operation: 'getStatus' },
					filter,
					paginationToken,
				});
				found.push(...page.results);
				paginationToken = page.paginationToken;
				if (!paginationToken) break;
			}
			return found;
		};
		const all = await walk();
		const names = all.map((r) => r.name);
		expect(names).toContain('VIP customers (Brand Ads)');
		expect(names).toContain('Newsletter (Brand Ads)');
		expect(names.filter((n) => String(n).startsWith('VIP customers ('))).toHaveLength(2);
		expect(names.some((n) => String(n).startsWith('Pixel visitors'))).toBe(false);
		expect(all.every((r) => /^\d+$/.test(String(r.value)))).toBe(true);
		const brand = all.find((r) => r.name === 'VIP customers (Brand Ads)')!;
		expect(brand.url).toContain('act=300');
		// Searching by the ad account's name narrows the list to its audiences.
		expect((await walk('brand ads')).map((r) => r.name).sort()).toEqual(['Newsletter (Brand Ads)', 'VIP customers (Brand Ads)']);
	});

	it('credential test: OK for a good token, Meta’s message and the fix for a bad one', async () => {
		expect(await runCredentialTest(node, 'metaMarketingApi', s.metaCredentials)).toEqual({ status: 'OK', message: 'Connection successful' });
		const bad = await runCredentialTest(node, 'metaMarketingApi', { ...s.metaCredentials, accessToken: 'not-a-token' });
		expect(bad.status).toBe('Error');
		expect(bad.message).toContain('Invalid OAuth access token');
		expect(bad.message).toMatch(/generate a new system-user token/);
		const old = await runCredentialTest(node, 'metaMarketingApi', { ...s.metaCredentials, apiVersion: 'v23.0' });
		expect(old.status).toBe('Error');
		expect(old.message).toMatch(/deprecated version/);
	});
});
