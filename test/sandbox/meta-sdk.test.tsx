// Meta's own Node SDK, pointed at the sandbox: if the SDK can talk to it, the sandbox speaks
// Meta's protocol (JSON bodies on POST, parameters in the URL on DELETE and GET, `next` URLs).
import { createHash } from 'node:crypto';

// eslint-disable-next-line @typescript-eslint/no-var-requires
const { startMetaSandbox } = require('../../sandbox/meta');
// eslint-disable-next-line @typescript-eslint/no-var-requires
const sdk = require('facebook-nodejs-business-sdk');

const TOKEN = 'sandbox-meta-token';
const ACT = 'act_100000000000001';
const sha = (text: string) => createHash('sha256').update(text).digest('hex');

let sandbox: { url: string; close: () => Promise<void> };
let listenersBefore: Array<(...args: any[]) => void>;
const saved: Record<string, PropertyDescriptor | undefined> = {};

beforeAll(async () => {
	sandbox = await startMetaSandbox({ port: 0 });
	listenersBefore = process.listeners('uncaughtException');
	// The SDK reads its host and version from static getters; redefine them for this file only.
	for (const [key, value] of [['GRAPH', sandbox.url], ['VERSION', 'v26.0']] as const) {
		saved[key] = Object.getOwnPropertyDescriptor(sdk.FacebookAdsApi, key);
		Object.defineProperty(sdk.FacebookAdsApi, key, { get: () => value, configurable: true });
	}
	// crash_log=false: no process-wide uncaughtException handler from the SDK.
	sdk.FacebookAdsApi.init(TOKEN, 'en_US', false);
});

afterAll(async () => {
	for (const key of Object.keys(saved)) Object.defineProperty(sdk.FacebookAdsApi, key, saved[key]!);
	// Belt and braces: drop any handler the SDK might have added anyway.
	for (const listener of process.listeners('uncaughtException')) {
		if (!listenersBefore.includes(listener)) process.removeListener('uncaughtException', listener as (e: Error) => void);
	}
	await sandbox.close();
});

async function members(id: string): Promise<{ rows: string[][] }> {
	return (await fetch(`${sandbox.url}/__sandbox/audiences/${id}/members`)).json() as Promise<{ rows: string[][] }>;
}

test('the SDK creates, fills, empties, reads and lists a customer-list audience', async () => {
	const account = new sdk.AdAccount(ACT);
	const created = await account.createCustomAudience([], {
		name: 'SDK audience',
		subtype: 'CUSTOM',
		customer_file_source: 'USER_PROVIDED_ONLY',
		description: 'made by the SDK',
	});
	const id = created.id;
	expect(id).toMatch(/^\d+$/);

	const audience = new sdk.CustomAudience(id);
	// The contract's reference hashes, as the SDK would send them.
	const mary = sha('mary@example.com');
	const phone = sha('15559876543');
	expect(mary).toBe('f1904cf1a9d73a55fa5de0ac823c4403ded71afd4c3248d00bdcd0866552bb79');
	expect(phone).toBe('1ef970831d7963307784fa8688e8fce101a15685d62aa765fed23f3a2c576a4e');
	const added = await audience.createUser([], {
		payload: { schema: ['EXTERN_ID', 'EMAIL', 'PHONE'], is_raw: true, data: [['1', mary, phone], ['2', sha('b@example.com'), '']] },
		session: { session_id: 123456, batch_seq: 1, last_batch_flag: true, estimated_num_total: 2 },
	});
	expect(added._data).toMatchObject({ audience_id: id, session_id: '123456', num_received: 2, num_invalid_entries: 0 });
	expect((await members(id)).rows).toHaveLength(2);

	// DELETE: the SDK puts payload and session in the query string.
	const removed = await audience.deleteUsers({
		payload: { schema: ['EXTERN_ID', 'EMAIL', 'PHONE'], data: [['1', '', '']] },
		session: { session_id: 123457, batch_seq: 1, last_batch_flag: true },
	});
	expect(removed).toMatchObject({ audience_id: id, num_received: 1 });
	expect((await members(id)).rows.map((r) => r[0])).toEqual(['2']);

	const read = await audience.read([
		'name', 'description', 'subtype', 'approximate_count_lower_bound', 'approximate_count_upper_bound',
		'delivery_status', 'operation_status',
	]);
	expect(read._data).toMatchObject({
		id, name: 'SDK audience', description: 'made by the SDK', subtype: 'CUSTOM',
		delivery_status: { code: 300 }, operation_status: { code: 200 },
	});

	const sessions = await audience.getSessions(['session_id', 'num_received', 'stage']);
	expect(sessions.map((s: any) => s._data.session_id).sort()).toEqual(['123456', '123457']);
});

test('the SDK lists audiences and ad accounts, following `next` through empty pages', async () => {
	await fetch(`${sandbox.url}/__sandbox/seed`, {
		method: 'POST',
		headers: { 'content-type': 'application/json' },
		body: JSON.stringify({ audiences: [1, 2, 3].map((n) => ({ adAccountId: ACT, name: `listed ${n}` })) }),
	});
	await fetch(`${sandbox.url}/__sandbox/config`, {
		method: 'POST',
		headers: { 'content-type': 'application/json' },
		body: JSON.stringify({ emptyPagesBetween: 1 }),
	});
	const cursor = await new sdk.AdAccount(ACT).getCustomAudiences(['id', 'name', 'subtype'], { limit: 2 });
	const names: string[] = cursor.map((a: any) => a._data.name);
	while (cursor.hasNext()) {
		await cursor.next();
		names.push(...cursor.map((a: any) => a._data.name));
	}
	expect(names).toEqual(expect.arrayContaining(['listed 1', 'listed 2', 'listed 3']));
	const accounts = await new sdk.User('me').getAdAccounts(['id', 'name', 'account_id']);
	expect(accounts.map((a: any) => a._data)).toEqual([{ id: ACT, name: 'Sandbox Ads', account_id: '100000000000001' }]);
});

test('Graph errors reach the SDK as FacebookRequestError with code and subcode', async () => {
	const api = new sdk.FacebookAdsApi('wrong-token', 'en_US', false);
	const error = await new sdk.AdAccount(ACT, {}, undefined, api).read(['name']).catch((e: any) => e);
	expect(error.name).toBe('FacebookRequestError');
	expect(error.status).toBe(400);
	expect(error.response).toMatchObject({ code: 190, type: 'OAuthException', fbtrace_id: expect.any(String) });
});
