// Actito Audience (all but Get Changes, which the sync-chain tests drive), in-process against
// the Actito sandbox.
import { NodeApiError, NodeOperationError } from 'n8n-workflow';
import type { IDataObject } from 'n8n-workflow';

import { ActitoAudience } from '../../nodes/ActitoAudience/ActitoAudience.node';
import { runCredentialTest, runListSearch, runNode } from '../support/n8nContext';
import { startSandboxes, type Sandboxes } from './sandboxes';

const VIP = 'Audiences:VIP';
const node = new ActitoAudience();
let s: Sandboxes;
let raw: Array<{ profileId: string; attributes: Record<string, unknown>; segments: string[]; deleted: boolean }>;

beforeAll(async () => {
	s = await startSandboxes();
	await s.actitoControl('POST', 'seed', { profiles: 120, seed: 11, segmentations: [{ category: 'Audiences', name: 'VIP', members: 45 }] });
	raw = (await s.actitoControl('GET', 'profiles')).profiles;
});
afterAll(async () => {
	await s?.close();
});

const rl = (value: string) => ({ __rl: true, mode: 'id', value });
const base = { resource: 'audience', table: rl('Customers'), segmentation: rl(VIP) };

function actito(parameters: Record<string, unknown>, extra: { items?: Array<{ json: IDataObject }>; continueOnFail?: boolean; credentials?: IDataObject } = {}) {
	return runNode(node, {
		parameters: { ...base, ...parameters },
		items: extra.items,
		continueOnFail: extra.continueOnFail,
		credentials: { actitoApi: { ...s.actitoCredentials, ...(extra.credentials ?? {}) } },
	}).then(([out]) => out);
}

describe('Actito Audience', () => {
	it('Get Members returns every member of the segmentation as add items', async () => {
		const out = await actito({ operation: 'getMembers' });
		const expected = raw.filter((p) => p.segments.includes(VIP)).map((p) => p.profileId);
		expect(out.map((o) => o.json.profileId)).toEqual(expected);
		const sample = raw.find((p) => p.segments.includes(VIP) && p.attributes.emailAddress)!;
		const item = out.find((o) => o.json.profileId === sample.profileId)!;
		expect(item.json).toMatchObject({ action: 'add', reason: 'reconcile', email: sample.attributes.emailAddress });
		expect(item.pairedItem).toEqual({ item: 0 });
		const limited = await actito({ operation: 'getMembers', returnAll: false, limit: 7 });
		expect(limited.map((o) => o.json.profileId)).toEqual(expected.slice(0, 7));
	});

	it('Get Members names the segmentations when the one given does not exist', async () => {
		const error = await actito({ operation: 'getMembers', segmentation: rl('Audiences:Nope') }).catch((e) => e);
		expect(error).toBeInstanceOf(NodeOperationError);
		expect(error.message).toBe('Segmentation "Audiences:Nope" does not exist in table Customers');
		expect(error.description).toContain(VIP);
	});

	it('Get Profile by id, by unique e-mail, and found:false for an unknown one', async () => {
		const p = raw.find((x) => typeof x.attributes.emailAddress === 'string' && /^[^ ]+@[^ @]+\.[a-z]+$/i.test(x.attributes.emailAddress as string))!;
		const [byId] = await actito({ operation: 'getProfile', profileId: p.profileId });
		expect(byId.json).toMatchObject({ found: true, profileId: p.profileId, email: p.attributes.emailAddress });
		const [byEmail] = await actito({ operation: 'getProfile', findBy: 'attribute', uniqueAttribute: 'emailAddress', uniqueValue: p.attributes.emailAddress });
		expect(byEmail.json).toMatchObject({ found: true, profileId: p.profileId });
		const [missing] = await actito({ operation: 'getProfile', profileId: '999999' });
		expect(missing.json).toEqual({ found: false });
		const [missingEmail] = await actito({ operation: 'getProfile', findBy: 'attribute', uniqueValue: 'nobody@nowhere.example' });
		expect(missingEmail.json).toEqual({ found: false });
	});

	it('Get Profile of a deleted profile is found:false', async () => {
		const p = raw[raw.length - 1];
		await s.actitoControl('DELETE', `profiles/${p.profileId}`);
		const [out] = await actito({ operation: 'getProfile', profileId: p.profileId });
		expect(out.json).toEqual({ found: false });
	});

	it('Get Profile without an id stops with a clear error; continues on fail per item', async () => {
		await expect(actito({ operation: 'getProfile', profileId: '  ' })).rejects.toThrow('No profile ID given');
		const out = await actito({ operation: 'getProfile', profileId: ({ $json }: { $json: IDataObject }) => $json.id }, { items: [{ json: { id: raw[0].profileId } }, { json: { id: '' } }], continueOnFail: true });
		expect(out[0].json).toMatchObject({ found: true, profileId: raw[0].profileId });
		expect(out[1]).toEqual({ json: { error: 'No profile ID given' }, pairedItem: { item: 1 } });
	});

	it('Log Interaction writes one custom record per item, readable in Actito', async () => {
		const items = [
			{ json: { profileId: raw[0].profileId, link: 'actito:acme/Customers/seg:Audiences:VIP→meta:1' } },
			{ json: { profileId: raw[1].profileId, link: '' } },
		];
		const out = await actito(
			{
				resource: 'customTableRecord',
				operation: 'logInteraction',
				customTable: 'negative_consent',
				interactionProfileId: ({ $json }: { $json: IDataObject }) => $json.profileId,
				event: 'NEGATIVE_CONSENT',
				interactionAudience: ({ $json }: { $json: IDataObject }) => $json.link,
				extraProperties: { property: [{ name: 'source', value: 'test' }] },
			},
			{ items },
		);
		expect(out.map((o) => o.json.profileId)).toEqual([raw[0].profileId, raw[1].profileId]);
		expect(out.map((o) => o.pairedItem)).toEqual([{ item: 0 }, { item: 1 }]);
		const records: IDataObject[] = (await s.actitoControl('GET', 'custom-tables/negative_consent')).records;
		const flat = (r: IDataObject) => {
			const props = (r.properties ?? r) as Array<{ name: string; value: unknown }> | IDataObject;
			return Array.isArray(props) ? Object.fromEntries(props.map((p) => [p.name, p.value])) : props;
		};
		const mine = records.map(flat).filter((r) => r.source === 'test');
		expect(mine).toHaveLength(2);
		expect(mine[0]).toMatchObject({ profileId: raw[0].profileId, event: 'NEGATIVE_CONSENT', audience: items[0].json.link, moment: out[0].json.moment });
		expect(mine[1]).toMatchObject({ profileId: raw[1].profileId, event: 'NEGATIVE_CONSENT' });
		expect(mine[1]).not.toHaveProperty('audience');
		const keys = records.map((r) => String(r.businessKey ?? ''));
		for (const o of out) expect(keys).toContain(String(o.json.businessKey));
	});

	it('Log Interaction into a custom table that does not exist is an API error naming it', async () => {
		const error = await actito({ resource: 'customTableRecord', operation: 'logInteraction', customTable: 'no_such_table', interactionProfileId: raw[0].profileId, interactionAudience: '' }).catch((e) => e);
		expect(error).toBeInstanceOf(NodeApiError);
		expect(error.message).toContain('no_such_table');
	});

	it('Get Status of a link that never ran says pending, without failing', async () => {
		const [out] = await runNode(node, {
			parameters: { ...base, operation: 'getStatus', linkSource: 'audience', metaAudienceId: '123', includeMeta: false },
			credentials: { actitoApi: s.actitoCredentials },
			staticData: {},
		});
		expect(out[0].json).toMatchObject({ memberCount: 0, pending: true, syncedAt: null, lastRuns: [] });
		expect(out[0].json).not.toHaveProperty('meta');
		// The Meta audience field is a picker now: its saved value is a resource locator; a plain id
		// saved before it became one reads the same.
		const [picked] = await runNode(node, {
			parameters: { ...base, operation: 'getStatus', linkSource: 'audience', metaAudienceId: { __rl: true, mode: 'list', value: '123', cachedResultName: 'VIP customers (Acme Ads)' }, includeMeta: false },
			credentials: { actitoApi: s.actitoCredentials },
			staticData: {},
		});
		expect(picked[0].json).toMatchObject({ metaAudienceId: '123', pending: true });
		expect(picked[0].json.link).toBe(out[0].json.link);
	});

	it('lists tables and segmentations for the pickers', async () => {
		const tables = await runListSearch(node, 'searchTables', { credentials: { actitoApi: s.actitoCredentials } });
		expect(tables.results).toEqual([{ name: 'Customers (16)', value: 'Customers' }]);
		const segs = await runListSearch(node, 'searchSegmentations', { credentials: { actitoApi: s.actitoCredentials }, parameters: { operation: 'getMembers', table: rl('Customers') } });
		expect(segs.results).toEqual([{ name: 'Audiences → VIP', value: VIP }]);
	});

	it('credential test: OK, wrong key, and wrong entity listing the entities', async () => {
		expect(await runCredentialTest(node, 'actitoApi', s.actitoCredentials)).toEqual({ status: 'OK', message: 'Connection successful' });
		const badKey = await runCredentialTest(node, 'actitoApi', { ...s.actitoCredentials, apiKey: 'wrong-key' });
		expect(badKey.status).toBe('Error');
		expect(badKey.message).toMatch(/Actito refused the API key \(HTTP 401\)/);
		expect(badKey.message).toMatch(/Actito API credential/);
		const badEntity = await runCredentialTest(node, 'actitoApi', { ...s.actitoCredentials, entity: 'acmee' });
		expect(badEntity.status).toBe('Error');
		expect(badEntity.message).toContain('Entity "acmee" is not in this licence');
		expect(badEntity.message).toContain('acme');
		expect(badEntity.message).toMatch(/Fix the Entity field/);
	});
});
