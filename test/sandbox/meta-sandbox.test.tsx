// The Meta sandbox refuses what Meta refuses: one test (at least) per rule of the contract.
import { createHmac, createHash } from 'node:crypto';

// eslint-disable-next-line @typescript-eslint/no-var-requires
const { startMetaSandbox } = require('../../sandbox/meta');

const TOKEN = 'sandbox-meta-token';
const ACT = 'act_100000000000001';
const SCHEMA = ['EXTERN_ID', 'EMAIL', 'PHONE'];
const sha = (text: string) => createHash('sha256').update(text).digest('hex');

let sandbox: { url: string; close: () => Promise<void>; state: any };

beforeAll(async () => {
	// A frozen sandbox clock that moves only through /__sandbox/clock: no test depends on speed.
	const frozen = Date.now();
	sandbox = await startMetaSandbox({ port: 0, now: () => frozen });
});
afterAll(async () => {
	await sandbox.close();
});
beforeEach(async () => {
	await control('POST', '/__sandbox/reset');
});

interface Answer {
	status: number;
	headers: Headers;
	body: any;
}

async function call(
	method: string,
	path: string,
	options: { token?: string | null; qs?: Record<string, string>; body?: unknown; form?: Record<string, string>; version?: string } = {},
): Promise<Answer> {
	const url = new URL(`${sandbox.url}/${options.version ?? 'v26.0'}/${path}`);
	for (const [k, v] of Object.entries(options.qs ?? {})) url.searchParams.set(k, v);
	const headers: Record<string, string> = {};
	const token = options.token === undefined ? TOKEN : options.token;
	if (token) headers.authorization = `Bearer ${token}`;
	let body: string | undefined;
	if (options.form) {
		headers['content-type'] = 'application/x-www-form-urlencoded';
		body = new URLSearchParams(options.form).toString();
	} else if (options.body !== undefined) {
		headers['content-type'] = 'application/json';
		body = JSON.stringify(options.body);
	}
	const res = await fetch(url, { method, headers, body });
	const text = await res.text();
	let parsed: unknown = text;
	try {
		parsed = JSON.parse(text);
	} catch {
		// HTML stays text
	}
	return { status: res.status, headers: res.headers, body: parsed };
}

async function control(method: string, path: string, body?: unknown): Promise<any> {
	const res = await fetch(sandbox.url + path, {
		method,
		headers: body === undefined ? {} : { 'content-type': 'application/json' },
		body: body === undefined ? undefined : JSON.stringify(body),
	});
	const json = await res.json();
	if (!res.ok) throw new Error(`${method} ${path}: ${JSON.stringify(json)}`);
	return json;
}

async function newAudience(name = 'VIP'): Promise<string> {
	const res = await call('POST', `${ACT}/customaudiences`, {
		body: { name, subtype: 'CUSTOM', customer_file_source: 'USER_PROVIDED_ONLY' },
	});
	expect(res.status).toBe(200);
	return res.body.id;
}

function row(id: string, email = `${id}@example.com`, phone = ''): string[] {
	return [id, sha(email), phone ? sha(phone) : ''];
}

function upload(
	audienceId: string,
	rows: unknown[],
	session: Record<string, unknown>,
	{ op = 'add', schema = SCHEMA as unknown }: { op?: 'add' | 'remove' | 'replace'; schema?: unknown } = {},
) {
	const body = { payload: { schema, is_raw: true, data: rows }, session };
	if (op === 'replace') return call('POST', `${audienceId}/usersreplace`, { body });
	return call(op === 'add' ? 'POST' : 'DELETE', `${audienceId}/users`, { body });
}

const members = (id: string) => control('GET', `/__sandbox/audiences/${id}/members`);
const err = (a: Answer) => a.body.error;

describe('versions, tokens, permissions', () => {
	test('default state: one ad account, listed with usage headers', async () => {
		const res = await call('GET', 'me/adaccounts', { qs: { fields: 'id,name,account_id' } });
		expect(res.status).toBe(200);
		expect(res.body.data).toEqual([{ id: ACT, name: 'Sandbox Ads', account_id: '100000000000001' }]);
		expect(res.body.paging.next).toBeUndefined();
		for (const h of ['x-business-use-case-usage', 'x-ad-account-usage', 'x-app-usage']) {
			expect(() => JSON.parse(res.headers.get(h)!)).not.toThrow();
		}
	});

	test('expired versions answer 2635, configurable', async () => {
		for (const version of ['v24.0', 'v23.0', 'v19.0']) {
			const res = await call('GET', 'me/adaccounts', { version });
			expect(res.status).toBe(400);
			expect(err(res).code).toBe(2635);
			expect(err(res).fbtrace_id).toMatch(/^\w+$/);
			expect(err(res).type).toBe('OAuthException');
		}
		expect((await call('GET', 'me/adaccounts', { version: 'v25.0' })).status).toBe(200);
		await control('POST', '/__sandbox/config', { expiredVersions: ['v25.0'] });
		expect(err(await call('GET', 'me/adaccounts', { version: 'v25.0' })).code).toBe(2635);
	});

	test('unknown token 190; expired token 190/463; access_token in the query works', async () => {
		expect(err(await call('GET', 'me/adaccounts', { token: 'nope' })).code).toBe(190);
		const q = await call('GET', ACT, { token: null, qs: { access_token: TOKEN, fields: 'id,name' } });
		expect(q.body).toEqual({ id: ACT, name: 'Sandbox Ads' });
		await control('POST', `/__sandbox/tokens/${TOKEN}/expire`);
		const expired = err(await call('GET', 'me/adaccounts'));
		expect([expired.code, expired.error_subcode]).toEqual([190, 463]);
	});

	test('a token not on the ad account gets a permission error; its audiences look absent', async () => {
		await control('POST', '/__sandbox/seed', {
			adAccounts: [{ id: '222', name: 'Other' }],
			tokens: [{ token: 'other-token', adAccounts: ['act_222'] }],
		});
		const res = await call('GET', `${ACT}/customaudiences`, { token: 'other-token' });
		expect(err(res).code).toBe(200);
		expect(err(res).message).toMatch(/ads_management/);
		const id = await newAudience();
		const read = err(await call('GET', id, { token: 'other-token' }));
		expect([read.code, read.error_subcode]).toEqual([100, 33]);
	});

	test('unknown field refused, approximate_count included', async () => {
		const id = await newAudience();
		expect(err(await call('GET', id, { qs: { fields: 'approximate_count' } })).code).toBe(100);
	});
});

describe('app-secret proof', () => {
	const SECRET = 'shh-app-secret';
	beforeEach(async () => {
		await control('POST', '/__sandbox/seed', {
			adAccounts: [{ id: 'act_333', name: 'Proofed', appSecret: SECRET }],
			tokens: [{ token: 'proof-token', adAccounts: ['act_333'] }],
		});
	});
	const proof = (time: number) => createHmac('sha256', SECRET).update(`proof-token|${time}`).digest('hex');
	const nowSec = () => Math.floor(Date.now() / 1000);

	test('missing, wrong and old proofs are refused with 100; a right one passes (query or body)', async () => {
		const get = (qs: Record<string, string>) => call('GET', 'act_333', { token: 'proof-token', qs: { fields: 'tos_accepted', ...qs } });
		expect(err(await get({})).message).toMatch(/appsecret_proof/);
		const t = nowSec();
		expect(err(await get({ appsecret_proof: 'ab'.repeat(32), appsecret_time: String(t) })).message).toMatch(/Invalid appsecret_proof/);
		const old = t - 600;
		expect(err(await get({ appsecret_proof: proof(old), appsecret_time: String(old) })).message).toMatch(/too old/);
		const ok = await get({ appsecret_proof: proof(t), appsecret_time: String(t) });
		expect(ok.body).toEqual({ id: 'act_333', tos_accepted: { custom_audience_tos: 1 } });
		// In the body of a POST too, and /me/adaccounts asks for it as well.
		const created = await call('POST', 'act_333/customaudiences', {
			token: 'proof-token',
			body: { name: 'P', subtype: 'CUSTOM', customer_file_source: 'USER_PROVIDED_ONLY', appsecret_proof: proof(t), appsecret_time: t },
		});
		expect(created.status).toBe(200);
		expect(err(await call('GET', created.body.id, { token: 'proof-token' })).code).toBe(100);
		expect(err(await call('GET', 'me/adaccounts', { token: 'proof-token' })).code).toBe(100);
	});
});

describe('audiences', () => {
	test('create validates, reads every contract field, updates name and description', async () => {
		const bad = (body: object) => call('POST', `${ACT}/customaudiences`, { body });
		expect(err(await bad({ subtype: 'CUSTOM', customer_file_source: 'USER_PROVIDED_ONLY' })).code).toBe(100);
		expect(err(await bad({ name: 'x', subtype: 'LOOKALIKE', customer_file_source: 'USER_PROVIDED_ONLY' })).code).toBe(100);
		expect(err(await bad({ name: 'x', subtype: 'CUSTOM' })).code).toBe(100);
		expect(err(await bad({ name: 'x', subtype: 'CUSTOM', customer_file_source: 'SOMEWHERE' })).code).toBe(100);
		const id = await newAudience('Loyal');
		const fields = 'id,name,description,subtype,customer_file_source,approximate_count_lower_bound,approximate_count_upper_bound,delivery_status,operation_status,time_updated,time_content_updated,retention_days';
		const read = (await call('GET', id, { qs: { fields } })).body;
		expect(read).toMatchObject({
			id, name: 'Loyal', subtype: 'CUSTOM', customer_file_source: 'USER_PROVIDED_ONLY',
			approximate_count_lower_bound: 0, approximate_count_upper_bound: 0,
			delivery_status: { code: 300 }, operation_status: { code: 410 }, retention_days: 0,
		});
		expect((await call('POST', id, { body: { name: 'Loyal 2', description: 'best' } })).body).toEqual({ success: true });
		expect((await call('GET', id, { qs: { fields: 'name,description' } })).body).toEqual({ id, name: 'Loyal 2', description: 'best' });
	});

	test('at most maxAudiencesPerAccount (500 by default) per ad account', async () => {
		await control('POST', '/__sandbox/config', { maxAudiencesPerAccount: 1 });
		await newAudience();
		const res = await call('POST', `${ACT}/customaudiences`, { body: { name: 'two', subtype: 'CUSTOM', customer_file_source: 'USER_PROVIDED_ONLY' } });
		expect(err(res).code).toBe(2654);
	});

	test('paging: limit, cursors, short and empty pages while next exists, non-CUSTOM subtypes listed', async () => {
		await control('POST', '/__sandbox/seed', {
			audiences: [
				{ adAccountId: ACT, name: 'a1' },
				{ adAccountId: ACT, name: 'look', subtype: 'LOOKALIKE' },
				{ adAccountId: ACT, name: 'a2' },
				{ adAccountId: ACT, name: 'web', subtype: 'WEBSITE' },
				{ adAccountId: ACT, name: 'a3' },
			],
		});
		await control('POST', '/__sandbox/config', { emptyPagesBetween: 1, trailingEmptyPage: true });
		const pages: any[][] = [];
		let after: string | undefined;
		for (let i = 0; i < 20; i++) {
			const res = await call('GET', `${ACT}/customaudiences`, { qs: { fields: 'id,name,subtype', limit: '2', ...(after ? { after } : {}) } });
			pages.push(res.body.data);
			if (!res.body.paging.next) break;
			expect(new URL(res.body.paging.next).searchParams.get('after')).toBe(res.body.paging.cursors.after);
			after = res.body.paging.cursors.after;
		}
		expect(pages.map((p) => p.length)).toEqual([2, 0, 2, 0, 1, 0]);
		expect(pages.flat().map((a) => a.name)).toEqual(['a1', 'look', 'a2', 'web', 'a3']);
		expect(pages.flat().map((a) => a.subtype)).toContain('LOOKALIKE');
		await control('POST', '/__sandbox/config', { emptyPagesBetween: 0, trailingEmptyPage: false, pageSizeCap: 1 });
		const short = await call('GET', `${ACT}/customaudiences`, { qs: { limit: '10' } });
		expect(short.body.data).toHaveLength(1);
		expect(short.body.paging.next).toBeDefined();
	});

	test('terms: tos_accepted read, uploads (and creation) refused with 200/1870090', async () => {
		await control('POST', '/__sandbox/seed', {
			adAccounts: [{ id: 'act_444', name: 'No terms', tosAccepted: false }],
			tokens: [{ token: TOKEN, adAccounts: [ACT, 'act_444'] }],
			audiences: [{ id: '99', adAccountId: 'act_444', name: 'old' }],
		});
		expect((await call('GET', 'act_444', { qs: { fields: 'tos_accepted' } })).body).toEqual({ id: 'act_444', tos_accepted: {} });
		const up = err(await upload('99', [row('1')], { session_id: 1, batch_seq: 1, last_batch_flag: true }));
		expect([up.code, up.error_subcode]).toEqual([200, 1870090]);
		const created = err(await call('POST', 'act_444/customaudiences', { body: { name: 'x', subtype: 'CUSTOM', customer_file_source: 'USER_PROVIDED_ONLY' } }));
		expect(created.error_subcode).toBe(1870090);
	});
});

describe('uploads', () => {
	test('add: cumulative num_received, invalid hashes counted with samples, members exact', async () => {
		const id = await newAudience();
		const a = await upload(id, [row('1'), row('2', 'b@x.com', '15550001')], { session_id: 7, batch_seq: 1, last_batch_flag: false });
		expect(a.body).toEqual({ audience_id: id, session_id: '7', num_received: 2, num_invalid_entries: 0, invalid_entry_samples: {} });
		const b = await upload(id, [row('3'), ['4', 'not-a-hash@x.com', ''], ['5', sha('e').toUpperCase(), ''], ['', '', '']], { session_id: 7, batch_seq: 2, last_batch_flag: true });
		expect(b.body.num_received).toBe(6);
		expect(b.body.num_invalid_entries).toBe(3);
		expect(Object.values(b.body.invalid_entry_samples)).toContain('EMAIL');
		const m = await members(id);
		expect(m.schema).toEqual(SCHEMA);
		expect(m.rows.map((r: string[]) => r[0]).sort()).toEqual(['1', '2', '3']);
		// The finished session cannot take another batch.
		const again = err(await upload(id, [row('9')], { session_id: 7, batch_seq: 3, last_batch_flag: true }));
		expect([again.code, again.error_subcode]).toEqual([2650, 1870159]);
		const sessions = (await call('GET', `${id}/sessions`, { qs: { session_id: '7' } })).body.data;
		expect(sessions).toEqual([expect.objectContaining({ session_id: '7', num_received: 6, num_invalid_entries: 3, stage: 'finished' })]);
		expect(sessions[0]).toEqual(expect.objectContaining({ start_time: expect.any(Number), end_time: expect.any(Number), num_matched: expect.any(Number), progress: 100 }));
	});

	test('schema: one per audience for life (2650), keys checked, row width checked, at most 10,000 rows', async () => {
		const id = await newAudience();
		const s = (n: number) => ({ session_id: n, batch_seq: 1, last_batch_flag: true });
		expect(err(await upload(id, [['x']], s(1), { schema: ['EMAIL_ADDRESS'] })).code).toBe(100);
		expect(err(await upload(id, [['1', sha('a')]], s(2))).code).toBe(100);
		const many = Array.from({ length: 10_001 }, (_, i) => row(String(i)));
		const tooMany = err(await upload(id, many, s(3)));
		expect(tooMany.code).toBe(100);
		expect(tooMany.message).toMatch(/10000/);
		expect((await upload(id, many.slice(0, 10_000), s(4))).status).toBe(200);
		const mismatch = err(await upload(id, [[sha('a')]], s(5), { schema: ['EMAIL'] }));
		expect(mismatch.code).toBe(2650);
		// Same keys in another order is the same schema.
		expect((await upload(id, [[sha('z'), '10001', '']], s(6), { schema: ['EMAIL', 'EXTERN_ID', 'PHONE'] })).status).toBe(200);
		// A single key as a plain string, rows as plain strings.
		const single = await newAudience('single');
		expect((await upload(single, [sha('a'), sha('b')], s(7), { schema: 'EMAIL_SHA256' })).body.num_received).toBe(2);
		expect((await members(single)).schema).toEqual(['EMAIL']);
	});

	test('EXTERN_ID and MADID are not hashed; MADID given hashed is invalid', async () => {
		const id = await newAudience();
		const res = await upload(id, [['1', sha('m')], ['2', 'ab12cd34-0000-4000-8000-000000000000']], { session_id: 1, batch_seq: 1, last_batch_flag: true }, { schema: ['EXTERN_ID', 'MADID'] });
		expect(res.body.num_invalid_entries).toBe(1);
	});

	test('membership: EXTERN_ID replaces a row; remove by EXTERN_ID, by hashed row, by shared email', async () => {
		const id = await newAudience();
		await upload(id, [row('1'), row('2'), row('3')], { session_id: 1, batch_seq: 1, last_batch_flag: true });
		await upload(id, [row('1', 'new@x.com')], { session_id: 2, batch_seq: 1, last_batch_flag: true });
		let m = await members(id);
		expect(m.rows).toHaveLength(3);
		expect(m.rows.find((r: string[]) => r[0] === '1')[1]).toBe(sha('new@x.com'));
		await upload(id, [['1', '', '']], { session_id: 3, batch_seq: 1, last_batch_flag: true }, { op: 'remove' });
		// Rows without EXTERN_ID: added and removed by their hashes.
		const noExt = await newAudience('hashes');
		await upload(noExt, [['', sha('p@x.com'), sha('111')], ['', sha('q@x.com'), '']], { session_id: 4, batch_seq: 1, last_batch_flag: true });
		await upload(noExt, [['', sha('p@x.com'), '']], { session_id: 5, batch_seq: 1, last_batch_flag: true }, { op: 'remove' });
		m = await members(id);
		expect(m.rows.map((r: string[]) => r[0]).sort()).toEqual(['2', '3']);
		expect((await members(noExt)).rows).toEqual([['', sha('q@x.com'), '']]);
	});

	test('removal: DELETE with JSON body, POST method=DELETE, DELETE with query params, form fields', async () => {
		const id = await newAudience();
		await upload(id, [row('1'), row('2'), row('3'), row('4'), row('5')], { session_id: 1, batch_seq: 1, last_batch_flag: true });
		const payload = (ext: string) => ({ schema: SCHEMA, data: [[ext, '', '']] });
		const session = (n: number) => ({ session_id: n, batch_seq: 1, last_batch_flag: true });
		expect((await call('DELETE', `${id}/users`, { body: { payload: payload('1'), session: session(2) } })).status).toBe(200);
		expect((await call('POST', `${id}/users`, { body: { method: 'DELETE', payload: payload('2'), session: session(3) } })).status).toBe(200);
		const q = await call('DELETE', `${id}/users`, { qs: { payload: JSON.stringify(payload('3')), session: JSON.stringify(session(4)) } });
		expect(q.body.num_received).toBe(1);
		const f = await call('POST', `${id}/users`, { form: { method: 'DELETE', payload: JSON.stringify(payload('4')), session: JSON.stringify(session(5)) } });
		expect(f.status).toBe(200);
		expect((await members(id)).rows.map((r: string[]) => r[0])).toEqual(['5']);
		const counters = await control('GET', '/__sandbox/counters');
		expect(counters.uploads).toEqual({ add: 1, remove: 4, replace: 0 });
		expect(counters.rows.remove).toBe(4);
	});

	test('sessions: batch_seq starts at 1 and does not go back', async () => {
		const id = await newAudience();
		expect(err(await upload(id, [row('1')], { session_id: 1, batch_seq: 2, last_batch_flag: false })).code).toBe(100);
		await upload(id, [row('1')], { session_id: 1, batch_seq: 1, last_batch_flag: false });
		await upload(id, [row('2')], { session_id: 1, batch_seq: 2, last_batch_flag: false });
		expect(err(await upload(id, [row('3')], { session_id: 1, batch_seq: 1, last_batch_flag: true })).code).toBe(100);
		expect(err(await upload(id, [row('3')], { session_id: 'abc', batch_seq: 1, last_batch_flag: true })).code).toBe(100);
	});
});

describe('replace', () => {
	test('first batch must be 1; 414 and refusals while open; last batch sets members exactly; finished reuse 1870159', async () => {
		const id = await newAudience();
		await upload(id, [row('1'), row('2')], { session_id: 1, batch_seq: 1, last_batch_flag: true });
		const opts = { op: 'replace' as const };
		const first = err(await upload(id, [row('7')], { session_id: 50, batch_seq: 2, last_batch_flag: false }, opts));
		expect([first.code, first.error_subcode]).toEqual([2650, 1870147]);
		expect(err(await call('POST', `${id}/usersreplace`, { body: { payload: { schema: SCHEMA, data: [row('7')] } } })).code).toBe(100);
		expect((await upload(id, [row('7')], { session_id: 50, batch_seq: 1, last_batch_flag: false }, opts)).status).toBe(200);
		expect((await call('GET', id, { qs: { fields: 'operation_status' } })).body.operation_status.code).toBe(414);
		for (const op of ['add', 'remove'] as const) {
			const locked = err(await upload(id, [row('9')], { session_id: 60, batch_seq: 1, last_batch_flag: true }, { op }));
			expect([locked.code, locked.error_subcode]).toEqual([2650, 1870145]);
		}
		const other = err(await upload(id, [row('9')], { session_id: 61, batch_seq: 1, last_batch_flag: true }, opts));
		expect(other.error_subcode).toBe(1870145);
		const done = await upload(id, [row('8')], { session_id: 50, batch_seq: 2, last_batch_flag: true }, opts);
		expect(done.body.num_received).toBe(2);
		expect((await members(id)).rows.map((r: string[]) => r[0]).sort()).toEqual(['7', '8']);
		expect((await call('GET', id, { qs: { fields: 'operation_status' } })).body.operation_status.code).toBe(200);
		const reuse = err(await upload(id, [row('8')], { session_id: 50, batch_seq: 3, last_batch_flag: true }, opts));
		expect(reuse.error_subcode).toBe(1870159);
	});

	test('a replace session older than the timeout answers 1870158 and leaves the old members (415)', async () => {
		const id = await newAudience();
		await upload(id, [row('1')], { session_id: 1, batch_seq: 1, last_batch_flag: true });
		await upload(id, [row('2')], { session_id: 2, batch_seq: 1, last_batch_flag: false }, { op: 'replace' });
		await control('POST', '/__sandbox/clock', { advanceMs: 91 * 60_000 });
		const late = err(await upload(id, [row('3')], { session_id: 2, batch_seq: 2, last_batch_flag: true }, { op: 'replace' }));
		expect([late.code, late.error_subcode]).toEqual([2650, 1870158]);
		expect((await members(id)).rows.map((r: string[]) => r[0])).toEqual(['1']);
		expect((await call('GET', id, { qs: { fields: 'operation_status' } })).body.operation_status.code).toBe(415);
		// And the audience takes writes again.
		expect((await upload(id, [row('4')], { session_id: 3, batch_seq: 1, last_batch_flag: true })).status).toBe(200);
	});
});

describe('sizes', () => {
	test('matched share, bounds as a range, delivery 200 from 1,000 matched', async () => {
		const rows = Array.from({ length: 3000 }, (_, i) => row(String(i)));
		const { audiences } = await control('POST', '/__sandbox/seed', { audiences: [{ adAccountId: ACT, name: 'big', schema: SCHEMA, rows }] });
		const m = await members(audiences[0]);
		expect(m.rows).toHaveLength(3000);
		expect(m.matched).toBeGreaterThan(1900);
		expect(m.matched).toBeLessThan(2300);
		const a = (await call('GET', audiences[0], { qs: { fields: 'approximate_count_lower_bound,approximate_count_upper_bound,delivery_status,operation_status' } })).body;
		expect(a.approximate_count_lower_bound).toBeLessThanOrEqual(m.matched);
		expect(a.approximate_count_upper_bound).toBeGreaterThanOrEqual(m.matched);
		expect(a.approximate_count_lower_bound % 100).toBe(0);
		expect(a.delivery_status.code).toBe(200);
		expect(a.operation_status.code).toBe(200);
		await control('POST', '/__sandbox/config', { matchRate: 0.2 });
		const small = (await call('GET', audiences[0], { qs: { fields: 'delivery_status' } })).body;
		expect(small.delivery_status.code).toBe(300);
	});
});

describe('rate limits and faults', () => {
	test('the ad account budget runs out: 80003/2446079 with the regain time in minutes; back after an hour', async () => {
		await control('POST', '/__sandbox/seed', { adAccounts: [{ id: ACT, audienceCallBudget: 3 }] });
		const id = await newAudience();
		await call('GET', id);
		const third = await call('GET', id);
		expect(JSON.parse(third.headers.get('x-business-use-case-usage')!)['100000000000001'][0].call_count).toBe(100);
		const res = await call('GET', id);
		expect([err(res).code, err(res).error_subcode]).toEqual([80003, 2446079]);
		const usage = JSON.parse(res.headers.get('x-business-use-case-usage')!);
		expect(usage['100000000000001'][0]).toMatchObject({ type: 'custom_audience', estimated_time_to_regain_access: 60 });
		await control('POST', '/__sandbox/clock', { advanceMs: 3600_001 });
		expect((await call('GET', id)).status).toBe(200);
	});

	test('faults: html 5xx, given errors for N calls, path regex, delay; cleared with DELETE', async () => {
		await control('POST', '/__sandbox/faults', { match: { path: '/me/adaccounts' }, count: 2, html5xx: 502 });
		for (let i = 0; i < 2; i++) {
			const res = await call('GET', 'me/adaccounts');
			expect(res.status).toBe(502);
			expect(res.headers.get('content-type')).toMatch(/text\/html/);
			expect(res.body).toMatch(/<html>/);
		}
		expect((await call('GET', 'me/adaccounts')).status).toBe(200);
		await control('POST', '/__sandbox/faults', { match: { method: 'GET', pathRegex: '^/v\\d+\\.0/act_\\d+$' }, error: { code: 17, error_subcode: 2446079, message: 'User request limit reached', regainMinutes: 3, is_transient: true } });
		const limited = await call('GET', ACT);
		expect(err(limited)).toMatchObject({ code: 17, error_subcode: 2446079, is_transient: true });
		expect(JSON.parse(limited.headers.get('x-business-use-case-usage')!)['100000000000001'][0].estimated_time_to_regain_access).toBe(3);
		await control('POST', '/__sandbox/faults', { match: { path: 'act_' }, count: 5, error: { code: 1, message: 'An unknown error occurred', status: 500 } });
		expect((await call('GET', ACT)).status).toBe(500);
		await control('DELETE', '/__sandbox/faults');
		expect((await call('GET', ACT)).status).toBe(200);
		await control('POST', '/__sandbox/faults', { match: { path: 'act_' }, delayMs: 5 });
		expect((await call('GET', ACT)).status).toBe(200);
	});

	test('faults for the clients\' contract checks: a raw answer, no usage headers, endless paging; strict about their form', async () => {
		const id = await newAudience();
		await control('POST', '/__sandbox/faults', { match: { path: '/users' }, answer: { status: 200, body: {} } });
		const empty = await upload(id, [row('1')], { session_id: 5, batch_seq: 1, last_batch_flag: true });
		expect([empty.status, empty.body]).toEqual([200, {}]);
		// The raw answer stood in for Graph: nothing was received.
		expect((await control('GET', `/__sandbox/audiences/${id}/members`)).count).toBe(0);
		await control('POST', '/__sandbox/faults', { match: { path: '/users' }, answer: { status: 200, body: [] } });
		expect((await upload(id, [row('1')], { session_id: 6, batch_seq: 1, last_batch_flag: true })).body).toEqual([]);

		await control('POST', '/__sandbox/faults', { match: { path: '/users' }, noUsageHeaders: true, error: { code: 80003, error_subcode: 2446079, message: 'limit' } });
		const bare = await upload(id, [row('1')], { session_id: 7, batch_seq: 1, last_batch_flag: true });
		expect(err(bare).code).toBe(80003);
		for (const h of ['x-business-use-case-usage', 'x-ad-account-usage', 'x-app-usage']) expect(bare.headers.get(h)).toBeNull();
		// Without the option the headers are there (backwards compatible).
		expect((await call('GET', id)).headers.get('x-app-usage')).not.toBeNull();

		await expect(control('POST', '/__sandbox/faults', { match: {} })).rejects.toThrow(/needs error, html5xx, answer or delayMs/);
		await expect(control('POST', '/__sandbox/faults', { answer: { status: 'x' } })).rejects.toThrow(/fault answer/);

		await control('POST', '/__sandbox/config', { endlessPaging: true });
		let after: string | undefined;
		const cursors = new Set<string>();
		for (let i = 0; i < 5; i++) {
			const page = await call('GET', `${ACT}/customaudiences`, { qs: after ? { after } : {} });
			expect(page.body.paging.next).toEqual(expect.any(String));
			after = page.body.paging.cursors.after;
			cursors.add(after!);
		}
		expect(cursors.size).toBe(5);
	});

	test('request log: operation, rows, status, no token; clear', async () => {
		const id = await newAudience();
		await upload(id, [row('1'), row('2')], { session_id: 1, batch_seq: 1, last_batch_flag: true });
		await call('GET', 'me/adaccounts', { token: null, qs: { access_token: TOKEN } });
		const { requests } = await control('GET', '/__sandbox/requests');
		expect(requests.map((r: any) => r.operation)).toEqual(['create_audience', 'add', 'list_ad_accounts']);
		expect(requests[1]).toMatchObject({ method: 'POST', status: 200, audienceId: id, adAccountId: ACT, rows: 2 });
		// How long each call took in the sandbox (the benchmarks' upload time): a number, never a speed check.
		expect(requests[1].durationMs).toEqual(expect.any(Number));
		expect(JSON.stringify(requests)).not.toContain(TOKEN);
		await control('POST', '/__sandbox/requests/clear');
		expect((await control('GET', '/__sandbox/requests')).requests).toEqual([]);
	});
});
