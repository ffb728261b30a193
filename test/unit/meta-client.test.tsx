// MetaClient against the real sandbox over node:http. Waiting goes through a fake sleep that
// records the waits and moves the sandbox clock, so nothing here depends on machine speed.
import { createHash } from 'node:crypto';
import { MetaClient, normalizeAdAccountId, readUsage } from '../../core/meta/metaClient';
import { MetaApiError, classifyMetaError } from '../../core/meta/metaErrors';
import { RetryBudgetExceededError } from '../../core/retry';
import { controlCall, createNodeTransport } from '../support/nodeTransport';

// eslint-disable-next-line @typescript-eslint/no-var-requires
const { startMetaSandbox } = require('../../sandbox/meta');

const TOKEN = 'sandbox-meta-token';
const ACT = 'act_100000000000001';
const SCHEMA = ['EXTERN_ID', 'EMAIL', 'PHONE'];
const sha = (text: string) => createHash('sha256').update(text).digest('hex');

let sandbox: { url: string; close: () => Promise<void> };
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

const control = (method: 'GET' | 'POST' | 'DELETE', path: string, body?: unknown) => controlCall(sandbox.url, method, path, body);

interface Setup {
	client: MetaClient;
	waits: number[];
	wire: Array<{ method: string; fullUrl: string; bodyText?: string; headers?: Record<string, string> }>;
}

function makeClient(overrides: { accessToken?: string; appSecret?: string; apiVersion?: string; maxTotalWaitMs?: number; now?: () => number } = {}): Setup {
	const waits: number[] = [];
	const wire: Setup['wire'] = [];
	const client = new MetaClient({
		credentials: {
			accessToken: overrides.accessToken ?? TOKEN,
			appSecret: overrides.appSecret,
			apiVersion: overrides.apiVersion ?? 'v26.0',
			baseUrl: sandbox.url + '/',
		},
		transport: createNodeTransport({ onRequest: (r) => wire.push(r) }),
		// The sandbox's clock moves by exactly what we "waited".
		sleep: async (ms) => {
			waits.push(ms);
			await control('POST', '/__sandbox/clock', { advanceMs: ms });
		},
		now: overrides.now,
		retry: { random: () => 0.5, maxTotalWaitMs: overrides.maxTotalWaitMs ?? 15 * 60_000 },
	});
	return { client, waits, wire };
}

async function caught(promise: Promise<unknown>): Promise<MetaApiError> {
	try {
		await promise;
	} catch (error) {
		return error as MetaApiError;
	}
	throw new Error('expected a rejection');
}

const row = (id: string) => [id, sha(`${id}@example.com`), ''];

test('normalizeAdAccountId accepts digits and act_ ids', () => {
	expect(normalizeAdAccountId('123')).toBe('act_123');
	expect(normalizeAdAccountId(' act_123 ')).toBe('act_123');
	expect(normalizeAdAccountId(123)).toBe('act_123');
	expect(() => normalizeAdAccountId('act_12x')).toThrow(MetaApiError);
});

test('classification follows the contract table, on code/subcode only', () => {
	const cases: Array<[number, number | undefined, number | undefined, string]> = [
		[400, 80003, 2446079, 'rate_limit'], [400, 17, 2446079, 'rate_limit'], [400, 4, undefined, 'rate_limit'],
		[400, 32, undefined, 'rate_limit'], [400, 613, undefined, 'rate_limit'], [400, 80004, undefined, 'rate_limit'],
		[500, 1, undefined, 'transient'], [400, 2, undefined, 'transient'], [400, 341, undefined, 'transient'], [400, 803, undefined, 'transient'],
		[502, undefined, undefined, 'transient'], [400, 190, 463, 'auth'], [400, 200, 1870090, 'terms'], [400, 200, 1870034, 'terms'],
		[400, 200, 1870047, 'too_small'], [400, 10, undefined, 'permission'], [400, 200, undefined, 'permission'], [400, 294, undefined, 'permission'],
		[400, 270, undefined, 'permission'], [400, 100, 33, 'permission'], [400, 100, 1713230, 'flagged'], [400, 2650, undefined, 'audience_update'],
		[400, 2650, 1870158, 'audience_update'], [400, 2650, 1870145, 'audience_update_retry'], [400, 2650, 1870148, 'audience_update_retry'],
		[400, 2635, undefined, 'version'], [400, 100, undefined, 'bad_request'], [400, 105, undefined, 'bad_request'], [400, 194, undefined, 'bad_request'],
		[400, 99999, undefined, 'unknown'],
	];
	for (const [status, code, subcode, kind] of cases) expect([code, subcode, classifyMetaError(status, code, subcode)]).toEqual([code, subcode, kind]);
	expect(classifyMetaError(400, 12345, undefined, true)).toBe('transient');
});

test('readUsage takes the highest percentage and the regain time', () => {
	const usage = readUsage({
		'x-business-use-case-usage': JSON.stringify({ '42': [{ type: 'custom_audience', call_count: 95, total_cputime: 3, total_time: 3, estimated_time_to_regain_access: 7 }] }),
		'x-ad-account-usage': '{"acc_id_util_pct":10,"reset_time_duration":0}',
		'x-app-usage': 'not json',
	});
	expect(usage).toEqual({ maxPct: 95, waitMs: 7 * 60_000, adAccountId: 'act_42' });
});

test('lists ad accounts and reads the terms', async () => {
	const { client } = makeClient();
	expect(await client.listAdAccounts()).toEqual({ adAccounts: [{ id: ACT, name: 'Sandbox Ads', account_id: '100000000000001' }], nextCursor: undefined });
	expect(await client.getTermsAccepted('100000000000001')).toBe(true);
	await control('POST', '/__sandbox/seed', { adAccounts: [{ id: ACT, tosAccepted: false }] });
	expect(await client.getTermsAccepted(ACT)).toBe(false);
});

test('paging: customer lists only, through short and empty pages until next is absent', async () => {
	await control('POST', '/__sandbox/seed', {
		audiences: [
			{ adAccountId: ACT, name: 'c1' }, { adAccountId: ACT, name: 'look', subtype: 'LOOKALIKE' },
			{ adAccountId: ACT, name: 'c2' }, { adAccountId: ACT, name: 'web', subtype: 'WEBSITE' }, { adAccountId: ACT, name: 'c3' },
		],
	});
	await control('POST', '/__sandbox/config', { emptyPagesBetween: 2, trailingEmptyPage: true, pageSizeCap: 1 });
	const { client } = makeClient();
	const first = await client.listCustomerListAudiencesPage('100000000000001', { limit: 10 });
	expect(first.audiences.map((a) => a.name)).toEqual(['c1']);
	const second = await client.listCustomerListAudiencesPage(ACT, { after: first.nextCursor });
	expect(second.audiences).toEqual([]);
	expect(second.nextCursor).toBeDefined();
	const all = await client.listAllCustomerListAudiences(ACT);
	expect(all.map((a) => a.name)).toEqual(['c1', 'c2', 'c3']);
	expect(all[0]).toMatchObject({ subtype: 'CUSTOM', delivery_status: { code: 300 }, operation_status: { code: 410 } });
});

test('create, update, read, upload add/remove/replace, sessions', async () => {
	const { client, wire } = makeClient();
	const { id } = await client.createAudience('100000000000001', { name: 'VIP', description: 'd', customerFileSource: 'USER_PROVIDED_ONLY' });
	expect(await client.updateAudience(id, { name: 'VIP 2' })).toEqual({ success: true });
	const sessionId = client.newSessionId();
	expect(Number.isSafeInteger(sessionId) && sessionId > 0).toBe(true);
	const a = await client.upload({ audienceId: id, operation: 'add', schema: SCHEMA, rows: [row('1'), row('2')], session: { sessionId, batchSeq: 1, lastBatchFlag: false } });
	const b = await client.upload({ audienceId: id, operation: 'add', schema: SCHEMA, rows: [row('3'), row('4')], session: { sessionId, batchSeq: 2, lastBatchFlag: true, estimatedNumTotal: 4 } });
	expect(a).toMatchObject({ numReceived: 2, numInvalidEntries: 0, sessionId: String(sessionId) });
	expect(b).toMatchObject({ numReceived: 4, numInvalidEntries: 0 });
	await client.upload({ audienceId: id, operation: 'remove', schema: SCHEMA, rows: [['1', '', '']], session: { sessionId: client.newSessionId(), batchSeq: 1, lastBatchFlag: true } });
	const remove = wire[wire.length - 1];
	expect(remove.method).toBe('DELETE');
	expect(remove.fullUrl).not.toContain('payload');
	expect(remove.bodyText).toContain('"payload"');
	expect(remove.headers?.authorization).toBe(`Bearer ${TOKEN}`);
	expect((await control('GET', `/__sandbox/audiences/${id}/members`)).rows.map((r: string[]) => r[0]).sort()).toEqual(['2', '3', '4']);
	const replaceId = client.newSessionId();
	await client.upload({ audienceId: id, operation: 'replace', schema: SCHEMA, rows: [row('9')], session: { sessionId: replaceId, batchSeq: 1, lastBatchFlag: true } });
	expect((await control('GET', `/__sandbox/audiences/${id}/members`)).rows.map((r: string[]) => r[0])).toEqual(['9']);
	const audience = await client.getAudience(id);
	expect(audience).toMatchObject({ id, name: 'VIP 2', description: 'd', customer_file_source: 'USER_PROVIDED_ONLY', operation_status: { code: 200 } });
	expect(await client.getSessions(id, replaceId)).toEqual([expect.objectContaining({ session_id: String(replaceId), stage: 'finished', num_received: 1 })]);
	expect(await client.getSessions(id)).toHaveLength(3);
	expect(client.stats).toMatchObject({ requests: 9, uploadCalls: 4, retries: 0, waitedMs: 0 });
	// Local checks stop a bad batch before the wire.
	await expect(client.upload({ audienceId: id, operation: 'add', schema: SCHEMA, rows: [['1']], session: { sessionId: 5, batchSeq: 1, lastBatchFlag: true } })).rejects.toMatchObject({ kind: 'bad_request', status: 0 });
});

test('80003 is retried after the regain time the header gives (fake clock)', async () => {
	await control('POST', '/__sandbox/seed', { adAccounts: [{ id: ACT, audienceCallBudget: 2 }] });
	const { client, waits } = makeClient({ maxTotalWaitMs: 2 * 3600_000 });
	const { id } = await client.createAudience(ACT, { name: 'x', customerFileSource: 'USER_PROVIDED_ONLY' });
	// 2nd call puts usage at 100%: the client slows down before going on.
	await client.getAudience(id);
	expect(waits).toEqual([11_000]);
	const audience = await client.getAudience(id);
	expect(audience.id).toBe(id);
	expect(waits.slice(1)).toEqual([60 * 60_000]);
	expect(client.stats.retries).toBe(1);
	expect(client.stats.waitedMs).toBe(11_000 + 3600_000);
});

test('a regain time past the maximum wait fails fast with RetryBudgetExceededError', async () => {
	await control('POST', '/__sandbox/seed', { adAccounts: [{ id: ACT, audienceCallBudget: 1 }] });
	const { client, waits } = makeClient({ maxTotalWaitMs: 10 * 60_000 });
	const { id } = await client.createAudience(ACT, { name: 'x', customerFileSource: 'USER_PROVIDED_ONLY' });
	const error = await caught(client.getAudience(id));
	expect(error).toBeInstanceOf(RetryBudgetExceededError);
	expect(((error as unknown as RetryBudgetExceededError).cause as MetaApiError).kind).toBe('rate_limit');
	expect(waits.filter((w) => w >= 60_000)).toEqual([]);
});

test('the client slows down when a usage header reaches 90%', async () => {
	await control('POST', '/__sandbox/seed', { adAccounts: [{ id: ACT, audienceCallBudget: 20 }] });
	const { client, waits } = makeClient();
	for (let i = 0; i < 17; i++) await client.listCustomerListAudiencesPage(ACT);
	expect(waits).toEqual([]);
	await client.listCustomerListAudiencesPage(ACT);
	expect(waits).toEqual([1000]);
});

test('5xx with an HTML body is retried with backoff, then succeeds', async () => {
	await control('POST', '/__sandbox/faults', { match: { path: '/me/adaccounts' }, count: 2, html5xx: 503 });
	const { client, waits } = makeClient();
	const page = await client.listAdAccounts();
	expect(page.adAccounts).toHaveLength(1);
	// Equal jitter with random()=0.5: 3/4 of 1 s, then of 2 s.
	expect(waits).toEqual([750, 1500]);
	expect(client.stats).toMatchObject({ requests: 3, retries: 2, waitedMs: 2250 });
});

test('a create is not repeated after an ambiguous failure', async () => {
	await control('POST', '/__sandbox/faults', { match: { method: 'POST', path: 'customaudiences' }, html5xx: 500 });
	const { client } = makeClient();
	const error = await caught(client.createAudience(ACT, { name: 'x', customerFileSource: 'USER_PROVIDED_ONLY' }));
	expect(error).toMatchObject({ kind: 'transient', retryable: true, status: 500 });
	expect(client.stats.requests).toBe(1);
});

test('replace in progress (1870145) is retried; schema mismatch (2650) is not', async () => {
	await control('POST', '/__sandbox/faults', { match: { path: '/users' }, count: 1, error: { code: 2650, error_subcode: 1870145, message: 'busy' } });
	const { client, waits } = makeClient();
	const { id } = await client.createAudience(ACT, { name: 'x', customerFileSource: 'USER_PROVIDED_ONLY' });
	const session = () => ({ sessionId: client.newSessionId(), batchSeq: 1, lastBatchFlag: true });
	await client.upload({ audienceId: id, operation: 'add', schema: SCHEMA, rows: [row('1')], session: session() });
	expect(waits).toEqual([750]);
	const error = await caught(client.upload({ audienceId: id, operation: 'add', schema: ['EMAIL'], rows: [[sha('a')]], session: session() }));
	expect(error).toMatchObject({ kind: 'audience_update', code: 2650, retryable: false });
	expect(error.hint).toMatch(/one schema/);
});

test('190, terms, 2635 and permission errors carry their kind and hint, and never the token', async () => {
	const errors: MetaApiError[] = [];
	const bad = makeClient({ accessToken: 'secret-wrong-token-123' });
	errors.push(await caught(bad.client.listAdAccounts()));
	expect(errors[0]).toMatchObject({ kind: 'auth', code: 190, retryable: false, status: 400 });
	expect(errors[0].hint).toMatch(/new system-user token/);
	expect(errors[0].fbtraceId).toMatch(/\w+/);

	await control('POST', '/__sandbox/seed', {
		adAccounts: [{ id: 'act_555', tosAccepted: false }, { id: 'act_666' }],
		audiences: [{ id: '5550001', adAccountId: 'act_555', name: 'no terms' }],
		tokens: [{ token: TOKEN, adAccounts: [ACT, 'act_555'] }],
	});
	const { client } = makeClient();
	const terms = await caught(client.upload({ audienceId: '5550001', operation: 'add', schema: SCHEMA, rows: [row('1')], session: { sessionId: 1, batchSeq: 1, lastBatchFlag: true } }));
	expect(terms).toMatchObject({ kind: 'terms', code: 200, subcode: 1870090 });
	expect(terms.hint).toBe('Accept the Custom Audience terms at https://business.facebook.com/ads/manage/customaudiences/tos/?act=555');
	errors.push(terms);

	const version = await caught(makeClient({ apiVersion: 'v24.0' }).client.listAdAccounts());
	expect(version).toMatchObject({ kind: 'version', code: 2635 });
	expect(version.hint).toMatch(/newer API version/);
	errors.push(version);

	const permission = await caught(client.listCustomerListAudiencesPage('act_666'));
	expect(permission).toMatchObject({ kind: 'permission', code: 200 });
	expect(permission.hint).toMatch(/ads_management permission on ad account act_666/);
	errors.push(permission);

	await control('POST', `/__sandbox/tokens/${TOKEN}/expire`);
	const expired = await caught(client.getAudience('5550001'));
	expect(expired).toMatchObject({ kind: 'auth', code: 190, subcode: 463 });
	errors.push(expired);

	for (const error of errors) {
		const text = `${error.message} ${error.hint} ${error.userMessage ?? ''} ${JSON.stringify(error)}`;
		expect(text).not.toContain(TOKEN);
		expect(text).not.toContain('secret-wrong-token-123');
		expect(text).not.toContain(row('1')[1]);
	}
});

test('app-secret proof: computed per request and accepted; wrong secret refused without leaking it', async () => {
	await control('POST', '/__sandbox/seed', {
		adAccounts: [{ id: 'act_777', name: 'Proofed', appSecret: 'the-app-secret' }],
		tokens: [{ token: 'proof-token', adAccounts: ['act_777'] }],
	});
	const good = makeClient({ accessToken: 'proof-token', appSecret: 'the-app-secret' });
	const { id } = await good.client.createAudience('act_777', { name: 'p', customerFileSource: 'USER_PROVIDED_ONLY' });
	await good.client.upload({ audienceId: id, operation: 'add', schema: SCHEMA, rows: [row('1')], session: { sessionId: 3, batchSeq: 1, lastBatchFlag: true } });
	expect((await good.client.listAdAccounts()).adAccounts.map((a) => a.id)).toEqual(['act_777']);
	expect(good.wire.every((r) => /appsecret_proof=[0-9a-f]{64}&appsecret_time=\d+/.test(r.fullUrl))).toBe(true);

	const wrong = makeClient({ accessToken: 'proof-token', appSecret: 'not-the-secret' });
	const error = await caught(wrong.client.getAudience(id));
	expect(error).toMatchObject({ kind: 'bad_request', code: 100 });
	expect(error.message).toMatch(/appsecret_proof/);
	expect(`${error.message}${error.hint}`).not.toMatch(/not-the-secret|proof-token/);

	// A clock 10 minutes behind makes proofs Meta sees as too old.
	const stale = makeClient({ accessToken: 'proof-token', appSecret: 'the-app-secret', now: () => Date.now() - 600_000 });
	expect((await caught(stale.client.getAudience(id))).message).toMatch(/too old/);
});
