// Issue 10, "answers that are not what the contract says", at the clients: every Actito and
// Meta answer is checked against its documented shape before anything is decided on it, every
// paging loop is bounded, throttling without usage headers waits up to the caller's maximum,
// and no identifier reaches an error text. Against the sandboxes with their fault injections;
// every wait goes through an injected sleep (no real waiting, nothing depends on speed).
import { createHash } from 'node:crypto';
import { ActitoApi } from '../../core/actito/actitoApi';
import { ActitoApiError, ActitoClient } from '../../core/actito/actitoClient';
import { CoreError } from '../../core/errors';
import { MetaClient, RowsRefusedError } from '../../core/meta/metaClient';
import { MetaApiError } from '../../core/meta/metaErrors';
import { RetryBudgetExceededError } from '../../core/retry';
import { controlCall, createNodeTransport } from '../support/nodeTransport';

// eslint-disable-next-line @typescript-eslint/no-var-requires
const { startActitoSandbox } = require('../../sandbox/actito');
// eslint-disable-next-line @typescript-eslint/no-var-requires
const { startMetaSandbox } = require('../../sandbox/meta');

const sha = (text: string) => createHash('sha256').update(text).digest('hex');
const LIST = '/profiles/v5/entities/acme/profile-tables/16/profiles';

function fakeClock(start = Date.UTC(2026, 10, 28, 10, 0, 0)) {
	let t = start;
	const waits: number[] = [];
	return {
		now: () => t,
		waits,
		sleep: async (ms: number) => {
			waits.push(ms);
			t += ms;
		},
	};
}

async function caught<T = any>(promise: Promise<unknown>): Promise<T> {
	try {
		await promise;
	} catch (error) {
		return error as T;
	}
	throw new Error('expected a rejection');
}

describe('Actito answers that do not fit the contract', () => {
	let sandbox: { url: string; close(): Promise<void> };
	const control = (method: 'GET' | 'POST', path: string, body?: unknown) => controlCall(sandbox.url, method, `/__sandbox/${path}`, body);
	let clock = fakeClock();
	const api = (maxTotalWaitMs = 15 * 60_000) =>
		new ActitoApi(
			new ActitoClient({
				credentials: { apiKey: 'sandbox-actito-key', baseUrl: sandbox.url, entity: 'acme' },
				transport: createNodeTransport(),
				sleep: clock.sleep,
				now: clock.now,
				callsPerMinute: 100_000,
				retry: { random: () => 0.5, maxTotalWaitMs },
			}),
		);
	async function drain(a: ActitoApi, options: Record<string, unknown> = {}): Promise<{ pages: number; profiles: number; error?: any }> {
		let pages = 0;
		let profiles = 0;
		try {
			for await (const page of a.iterateProfilePages('16', { segmentation: 'Audiences:VIP', pageSize: 10, ...options })) {
				pages++;
				profiles += page.length;
			}
			return { pages, profiles };
		} catch (error) {
			return { pages, profiles, error };
		}
	}
	const listCalls = async () => (await control('GET', 'requests')).requests.filter((r: any) => r.path === LIST).length;

	beforeAll(async () => {
		sandbox = await startActitoSandbox({});
	});
	afterAll(() => sandbox.close());
	beforeEach(async () => {
		await control('POST', 'reset');
		await control('POST', 'seed', { profiles: 60, seed: 7, segmentations: [{ category: 'Audiences', name: 'VIP', members: 40 }] });
		await control('POST', 'requests/clear');
		clock = fakeClock();
	});

	it('reads the seeded audience whole when nothing is wrong (control)', async () => {
		const run = await drain(api());
		expect(run.error).toBeUndefined();
		expect(run.profiles).toBe(40);
	});

	it.each([
		['200 with an HTML page', '<!DOCTYPE html><html><body><h1>Maintenance</h1></body></html>', /an HTML page/],
		['200 with {}', {}, /an empty JSON object/],
		['200 with a renamed list', { items: [], nextToken: null }, /keys "items", "nextToken"/],
		['200 with profiles that is not a list', { profiles: { count: 0 } }, /instead of \{profiles/],
		['200 with a profile without profileId', { profiles: [{ attributes: [] }] }, /a profile without profileId/],
		['200 with an empty JSON list', [], /an empty JSON list/],
	])('a listing page answered %s is an error naming the call, never "no profiles, no next page"', async (_label, body, problem) => {
		await control('POST', 'faults', { match: { path: LIST }, count: 1, status: 200, body });
		const run = await drain(api());
		expect(run.pages).toBe(0);
		expect(run.error).toBeInstanceOf(ActitoApiError);
		expect(run.error).toBeInstanceOf(CoreError);
		expect(run.error.kind).toBe('contract');
		expect(run.error.message).toContain(`GET ${LIST}`);
		expect(run.error.message).toMatch(problem);
		expect(run.error.hint).toMatch(/base URL/);
	});

	it('a bad page in the middle stops the listing there (the pages before it were whole)', async () => {
		// Page 1 comes through; page 2 (which carries pageToken) is HTML.
		await control('POST', 'faults', { match: { path: LIST }, count: 0 });
		const a = api();
		const pages: number[] = [];
		const iterator = a.iterateProfilePages('16', { segmentation: 'Audiences:VIP', pageSize: 10 });
		const first = await iterator.next();
		pages.push((first.value as unknown[]).length);
		await control('POST', 'faults', { match: { path: LIST }, count: 1, status: 200, body: '<html>proxy</html>' });
		const error = await caught(iterator.next());
		expect(pages).toEqual([10]);
		expect(error.kind).toBe('contract');
	});

	it.each([
		['same-page', /the same page came twice/],
		['repeat-token', /the same page token came twice/],
		['empty-next', /an empty page with a next page token/],
		['new-token', /an empty page with a next page token/],
	])('paging that never ends (%s) stops with an error after a few pages', async (fault, problem) => {
		await control('POST', 'config', { pagingFault: fault });
		const run = await drain(api());
		expect(run.error).toBeInstanceOf(ActitoApiError);
		expect(run.error.kind).toBe('paging');
		expect(run.error.message).toMatch(problem);
		// 40 members at 10 a page: the loop is caught within a few pages of the real end.
		expect(await listCalls()).toBeLessThanOrEqual(6);
	});

	it('a page count far beyond the reported total stops the listing', async () => {
		// An answer that reports 2 profiles but hands out fresh tokens and fresh profiles for ever.
		let n = 0;
		const scripted = new ActitoApi(
			new ActitoClient({
				credentials: { apiKey: 'k', baseUrl: 'https://api.actito.test', entity: 'acme' },
				transport: async (req) => {
					if (req.url.endsWith('/auth/token')) return { status: 200, headers: {}, body: { accessToken: 't', expiresIn: '900s' } };
					n++;
					return { status: 200, headers: {}, body: { profiles: [{ profileId: String(n) }], nextPageToken: `t${n}`, totalElements: 2 } };
				},
				sleep: clock.sleep,
				now: clock.now,
			}),
		);
		const run = await drain(scripted, { pageSize: 1 });
		expect(run.error.kind).toBe('paging');
		expect(run.error.message).toMatch(/more pages than the listing can have \(6\)/);
		expect(n).toBe(6);
	});

	it('throttling without Retry-After is retried up to Maximum Wait, not 6 attempts', async () => {
		await control('POST', 'faults', { match: { path: LIST }, count: 12, status: 429 });
		const run = await drain(api());
		expect(run.error).toBeUndefined();
		expect(run.profiles).toBe(40);
		expect(clock.waits.length).toBeGreaterThanOrEqual(12);
		expect(clock.waits.reduce((a, b) => a + b, 0)).toBeLessThanOrEqual(15 * 60_000);
	});

	it('throttling without end stops once Maximum Wait is spent, and says so', async () => {
		await control('POST', 'faults', { match: { path: LIST }, count: 10_000, status: 429 });
		const run = await drain(api(5 * 60_000));
		expect(run.error).toBeInstanceOf(RetryBudgetExceededError);
		expect(run.error.kind).toBe('rate_limit');
		const waited = clock.waits.reduce((a, b) => a + b, 0);
		expect(waited).toBe(5 * 60_000);
		expect(run.error.hint).toMatch(/Maximum Wait/);
	});

	it('Get Profile by e-mail never puts the e-mail in an error (503, 400, 404 entity, network)', async () => {
		const email = 'jane.doe@example.com';
		const key = { attribute: 'emailAddress', value: email };
		const texts: string[] = [];
		const collect = (e: any) => texts.push(String(e.message), String(e.hint), String(e.path), String(e.serviceMessage), JSON.stringify(e));
		await control('POST', 'faults', { match: { path: `${LIST}/*` }, count: 1, status: 400, body: { message: `Bad key emailAddress=${email} (${encodeURIComponent(email)})` } });
		collect(await caught(api().getProfile('16', key)));
		await control('POST', 'faults', { match: { path: `${LIST}/*` }, count: 100, status: 503, body: `<html>${email}</html>` });
		collect(await caught(api(10_000).getProfile('16', key)));
		await control('POST', 'faults/clear');
		const wrongEntity = new ActitoApi(
			new ActitoClient({ credentials: { apiKey: 'sandbox-actito-key', baseUrl: sandbox.url, entity: 'acne' }, transport: createNodeTransport(), sleep: clock.sleep, now: clock.now }),
		);
		collect(await caught(wrongEntity.getProfile('16', key)));
		const unreachable = new ActitoApi(
			new ActitoClient({
				credentials: { apiKey: 'k', baseUrl: 'http://127.0.0.1:9', entity: 'acme' },
				transport: async (req) => {
					throw new Error(`connect ECONNREFUSED for ${req.url}`);
				},
				sleep: clock.sleep,
				now: clock.now,
				retry: { maxAttempts: 1 },
			}),
		);
		collect(await caught(unreachable.getProfile('16', { attribute: 'gsmNumber', value: '+32 470 12 34 56' })));
		expect(texts.length).toBe(20);
		for (const text of texts) {
			expect(text).not.toMatch(/jane|%40|@example/i);
			expect(text).not.toMatch(/470 ?12/);
		}
		expect(texts[0]).toMatch(/emailAddress=<redacted>/);
	});
});

describe('Meta answers that do not fit the contract', () => {
	let sandbox: { url: string; close(): Promise<void> };
	const control = (method: 'GET' | 'POST' | 'DELETE', path: string, body?: unknown) => controlCall(sandbox.url, method, path, body);
	const ACT = 'act_100000000000001';
	const SCHEMA = ['EXTERN_ID', 'EMAIL', 'PHONE'];
	const row = (id: string) => [id, sha(`${id}@example.com`), ''];
	let waits: number[] = [];
	const client = (maxTotalWaitMs = 15 * 60_000) =>
		new MetaClient({
			credentials: { accessToken: 'sandbox-meta-token', apiVersion: 'v26.0', baseUrl: sandbox.url },
			transport: createNodeTransport(),
			sleep: async (ms) => {
				waits.push(ms);
				await control('POST', '/__sandbox/clock', { advanceMs: ms });
			},
			retry: { random: () => 0.5, maxTotalWaitMs },
		});
	const uploads = async () => (await control('GET', '/__sandbox/requests')).requests.filter((r: any) => /\/users/.test(r.path)).length;

	beforeAll(async () => {
		const frozen = Date.now();
		sandbox = await startMetaSandbox({ port: 0, now: () => frozen });
	});
	afterAll(() => sandbox.close());
	beforeEach(async () => {
		await control('POST', '/__sandbox/reset');
		waits = [];
	});

	async function audience(c: MetaClient): Promise<string> {
		return (await c.createAudience(ACT, { name: 'VIP', customerFileSource: 'USER_PROVIDED_ONLY' })).id;
	}

	it.each([
		['{}', {}, /without num_received/],
		['{"success":false}', { success: false }, /without num_received/],
		['[]', [], /an empty JSON list/],
		['a count without the session', { num_received: 2 }, /without session_id/],
		['another session', { num_received: 2, session_id: '1' }, /another upload session/],
		['a count that is not a number', { num_received: 'lots', session_id: 'x' }, /without num_received/],
	])('an upload answered 200 with %s is not a commit', async (_label, body, problem) => {
		const c = client();
		const id = await audience(c);
		await control('POST', '/__sandbox/faults', { match: { path: '/users' }, answer: { status: 200, body } });
		const error = await caught<MetaApiError>(
			c.upload({ audienceId: id, operation: 'add', schema: SCHEMA, rows: [row('1'), row('2')], session: { sessionId: 42, batchSeq: 1, lastBatchFlag: true } }),
		);
		expect(error).toBeInstanceOf(MetaApiError);
		expect(error.kind).toBe('contract');
		expect(error.retryable).toBe(false);
		expect(error.message).toMatch(/POST \/<audience>\/users/);
		expect(error.message).toMatch(problem);
	});

	it('an upload with the documented answer is a commit (control)', async () => {
		const c = client();
		const id = await audience(c);
		const result = await c.upload({ audienceId: id, operation: 'add', schema: SCHEMA, rows: [row('1')], session: { sessionId: 43, batchSeq: 1, lastBatchFlag: true } });
		expect(result).toMatchObject({ numReceived: 1, sessionId: '43' });
	});

	it('List Audiences that never ends stops with an error, in a bounded number of calls', async () => {
		const c = client();
		await audience(c);
		await control('POST', '/__sandbox/config', { endlessPaging: true });
		const error = await caught<MetaApiError>(c.listAllCustomerListAudiences(ACT, { limit: 100 }));
		expect(error.kind).toBe('paging');
		expect(c.stats.requests).toBeLessThanOrEqual(210);
	});

	it('List Audiences with empty pages and a next link without end stops after a bounded run of them', async () => {
		const c = client();
		await control('POST', '/__sandbox/config', { endlessPaging: true });
		const error = await caught<MetaApiError>(c.listAllCustomerListAudiences(ACT, { limit: 100 }));
		expect(error.kind).toBe('paging');
		expect(error.message).toMatch(/empty pages in a row/);
		expect(c.stats.requests).toBe(25);
	});

	it.each([
		['an HTML page', '<html>login</html>'],
		['{}', {}],
		['a renamed list', { audiences: [] }],
	])('a List Audiences page answered 200 with %s is an error, not an empty list', async (_label, body) => {
		const c = client();
		await control('POST', '/__sandbox/faults', { match: { path: '/customaudiences', method: 'GET' }, count: 10, answer: { status: 200, body } });
		const error = await caught<MetaApiError>(c.listAllCustomerListAudiences(ACT));
		expect(['contract', 'transient']).toContain(error.kind);
		if (typeof body !== 'string') expect(error.kind).toBe('contract');
	});

	it('throttling without usage headers is retried up to Maximum Wait (not 6 attempts ≈ 30 s)', async () => {
		const c = client();
		const id = await audience(c);
		await control('POST', '/__sandbox/faults', {
			match: { path: '/users' },
			count: 10,
			noUsageHeaders: true,
			error: { code: 80003, error_subcode: 2446079, message: 'too many calls', is_transient: true },
		});
		const result = await c.upload({ audienceId: id, operation: 'add', schema: SCHEMA, rows: [row('1')], session: { sessionId: 44, batchSeq: 1, lastBatchFlag: true } });
		expect(result.numReceived).toBe(1);
		expect(waits.length).toBe(10);
		expect(waits.reduce((a, b) => a + b, 0)).toBeGreaterThan(30_000);
		expect(waits.reduce((a, b) => a + b, 0)).toBeLessThanOrEqual(15 * 60_000);
	});

	it('throttling without usage headers and without end stops when Maximum Wait is spent', async () => {
		const c = client(10 * 60_000);
		const id = await audience(c);
		await control('POST', '/__sandbox/faults', {
			match: { path: '/users' },
			count: 1000,
			noUsageHeaders: true,
			error: { code: 80003, error_subcode: 2446079, message: 'too many calls' },
		});
		const error = await caught<RetryBudgetExceededError>(
			c.upload({ audienceId: id, operation: 'add', schema: SCHEMA, rows: [row('1')], session: { sessionId: 45, batchSeq: 1, lastBatchFlag: true } }),
		);
		expect(error).toBeInstanceOf(RetryBudgetExceededError);
		expect(waits.reduce((a, b) => a + b, 0)).toBe(10 * 60_000);
	});

	it('terms not accepted without usage headers names the real acceptance URL', async () => {
		const c = client();
		const id = await audience(c);
		await control('POST', '/__sandbox/faults', {
			match: { path: '/users' },
			noUsageHeaders: true,
			error: { code: 200, error_subcode: 1870090, message: 'terms' },
		});
		const error = await caught<MetaApiError>(
			c.upload({ audienceId: id, operation: 'add', schema: SCHEMA, rows: [row('1')], session: { sessionId: 46, batchSeq: 1, lastBatchFlag: true } }),
		);
		expect(error.kind).toBe('terms');
		expect(error.hint).toBe('Accept the Custom Audience terms at https://business.facebook.com/ads/manage/customaudiences/tos/?act=100000000000001');
	});

	describe('the wire gate: no plain identifier leaves for Meta', () => {
		it.each([
			['a plain e-mail in EMAIL', ['1', 'jane@example.com', ''], 'EMAIL', /not a SHA-256 hash/],
			['a plain phone in PHONE', ['1', '', '+32470123456'], 'PHONE', /not a SHA-256 hash/],
			['upper-case hex in EMAIL', ['1', sha('a@b.co').toUpperCase(), ''], 'EMAIL', /not a SHA-256 hash/],
			['a 63-hex value', ['1', sha('a@b.co').slice(1), ''], 'EMAIL', /not a SHA-256 hash/],
			['an EXTERN_ID that is an e-mail', ['jane@example.com', sha('a@b.co'), ''], 'EXTERN_ID', /e-mail/],
			['an EXTERN_ID that is a phone', ['+32 470 12 34 56', sha('a@b.co'), ''], 'EXTERN_ID', /phone/],
			['an EXTERN_ID that is a national phone', ['0470123456', sha('a@b.co'), ''], 'EXTERN_ID', /phone/],
			['a number instead of text', ['1', 12345 as unknown as string, ''], 'EMAIL', /not a text value/],
		])('%s: the batch is refused by reason and nothing is sent', async (_label, bad, key, reason) => {
			const c = client();
			const id = await audience(c);
			const before = await uploads();
			const error = await caught<RowsRefusedError>(
				c.upload({ audienceId: id, operation: 'add', schema: SCHEMA, rows: [row('7'), bad as string[]], session: { sessionId: 47, batchSeq: 1, lastBatchFlag: true } }),
			);
			expect(error).toBeInstanceOf(RowsRefusedError);
			expect(error.refused).toEqual([{ index: 1, key, reason: expect.stringMatching(reason) }]);
			expect(error.message).not.toMatch(/jane|470|@example/);
			expect(await uploads()).toBe(before);
		});

		it("with invalidRows 'skip' only the refused rows stay back, and are listed", async () => {
			const c = client();
			const id = await audience(c);
			const result = await c.upload({
				audienceId: id,
				operation: 'add',
				schema: SCHEMA,
				rows: [row('7'), ['8', 'plain@example.com', ''], row('9')],
				session: { sessionId: 48, batchSeq: 1, lastBatchFlag: true },
				invalidRows: 'skip',
			});
			expect(result.refused).toEqual([{ index: 1, key: 'EMAIL', reason: expect.any(String) }]);
			const members = (await control('GET', `/__sandbox/audiences/${id}/members`)).rows.map((r: string[]) => r[0]).sort();
			expect(members).toEqual(['7', '9']);
		});
	});
});
