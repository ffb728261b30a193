// The Actito client, adapter and profile flattening: against the sandbox where the wire matters,
// against scripted transports where timing and concurrency must be exact.
import { ActitoApiError, ActitoClient, parseExpiresIn, sharedMinuteWindow, type ActitoClientOptions } from '../../core/actito/actitoClient';
import { ActitoApi, WebhookConflictError } from '../../core/actito/actitoApi';
import { flattenProfile, isInSegmentation, parseConsent } from '../../core/actito/profile';
import type { HttpRequest, HttpResponse, Transport } from '../../core/http';
import { controlCall, createNodeTransport } from '../support/nodeTransport';

// eslint-disable-next-line @typescript-eslint/no-var-requires
const { startActitoSandbox } = require('../../sandbox/actito');

const KEY = 'sandbox-actito-key';

function fakeClock(start = Date.UTC(2026, 10, 28, 10, 0, 0)) {
	let t = start;
	const waits: number[] = [];
	return {
		now: () => t,
		advance: (ms: number) => (t += ms),
		waits,
		// The fake sleep moves the fake clock, so rolling windows and token lifetimes behave.
		sleep: async (ms: number) => {
			waits.push(ms);
			t += ms;
		},
	};
}

const json = (status: number, body: unknown, headers: Record<string, string> = {}): HttpResponse => ({ status, headers: { 'content-type': 'application/json', ...headers }, body });
const tokenAnswer = (n: number) => json(200, { accessToken: `tok-${n}-secret`, tokenType: 'bearer', expiresIn: '900s', scope: 'read write', jti: `j${n}` });

/** A scripted Actito: answers /auth/token with fresh tokens, everything else through `handler`. */
function scripted(handler: (req: HttpRequest, n: number) => HttpResponse | Promise<HttpResponse>) {
	const calls: HttpRequest[] = [];
	let tokens = 0;
	let n = 0;
	const transport: Transport = async (req) => {
		calls.push(req);
		if (req.url.endsWith('/auth/token')) return tokenAnswer(++tokens);
		return handler(req, ++n);
	};
	return { transport, calls };
}

function makeClient(transport: Transport, over: Partial<ActitoClientOptions> = {}, clock = fakeClock()) {
	return new ActitoClient({
		credentials: { apiKey: 'my-secret-key', baseUrl: 'https://api.actito.test/', entity: 'acme' },
		transport,
		sleep: clock.sleep,
		now: clock.now,
		retry: { random: () => 0.5 },
		...over,
	});
}

describe('ActitoClient against the sandbox', () => {
	let sandbox: { url: string; close(): Promise<void> };
	const clock = fakeClock();
	const control = (method: 'GET' | 'POST', path: string, body?: unknown) => controlCall(sandbox.url, method, `/__sandbox/${path}`, body);
	const client = (over: Partial<ActitoClientOptions> = {}) =>
		new ActitoClient({
			credentials: { apiKey: KEY, baseUrl: sandbox.url, entity: 'acme' },
			transport: createNodeTransport(),
			sleep: clock.sleep,
			now: clock.now,
			retry: { random: () => 0.5 },
			...over,
		});

	beforeAll(async () => {
		sandbox = await startActitoSandbox({});
	});
	afterAll(() => sandbox.close());
	beforeEach(async () => {
		await control('POST', 'reset');
		clock.waits.length = 0;
	});

	it('caches the token and renews it once its lifetime has passed', async () => {
		const c = client();
		await c.request('GET', '/entities/v5/entities');
		await c.request('GET', '/entities/v5/entities');
		expect(c.stats.tokenFetches).toBe(1);
		clock.advance(14 * 60_000 + 30_000); // inside the renewal margin of a 900 s token
		await c.request('GET', '/entities/v5/entities');
		expect(c.stats.tokenFetches).toBe(2);
		expect(c.stats.requests).toBe(5);
	});

	it('renews the token once on a 401 and repeats the call', async () => {
		const c = client();
		await c.request('GET', '/entities/v5/entities');
		await control('POST', 'faults', { match: { path: '/entities/v5/entities' }, count: 1, expireTokens: true });
		const body = await c.request<{ entities: unknown[] }>('GET', '/entities/v5/entities');
		expect(body.entities).toEqual([{ name: 'acme' }]);
		expect(c.stats.tokenFetches).toBe(2);
		const log = (await control('GET', 'requests')).requests.map((r: any) => `${r.path} ${r.status}`);
		expect(log).toEqual(['/auth/token 200', '/entities/v5/entities 200', '/entities/v5/entities 401', '/auth/token 200', '/entities/v5/entities 200']);
	});

	it('says to check the API key when the key is wrong, without quoting it', async () => {
		const c = new ActitoClient({ credentials: { apiKey: 'wrong-key-123', baseUrl: sandbox.url, entity: 'acme' }, transport: createNodeTransport(), sleep: clock.sleep, now: clock.now });
		const error: any = await c.request('GET', '/entities/v5/entities').catch((e: any) => e);
		expect(error).toBeInstanceOf(ActitoApiError);
		expect(error.status).toBe(401);
		expect(error.message).toContain('check the API key in the Actito API credential');
		expect(error.message).not.toContain('wrong-key-123');
	});

	it('lists the existing entities when the entity is wrong', async () => {
		const c = new ActitoClient({ credentials: { apiKey: KEY, baseUrl: sandbox.url, entity: 'acne' }, transport: createNodeTransport(), sleep: clock.sleep, now: clock.now });
		const error: any = await new ActitoApi(c).listProfileTables().catch((e: any) => e);
		expect(error.status).toBe(404);
		expect(error.message).toMatch(/entity "acne" does not exist/);
		expect(error.message).toContain('Entities available: acme');
	});

	it('backs off on 429 and on 5xx with an HTML body, through the injected sleep', async () => {
		const c = client();
		await control('POST', 'faults', [
			{ match: { path: '/entities/v5/entities' }, count: 2, status: 429 },
			{ match: { path: '/entities/v5/entities' }, count: 1, status: 503, body: '<html><body><h1>503 Service Unavailable</h1></body></html>' },
		]);
		const body = await c.request<{ entities: unknown[] }>('GET', '/entities/v5/entities');
		expect(body.entities).toHaveLength(1);
		expect(c.stats.retries).toBe(3);
		// Equal jitter with random 0.5: 3/4 of 1 s, 2 s, 4 s.
		expect(clock.waits).toEqual([750, 1500, 3000]);
	});

	it('gives up with a clear error when the service keeps failing', async () => {
		const c = client({ retry: { maxAttempts: 3, random: () => 0.5 } });
		await control('POST', 'faults', { match: { path: '/entities/v5/entities' }, count: 5, status: 502, body: '<html>Bad Gateway</html>' });
		const error: any = await c.request('GET', '/entities/v5/entities').catch((e: any) => e);
		expect(error).toBeInstanceOf(ActitoApiError);
		expect(error.status).toBe(502);
		expect(error.message).toMatch(/HTTP 502 on GET \/entities\/v5\/entities/);
		expect(clock.waits).toHaveLength(2);
	});

	it('pages through profiles to the last page, with filters', async () => {
		await control('POST', 'seed', { profiles: 1234, seed: 5, segmentations: [{ category: 'Audiences', name: 'VIP', members: 300 }] });
		const api = new ActitoApi(client());
		let pages = 0;
		const ids = new Set<string>();
		for await (const page of api.iterateProfilePages('16', { pageSize: 500 })) {
			pages++;
			for (const p of page) ids.add(String(p.profileId));
		}
		expect(pages).toBe(3);
		expect(ids.size).toBe(1234);
		const vip: string[] = [];
		for await (const page of api.iterateProfilePages('16', { segmentation: 'Audiences:VIP', pageSize: 100 })) {
			for (const p of page) {
				expect(isInSegmentation(p, 'Audiences:VIP')).toBe(true);
				vip.push(String(p.profileId));
			}
		}
		expect(vip).toHaveLength(300);
		const changed = await control('POST', 'profiles/1100', { country: 'Belgique' });
		const since: string[] = [];
		for await (const page of api.iterateProfilePages('16', { updatedSince: changed.updateMoment })) since.push(...page.map((p) => String(p.profileId)));
		expect(since).toEqual(['1100']);
	});

	it('reads tables and profiles; getProfile is null when absent', async () => {
		await control('POST', 'seed', { profiles: 10, seed: 9 });
		const api = new ActitoApi(client());
		expect(await api.listEntities()).toEqual(['acme']);
		const table = await api.getProfileTable('Customers');
		expect(table.id).toBe('16');
		expect(table.segmentations).toEqual([{ category: 'Audiences', name: 'VIP' }]);
		const missingTable = await api.getProfileTable('Prospects').catch((e: any) => e);
		expect(missingTable.status).toBe(404);
		expect(missingTable.message).toContain('Customers (16)');
		const one = await api.getProfile('16', '1003');
		expect(one?.profileId).toBe('1003');
		const created = await control('POST', 'profiles', { emailAddress: 'jane.doe@example.com' });
		expect((await api.getProfile('16', { attribute: 'emailAddress', value: 'jane.doe@example.com' }))?.profileId).toBe(created.profileId);
		expect(await api.getProfile('16', '424242')).toBeNull();
		await expect(api.getProfile('99', '1003')).rejects.toMatchObject({ status: 404 });
	});

	it('manages webhook subscriptions and names the one in the way on 409', async () => {
		const api = new ActitoApi(client());
		const input = { eventType: 'UPDATED_SEGMENT' as const, onElementId: '16', targetUrl: 'https://n8n.example.com/webhook/abc', headers: { 'X-Actito-Secret': 'shh' } };
		const { id } = await api.createWebhookSubscription(input);
		const error: any = await api.createWebhookSubscription({ ...input, targetUrl: 'https://other.example.com/hook' }).catch((e: any) => e);
		expect(error).toBeInstanceOf(WebhookConflictError);
		expect(error.status).toBe(409);
		expect(error.existing.id).toBe(id);
		expect(error.message).toContain(`subscription ${id}`);
		expect(error.message).toContain('https://n8n.example.com/webhook/abc');
		expect((await api.listWebhookSubscriptions({ tableId: '16', eventType: 'UPDATED_SEGMENT' })).map((s) => s.id)).toEqual([id]);
		await api.updateWebhookSubscription(id, { ...input, isActive: false });
		expect((await api.getWebhookSubscription(id))?.isActive).toBe(false);
		expect(await api.deleteWebhookSubscription(id)).toBe(true);
		expect(await api.deleteWebhookSubscription(id)).toBe(false);
		expect(await api.getWebhookSubscription(id)).toBeNull();
	});

	it('writes and searches custom-table records', async () => {
		const api = new ActitoApi(client());
		const { businessKey } = await api.createCustomRecord('negative_consent', { profileId: '1042', event: 'NEGATIVE_CONSENT', moment: '2026-11-28T10:15:00Z' });
		const found = await api.searchCustomRecords('negative_consent', { field: 'profileId', value: '1042', number: 5 });
		expect(found.map((r) => r.businessKey)).toEqual([businessKey]);
		expect(found[0].properties).toContainEqual({ name: 'event', value: 'NEGATIVE_CONSENT' });
		expect((await api.getCustomRecord('negative_consent', businessKey))?.businessKey).toBe(businessKey);
		await expect(api.createCustomRecord('nope', { a: 1 })).rejects.toMatchObject({ status: 404 });
	});
});

describe('ActitoClient with a scripted transport', () => {
	it('sends the raw key for the token and the bearer token for calls, to the right URL', async () => {
		const { transport, calls } = scripted(() => json(200, { ok: true }));
		const c = makeClient(transport);
		await c.request('GET', '/entities/v5/entities', { qs: { a: 1 } });
		expect(calls[0]).toMatchObject({ method: 'GET', url: 'https://api.actito.test/auth/token', headers: { authorization: 'my-secret-key' } });
		expect(calls[1]).toMatchObject({ url: 'https://api.actito.test/entities/v5/entities', qs: { a: 1 }, headers: { authorization: 'Bearer tok-1-secret' } });
	});

	it('fails clearly after a second 401, without leaking key or token', async () => {
		const { transport } = scripted((req) => json(401, { message: `token ${req.headers?.authorization} refused for key my-secret-key` }));
		const c = makeClient(transport);
		const error: any = await c.request('GET', '/entities/v5/entities').catch((e: any) => e);
		expect(error).toBeInstanceOf(ActitoApiError);
		expect(error.status).toBe(401);
		expect(error.message).toMatch(/check that the API key in the Actito API credential/i);
		expect(error.message).not.toMatch(/tok-\d-secret|my-secret-key/);
		expect(error.message).toContain('***');
		expect(c.stats.tokenFetches).toBe(2);
	});

	it('honours Retry-After on 429', async () => {
		const clock = fakeClock();
		const { transport } = scripted((_, n) => (n === 1 ? json(429, { message: 'slow down' }, { 'retry-after': '7' }) : json(200, {})));
		const c = makeClient(transport, {}, clock);
		await c.request('GET', '/x');
		expect(clock.waits).toEqual([7000]);
		expect(c.stats.retries).toBe(1);
	});

	it('retries network errors and does not retry 400', async () => {
		let n = 0;
		const transport: Transport = async (req) => {
			if (req.url.endsWith('/auth/token')) return tokenAnswer(1);
			n++;
			if (n === 1) throw new Error('socket hang up');
			return json(400, { message: "Unknown query parameter(s): foo" });
		};
		const c = makeClient(transport);
		const error: any = await c.request('GET', '/x').catch((e: any) => e);
		expect(error.status).toBe(400);
		expect(error.message).toContain('Unknown query parameter(s): foo');
		expect(n).toBe(2);
	});

	it('never has more requests in flight than allowed, and clamps the setting to 1..5', async () => {
		let inFlight = 0;
		let peak = 0;
		const transport: Transport = async (req) => {
			inFlight++;
			peak = Math.max(peak, inFlight);
			// Let every other waiting request get its chance to (wrongly) start.
			for (let i = 0; i < 5; i++) await new Promise((r) => setImmediate(r));
			inFlight--;
			return req.url.endsWith('/auth/token') ? tokenAnswer(1) : json(200, {});
		};
		for (const [setting, limit] of [[2, 2], [undefined, 2], [9, 5], [0, 1], [3, 3]] as const) {
			peak = 0;
			const c = makeClient(transport, { maxInFlight: setting, callsPerMinute: 1000 });
			expect(c.maxInFlight).toBe(limit);
			await Promise.all(Array.from({ length: 20 }, () => c.request('GET', '/x')));
			expect(peak).toBe(limit);
			expect(c.stats.tokenFetches).toBe(1);
		}
	});

	it('keeps to the calls-per-minute budget through the injected sleep', async () => {
		const clock = fakeClock();
		const times: number[] = [];
		const { transport } = scripted(() => {
			times.push(clock.now());
			return json(200, {});
		});
		const c = makeClient(transport, { callsPerMinute: 3 }, clock);
		for (let i = 0; i < 7; i++) await c.request('GET', '/x');
		// The token exchange counts too: 8 calls, 3 a minute.
		expect(clock.waits).toEqual([60_000, 60_000]);
		for (let i = 3; i < times.length; i++) expect(times[i] - times[i - 3]).toBeGreaterThanOrEqual(60_000);
	});

	it('clients of one licence in one process share the rolling minute: the share bounds the process', async () => {
		const clock = fakeClock();
		const { transport } = scripted(() => json(200, {}));
		const window = sharedMinuteWindow('https://api.actito.test/', 'my-secret-key');
		expect(sharedMinuteWindow('https://api.actito.test', 'my-secret-key')).toBe(window);
		expect(sharedMinuteWindow('https://api.actito.test', 'another-key')).not.toBe(window);
		// The Sync step's client, then Log Negative Consent's, 3 calls a minute each.
		const sync = makeClient(transport, { callsPerMinute: 3, minuteWindow: window }, clock);
		const log = makeClient(transport, { callsPerMinute: 3, minuteWindow: window }, clock);
		await sync.request('GET', '/x');
		await sync.request('GET', '/x');
		expect(clock.waits).toEqual([]);
		// Token + 2 calls fill the minute: the second client waits instead of starting a minute of its own.
		await log.request('GET', '/x');
		expect(clock.waits.length).toBeGreaterThan(0);
		expect(clock.waits.reduce((a, b) => a + b, 0)).toBeGreaterThanOrEqual(59_000);
	});

	it('respects the minute budget even if the sleep does not move the clock', async () => {
		const waits: number[] = [];
		const { transport } = scripted(() => json(200, {}));
		const c = makeClient(transport, { callsPerMinute: 2, sleep: async (ms) => void waits.push(ms), now: () => 1_000_000 });
		for (let i = 0; i < 5; i++) await c.request('GET', '/x');
		expect(waits).toEqual([60_000, 60_000]);
	});

	it('parses expiresIn forms', () => {
		expect(parseExpiresIn('900s')).toBe(900_000);
		expect(parseExpiresIn(60)).toBe(60_000);
		expect(parseExpiresIn('15m')).toBe(900_000);
		expect(parseExpiresIn('soon')).toBe(900_000);
	});
});

describe('flattenProfile', () => {
	const raw = {
		profileId: 1042,
		attributes: [
			{ name: 'emailAddress', value: ' Jane.Doe@Example.com ' },
			{ name: 'gsmNumber', value: '0470 12 34 56' },
			{ name: 'marketingConsent', value: 'false' },
			{ name: 'country', value: 'Belgique' },
			{ name: 'firstName', value: 'Élodie' },
			{ name: 'updateMoment', value: '2026-11-28T10:15:00.000Z' },
			{ name: 'optIn', value: 'yes' },
		],
		subscriptions: [{ name: 'Newsletter', subscribe: true }, { name: 'Promo', subscribe: false }],
		segmentations: [
			{ belongs: true, segmentation: { category: 'Audiences', name: 'VIP' } },
			{ belongs: false, segmentation: { category: 'Audiences', name: 'Churned' } },
		],
	};

	it('flattens the contract shape with the default attribute names', () => {
		expect(flattenProfile(raw)).toEqual({
			profileId: '1042',
			email: ' Jane.Doe@Example.com ',
			phone: '0470 12 34 56',
			country: 'Belgique',
			firstName: 'Élodie',
			lastName: null,
			birthDate: null,
			sex: null,
			marketingConsent: false,
			subscriptions: { Newsletter: true, Promo: false },
			segments: ['Audiences:VIP'],
			updateMoment: '2026-11-28T10:15:00.000Z',
			attributes: expect.objectContaining({ optIn: 'yes', gsmNumber: '0470 12 34 56' }),
		});
	});

	it('takes consent from a chosen attribute or subscription', () => {
		expect(flattenProfile(raw, { consentAttribute: 'optIn' }).marketingConsent).toBe(true);
		expect(flattenProfile(raw, { consentSubscription: 'Promo' }).marketingConsent).toBe(false);
		expect(flattenProfile(raw, { consentSubscription: 'Missing' }).marketingConsent).toBeNull();
		expect(flattenProfile(raw, { emailAttribute: 'mail' }).email).toBeNull();
	});

	it('reads consent values defensively', () => {
		for (const v of [true, 'true', 'TRUE', ' 1 ', 1, 'yes', 'Y']) expect(parseConsent(v)).toBe(true);
		for (const v of [false, 'false', '0', 0, 'no', 'No']) expect(parseConsent(v)).toBe(false);
		for (const v of [null, undefined, '', 'maybe', 2, {}, []]) expect(parseConsent(v)).toBeNull();
	});

	it('copes with missing parts and tells segmentation membership', () => {
		const flat = flattenProfile({ profileId: '7' } as any);
		expect(flat).toMatchObject({ profileId: '7', email: null, marketingConsent: null, segments: [], subscriptions: {} });
		expect(isInSegmentation(raw, 'Audiences:VIP')).toBe(true);
		expect(isInSegmentation(raw, 'Audiences:Churned')).toBe(false);
		expect(isInSegmentation(flattenProfile(raw), 'Audiences:VIP')).toBe(true);
		expect(isInSegmentation(flattenProfile(raw), 'Other:VIP')).toBe(false);
		expect(isInSegmentation({ profileId: '1' } as any, 'Audiences:VIP')).toBe(false);
	});
});
