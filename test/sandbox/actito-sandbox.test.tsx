// The Actito sandbox against the contract (docs/contracts/actito.md), rule by rule.
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createNodeTransport, controlCall } from '../support/nodeTransport';

// eslint-disable-next-line @typescript-eslint/no-var-requires
const { startActitoSandbox } = require('../../sandbox/actito');
// eslint-disable-next-line @typescript-eslint/no-var-requires
const { generateProfiles } = require('../../sandbox/seed');

const KEY = 'sandbox-actito-key';
const T = '/profiles/v5/entities/acme/profile-tables/16/profiles';
const WH = '/webhooks/v4/entity/acme/webhookSubscription';
const transport = createNodeTransport();

type Sandbox = { url: string; close(): Promise<void>; whenDeliveriesSettled(): Promise<void>; state: any };

function client(sandbox: Sandbox) {
	let token: string | undefined;
	const call = async (method: 'GET' | 'POST' | 'PUT' | 'DELETE', path: string, opts: { qs?: Record<string, any>; body?: unknown; auth?: string } = {}) => {
		if (opts.auth === undefined && !token) token = ((await transport({ method: 'GET', url: sandbox.url + '/auth/token', headers: { authorization: KEY } })).body as any).accessToken;
		return transport({ method, url: sandbox.url + path, qs: opts.qs, body: opts.body, headers: { authorization: opts.auth ?? `Bearer ${token}` } });
	};
	return { call, resetToken: () => (token = undefined) };
}

async function receiver(status = 200) {
	const received: Array<{ headers: http.IncomingHttpHeaders; body: any }> = [];
	const server = http.createServer((req, res) => {
		let text = '';
		req.on('data', (c) => (text += c));
		req.on('end', () => {
			received.push({ headers: req.headers, body: JSON.parse(text) });
			res.writeHead(status).end();
		});
	});
	await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
	const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
	return { url, received, close: () => new Promise<void>((r) => server.close(() => r())) };
}

describe('Actito sandbox', () => {
	let sandbox: Sandbox;
	let api: ReturnType<typeof client>;
	const control = (method: 'GET' | 'POST' | 'DELETE', path: string, body?: unknown) => controlCall(sandbox.url, method, `/__sandbox/${path}`, body);

	beforeAll(async () => {
		sandbox = await startActitoSandbox({});
		api = client(sandbox);
	});
	afterAll(() => sandbox.close());
	beforeEach(async () => {
		await control('POST', 'reset');
		api.resetToken();
	});

	describe('paging faults (for the clients\' loop bounds)', () => {
		const seed = () => control('POST', 'seed', { profiles: 30, seed: 3, segmentations: [{ category: 'Audiences', name: 'VIP', members: 20 }] });
		const page = (pageToken?: string) => api.call('GET', T, { qs: { segmentation: 'Audiences:VIP', pageSize: 5, pageToken } });

		it('same-page repeats the first page under fresh tokens; repeat-token hands back its token; empty-next is empty with a token', async () => {
			await seed();
			await control('POST', 'config', { pagingFault: 'same-page' });
			const a = (await page()).body as any;
			const b = (await page(a.nextPageToken)).body as any;
			expect(b.profiles).toEqual(a.profiles);
			expect(b.nextPageToken).not.toBe(a.nextPageToken);

			await control('POST', 'config', { pagingFault: 'repeat-token' });
			const c = (await page()).body as any;
			const d = (await page(c.nextPageToken)).body as any;
			expect(d.nextPageToken).toBe(c.nextPageToken);

			await control('POST', 'config', { pagingFault: 'empty-next' });
			const e = (await page()).body as any;
			expect(e.profiles).toEqual([]);
			expect(e.nextPageToken).toEqual(expect.any(String));

			await control('POST', 'config', { pagingFault: 'new-token' });
			let token: string | undefined;
			const seen: string[] = [];
			for (let i = 0; i < 6; i++) {
				const body = (await page(token)).body as any;
				seen.push(...body.profiles.map((p: any) => p.profileId));
				token = body.nextPageToken;
				expect(token).toEqual(expect.any(String));
			}
			expect(new Set(seen).size).toBe(20);

			await control('POST', 'config', { pagingFault: null });
			expect(((await page()).body as any).profiles).toHaveLength(5);
		});

		it('refuses an unknown paging fault, and a listing page can be answered 200 with HTML', async () => {
			await expect(control('POST', 'config', { pagingFault: 'forever' })).rejects.toThrow(/pagingFault must be/);
			await control('POST', 'faults', { match: { path: T }, count: 1, status: 200, body: '<html>proxy</html>' });
			const res = await page();
			expect(res.status).toBe(200);
			expect(res.body).toBe('<html>proxy</html>');
		});
	});

	describe('authentication', () => {
		it('exchanges the raw API key for a bearer token, and refuses a wrong key with 401', async () => {
			const ok = await transport({ method: 'GET', url: `${sandbox.url}/auth/token`, headers: { authorization: KEY } });
			expect(ok.status).toBe(200);
			expect(ok.body).toEqual({ accessToken: expect.any(String), tokenType: 'bearer', expiresIn: '900s', scope: expect.any(String), jti: expect.any(String) });
			const bad = await transport({ method: 'GET', url: `${sandbox.url}/auth/token`, headers: { authorization: 'wrong' } });
			expect(bad.status).toBe(401);
			const bearer = await transport({ method: 'GET', url: `${sandbox.url}/auth/token`, headers: { authorization: `Bearer ${KEY}` } });
			expect(bearer.status).toBe(401);
		});

		it('refuses calls without a token, with a bad token, and with an expired one', async () => {
			expect((await api.call('GET', '/entities/v5/entities', { auth: '' })).status).toBe(401);
			expect((await api.call('GET', '/entities/v5/entities', { auth: 'Bearer nope' })).status).toBe(401);
			expect((await api.call('GET', '/entities/v5/entities')).status).toBe(200);
			await control('POST', 'faults', { match: { path: '/entities/v5/entities' }, count: 1, expireTokens: true });
			expect((await api.call('GET', '/entities/v5/entities')).status).toBe(401);
			expect((await api.call('GET', '/entities/v5/entities')).status).toBe(401); // the token stays dead
		});

		it('applies a configurable token lifetime', async () => {
			await control('POST', 'config', { tokenLifetimeSeconds: 0 });
			const res = await transport({ method: 'GET', url: `${sandbox.url}/auth/token`, headers: { authorization: KEY } });
			expect((res.body as any).expiresIn).toBe('0s');
			const use = await transport({ method: 'GET', url: `${sandbox.url}/entities/v5/entities`, headers: { authorization: `Bearer ${(res.body as any).accessToken}` } });
			expect(use.status).toBe(401);
		});
	});

	describe('structure', () => {
		it('lists entities and profile tables with attributes and segmentations', async () => {
			expect((await api.call('GET', '/entities/v5/entities')).body).toEqual({ entities: [{ name: 'acme' }] });
			const tables = (await api.call('GET', '/profile-table-structure/v5/entities/acme/profile-tables')).body as any;
			expect(tables.profileTables).toHaveLength(1);
			const t = tables.profileTables[0];
			expect(t).toMatchObject({ id: '16', name: 'Customers', segmentations: [{ category: 'Audiences', name: 'VIP' }] });
			expect(t.attributes.map((a: any) => a.name)).toEqual(
				expect.arrayContaining(['emailAddress', 'gsmNumber', 'marketingConsent', 'firstName', 'lastName', 'birthDate', 'sex', 'country', 'creationMoment', 'updateMoment']),
			);
		});

		it('answers 404 for an unknown entity or table', async () => {
			const e = await api.call('GET', '/profile-table-structure/v5/entities/nope/profile-tables');
			expect(e.status).toBe(404);
			expect((e.body as any).message).toContain('acme');
			expect((await api.call('GET', '/profiles/v5/entities/acme/profile-tables/99/profiles')).status).toBe(404);
			expect((await api.call('GET', '/profiles/v5/entities/nope/profile-tables/16/profiles/1')).status).toBe(404);
		});
	});

	describe('profiles', () => {
		beforeEach(async () => {
			await control('POST', 'seed', { profiles: 250, seed: 7, segmentations: [{ category: 'Audiences', name: 'VIP', members: 60 }] });
		});

		it('pages through every profile, with no nextPageToken on the last page', async () => {
			const ids: string[] = [];
			let pageToken: string | undefined;
			let pages = 0;
			do {
				const res = await api.call('GET', T, { qs: { pageSize: 100, pageToken } });
				expect(res.status).toBe(200);
				const body = res.body as any;
				ids.push(...body.profiles.map((p: any) => p.profileId));
				pageToken = body.nextPageToken;
				pages++;
				if (pageToken === undefined) expect('nextPageToken' in body).toBe(false);
			} while (pageToken);
			expect(pages).toBe(3);
			expect(new Set(ids).size).toBe(250);
		});

		it('returns profiles in the contract shape', async () => {
			const body = (await api.call('GET', T, { qs: { pageSize: 1 } })).body as any;
			const p = body.profiles[0];
			expect(typeof p.profileId).toBe('string');
			expect(p.attributes).toEqual(expect.arrayContaining([{ name: 'updateMoment', value: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/) }]));
			expect(p.segmentations[0]).toEqual({ belongs: expect.any(Boolean), segmentation: { category: 'Audiences', name: 'VIP' } });
			expect(Array.isArray(p.subscriptions)).toBe(true);
		});

		it('filters by segmentation', async () => {
			const expected = ((await control('GET', 'profiles')).profiles as any[]).filter((p) => p.segments.includes('Audiences:VIP')).map((p) => p.profileId);
			expect(expected).toHaveLength(60);
			const got: string[] = [];
			let pageToken: string | undefined;
			do {
				const body = (await api.call('GET', T, { qs: { segmentation: 'Audiences:VIP', pageSize: 25, pageToken } })).body as any;
				got.push(...body.profiles.map((p: any) => p.profileId));
				pageToken = body.nextPageToken;
			} while (pageToken);
			expect(got.sort()).toEqual(expected.sort());
			expect((await api.call('GET', T, { qs: { segmentation: 'Audiences:Nope' } })).status).toBe(400);
		});

		it('filters by updatedSince (at or after) and moves updateMoment on every change', async () => {
			const before = (await control('GET', 'profiles')).profiles as any[];
			const last = before.reduce((m, p) => (p.updateMoment > m ? p.updateMoment : m), '');
			const a = await control('POST', 'profiles/1010', { join: ['Audiences:VIP'], leave: [] });
			const b = await control('POST', 'profiles/1020', { marketingConsent: false, attributes: { gsmNumber: '+32470000000' } });
			expect(a.updateMoment > last).toBe(true);
			expect(b.updateMoment > a.updateMoment).toBe(true);
			const res = (await api.call('GET', T, { qs: { updatedSince: a.updateMoment } })).body as any;
			expect(res.profiles.map((p: any) => p.profileId)).toEqual(['1010', '1020']);
			const after = (await api.call('GET', T, { qs: { updatedSince: new Date(Date.parse(b.updateMoment) + 1).toISOString() } })).body as any;
			expect(after.profiles).toEqual([]);
			// An unchanged write does not move the moment.
			const same = await control('POST', 'profiles/1020', { marketingConsent: false });
			expect(same.updateMoment).toBe(b.updateMoment);
		});

		it('refuses unknown parameters and bad values with 400 naming them', async () => {
			for (const [qs, name] of [
				[{ foo: 'x' }, 'foo'],
				[{ pageSize: 0 }, 'pageSize'],
				[{ pageSize: 1001 }, 'pageSize'],
				[{ pageSize: 'ten' }, 'pageSize'],
				[{ updatedSince: 'yesterday' }, 'updatedSince'],
				[{ pageToken: 'garbage' }, 'pageToken'],
				[{ segmentation: 'VIP' }, 'segmentation'],
			] as const) {
				const res = await api.call('GET', T, { qs: qs as any });
				expect(res.status).toBe(400);
				expect((res.body as any).message).toContain(name);
			}
			expect((await api.call('GET', T, { qs: { pageSize: 1000 } })).status).toBe(200);
		});

		it('gets one profile by id or unique attribute, 404 when absent or deleted; deleted profiles are not listed', async () => {
			const p = (await control('GET', 'profiles')).profiles.find((x: any) => x.attributes.emailAddress && x.attributes.emailAddress.includes('@') && !x.attributes.emailAddress.includes(' '));
			expect((await api.call('GET', `${T}/${p.profileId}`)).status).toBe(200);
			const byMail = await api.call('GET', `${T}/${encodeURIComponent(`emailAddress=${p.attributes.emailAddress}`)}`);
			expect((byMail.body as any).profileId).toBe(p.profileId);
			expect((await api.call('GET', `${T}/99999`)).status).toBe(404);
			expect((await api.call('GET', `${T}/firstName=Jan`)).status).toBe(400); // not unique
			await control('DELETE', `profiles/${p.profileId}`);
			expect((await api.call('GET', `${T}/${p.profileId}`)).status).toBe(404);
			const all = (await api.call('GET', T, { qs: { pageSize: 1000 } })).body as any;
			expect(all.profiles.map((x: any) => x.profileId)).not.toContain(p.profileId);
			expect(all.profiles).toHaveLength(249);
			const raw = (await control('GET', 'profiles')).profiles.find((x: any) => x.profileId === p.profileId);
			expect(raw.deleted).toBe(true);
		});

		it('creates profiles through the control API', async () => {
			const created = await control('POST', 'profiles', { attributes: { emailAddress: 'new@example.com', marketingConsent: true }, join: ['Audiences:VIP'] });
			expect(created.profileId).toBe('1251');
			const got = (await api.call('GET', `${T}/emailAddress=new%40example.com`)).body as any;
			expect(got.segmentations).toEqual([{ belongs: true, segmentation: { category: 'Audiences', name: 'VIP' } }]);
		});
	});

	describe('seeding', () => {
		const strip = (list: any[]) => list.map(({ updateMoment, ...p }) => p);

		it('is deterministic: same seed, same profiles; another seed, other profiles', async () => {
			const spec = { profiles: 500, seed: 42, segmentations: [{ category: 'Audiences', name: 'VIP', members: 100 }], consent: { true: 0.7, false: 0.2, absent: 0.1 } };
			await control('POST', 'seed', spec);
			const first = strip((await control('GET', 'profiles')).profiles);
			await control('POST', 'reset');
			await control('POST', 'seed', spec);
			const second = strip((await control('GET', 'profiles')).profiles);
			expect(second).toEqual(first);
			expect(generateProfiles({ ...spec, seed: 43 })).not.toEqual(generateProfiles(spec));
			expect(first.filter((p) => p.segments.includes('Audiences:VIP'))).toHaveLength(100);
		});

		it('produces realistic, messy data', () => {
			const list = generateProfiles({ profiles: 3000, seed: 1 });
			const emails = list.map((p: any) => p.attributes.emailAddress).filter(Boolean);
			const phones = list.map((p: any) => p.attributes.gsmNumber).filter(Boolean);
			const countries = new Set(list.map((p: any) => p.attributes.country));
			expect(emails.length).toBeLessThan(3000);
			expect(emails.some((e: string) => e !== e.trim())).toBe(true);
			expect(emails.some((e: string) => /[A-Z]/.test(e))).toBe(true);
			expect(emails.some((e: string) => !/^\S+@[^@\s]+\.[a-z]+$/i.test(e.trim()))).toBe(true);
			expect(phones.some((p: string) => p.startsWith('+32'))).toBe(true);
			expect(phones.some((p: string) => p.startsWith('0032'))).toBe(true);
			expect(phones.some((p: string) => /^04\d\d \d\d \d\d \d\d$/.test(p))).toBe(true);
			for (const prefix of ['+33', '+31', '+49', '+1 ', '+44']) expect(phones.some((p: string) => p.startsWith(prefix))).toBe(true);
			expect(phones.length).toBeLessThan(3000);
			for (const c of ['BE', 'FR', 'NL', 'DE', 'US', 'GB', 'Belgium', undefined]) expect(countries.has(c)).toBe(true);
			const consent = list.map((p: any) => p.attributes.marketingConsent);
			expect(consent.filter((c: unknown) => c === true).length / 3000).toBeCloseTo(0.7, 1);
			expect(consent.filter((c: unknown) => c === undefined).length).toBeGreaterThan(100);
			expect(list.some((p: any) => /[éèëïüöäçø]/i.test(p.attributes.firstName + p.attributes.lastName))).toBe(true);
		});
	});

	describe('webhook subscriptions', () => {
		const sub = (over: Record<string, unknown> = {}) => ({ on: 'PROFILE_TABLE', eventType: 'UPDATED_SEGMENT', onElementId: '16', onFields: [], targetUrl: 'https://hooks.example.com/a', headers: { 'X-Actito-Secret': 's3' }, isActive: true, ...over });

		it('creates, lists with filters, gets, updates and deletes; one per (table, event type)', async () => {
			const created = await api.call('POST', WH, { body: sub() });
			expect(created.status).toBe(200);
			const id = (created.body as any).id;
			const dup = await api.call('POST', WH, { body: sub({ targetUrl: 'https://other.example.com' }) });
			expect(dup.status).toBe(409);
			expect((dup.body as any).message).toContain(id);
			expect((await api.call('POST', WH, { body: sub({ eventType: 'UPDATE' }) })).status).toBe(200);
			expect(((await api.call('GET', WH)).body as any).subscriptions).toHaveLength(2);
			const filtered = (await api.call('GET', WH, { qs: { tableId: '16', eventType: 'UPDATED_SEGMENT' } })).body as any;
			expect(filtered.subscriptions.map((s: any) => s.id)).toEqual([id]);
			expect((await api.call('GET', WH, { qs: { color: 'red' } })).status).toBe(400);
			expect(((await api.call('GET', `${WH}/${id}`)).body as any).targetUrl).toBe('https://hooks.example.com/a');
			expect((await api.call('PUT', `${WH}/${id}`, { body: sub({ targetUrl: 'https://hooks.example.com/b' }) })).status).toBe(200);
			expect((await api.call('PUT', `${WH}/${id}`, { body: sub({ eventType: 'UPDATE' }) })).status).toBe(409);
			expect(((await api.call('GET', `${WH}/${id}`)).body as any).targetUrl).toBe('https://hooks.example.com/b');
			expect((await api.call('DELETE', `${WH}/${id}`)).status).toBe(204);
			expect((await api.call('GET', `${WH}/${id}`)).status).toBe(404);
			expect((await api.call('POST', WH, { body: sub({ onElementId: '99' }) })).status).toBe(404);
			expect((await api.call('POST', WH, { body: sub({ eventType: 'NOPE' }) })).status).toBe(400);
		});

		it('requires https unless loopback webhooks are allowed', async () => {
			expect((await api.call('POST', WH, { body: sub({ targetUrl: 'http://127.0.0.1:9/x' }) })).status).toBe(400);
			expect((await api.call('POST', WH, { body: sub({ targetUrl: 'http://hooks.example.com/x' }) })).status).toBe(400);
			expect((await api.call('POST', WH, { body: sub({ targetUrl: 'not a url' }) })).status).toBe(400);
		});
	});

	describe('custom tables', () => {
		const R = '/custom-data/v4/entity/acme/customTable/negative_consent/record';

		it('creates, searches, reads, replaces and deletes records', async () => {
			const props = (id: string) => ({ properties: [{ name: 'profileId', value: id }, { name: 'event', value: 'NEGATIVE_CONSENT' }, { name: 'moment', value: '2026-11-28T10:15:00Z' }] });
			const a = (await api.call('POST', R, { body: props('1042') })).body as any;
			await api.call('POST', R, { body: props('1043') });
			expect(typeof a.businessKey).toBe('string');
			const found = (await api.call('GET', R, { qs: { searchField: 'profileId', searchValue: '1042', number: 10 } })).body as any;
			expect(found.records).toHaveLength(1);
			expect(found.records[0].businessKey).toBe(a.businessKey);
			expect((await api.call('GET', R, { qs: { number: 0 } })).status).toBe(400);
			expect((await api.call('GET', R, { qs: { bogus: 1 } })).status).toBe(400);
			expect((await api.call('GET', `${R}/${a.businessKey}`)).status).toBe(200);
			expect((await api.call('PUT', `${R}/${a.businessKey}`, { body: props('2000') })).status).toBe(200);
			expect((await api.call('DELETE', `${R}/${a.businessKey}`)).status).toBe(204);
			expect((await api.call('GET', `${R}/${a.businessKey}`)).status).toBe(404);
			expect((await api.call('POST', R, { body: { nope: 1 } })).status).toBe(400);
			expect((await api.call('POST', '/custom-data/v4/entity/acme/customTable/nope/record', { body: props('1') })).status).toBe(404);
			expect((await control('GET', 'custom-tables/negative_consent')).records).toHaveLength(1);
		});
	});

	describe('licence limits, faults and the log', () => {
		it('refuses the 6th request in flight with 429', async () => {
			await api.call('GET', '/entities/v5/entities'); // token first
			await control('POST', 'faults', { match: { path: '/entities/v5/entities' }, count: 5, delayMs: 400 });
			const slow = Array.from({ length: 5 }, () => api.call('GET', '/entities/v5/entities'));
			for (let i = 0; i < 200 && (await control('GET', 'counters')).inFlight < 5; i++) await new Promise((r) => setImmediate(r));
			expect((await control('GET', 'counters')).inFlight).toBe(5);
			const sixth = await api.call('GET', '/entities/v5/entities');
			expect(sixth.status).toBe(429);
			expect((await Promise.all(slow)).map((r) => r.status)).toEqual([200, 200, 200, 200, 200]);
			expect((await control('GET', 'counters')).rejectedInFlight).toBe(1);
		});

		it('slows answers past the per-minute budget instead of refusing them', async () => {
			await control('POST', 'config', { callsPerMinute: 2, slowdownMs: 5 });
			const statuses = [];
			for (let i = 0; i < 4; i++) statuses.push((await api.call('GET', '/entities/v5/entities')).status);
			expect(statuses).toEqual([200, 200, 200, 200]);
			expect((await control('GET', 'counters')).slowed).toBe(3); // token + 4 calls = 5, budget 2
		});

		it('injects faults with a status and an HTML body, then recovers', async () => {
			await control('POST', 'faults', { match: { method: 'GET', path: '/profiles/*' }, count: 1, status: 503, body: '<html><body>Service Unavailable</body></html>' });
			const res = await api.call('GET', T);
			expect(res.status).toBe(503);
			expect(res.headers['content-type']).toContain('text/html');
			expect((await api.call('GET', T)).status).toBe(200);
		});

		it('logs requests without the API key or token', async () => {
			await api.call('GET', T, { qs: { pageSize: 5 } });
			const log = (await control('GET', 'requests')).requests;
			expect(log.map((r: any) => [r.method, r.path, r.status])).toEqual([
				['GET', '/auth/token', 200],
				['GET', T, 200],
			]);
			expect(log[1].query).toEqual({ pageSize: '5' });
			expect(typeof log[1].time).toBe('string');
			expect(JSON.stringify(log)).not.toContain(KEY);
			await control('POST', 'requests/clear');
			expect((await control('GET', 'requests')).requests).toEqual([]);
		});
	});
});

describe('Actito sandbox webhook deliveries (loopback allowed)', () => {
	let sandbox: Sandbox;
	let api: ReturnType<typeof client>;
	let hook: Awaited<ReturnType<typeof receiver>>;
	const control = (method: 'GET' | 'POST' | 'DELETE', path: string, body?: unknown) => controlCall(sandbox.url, method, `/__sandbox/${path}`, body);
	const subscribe = (eventType: string, targetUrl = hook.url) =>
		api.call('POST', WH, { body: { on: 'PROFILE_TABLE', eventType, onElementId: '16', targetUrl, headers: { 'X-Actito-Secret': 'hush' } } });

	beforeAll(async () => {
		sandbox = await startActitoSandbox({ allowLoopbackWebhooks: true });
		api = client(sandbox);
		hook = await receiver();
	});
	afterAll(async () => {
		await sandbox.close();
		await hook.close();
	});
	beforeEach(async () => {
		await control('POST', 'reset');
		api.resetToken();
		hook.received.length = 0;
		await control('POST', 'seed', { profiles: 20, seed: 3 });
	});

	it('accepts http on loopback only', async () => {
		expect((await subscribe('UPDATE', 'http://10.1.2.3/x')).status).toBe(400);
		expect((await subscribe('UPDATE', 'http://localhost:9/x')).status).toBe(200);
	});

	it('POSTs segment and attribute changes with the subscription headers, and records outcomes', async () => {
		const seg = ((await subscribe('UPDATED_SEGMENT')).body as any).id;
		await subscribe('UPDATE');
		const profiles = (await control('GET', 'profiles')).profiles as any[];
		const joiner = profiles.find((p) => !p.segments.includes('Audiences:VIP')).profileId;
		const withdrawer = profiles.find((p) => p.attributes.marketingConsent !== false && p.profileId !== joiner).profileId;
		await control('POST', `profiles/${joiner}`, { join: ['Audiences:VIP'] });
		await control('POST', `profiles/${withdrawer}`, { marketingConsent: false });
		await sandbox.whenDeliveriesSettled();
		expect(hook.received.every((r) => r.headers['x-actito-secret'] === 'hush')).toBe(true);
		const bodies = hook.received.map((r) => r.body);
		expect(bodies).toHaveLength(2);
		const segEvent = bodies.find((b) => b.data.profileId === joiner);
		expect(segEvent).toEqual({
			id: expect.stringMatching(/^[0-9a-f-]{36}$/),
			data: { profileId: joiner, segmentations: [{ belongs: true, segmentation: { category: 'Audiences', name: 'VIP' } }], updateMoment: expect.any(String) },
			_links: { webhook: { href: `/webhooks/v4/entity/acme/webhookSubscription/${seg}` } },
		});
		const update = bodies.find((b) => b.data.profileId === withdrawer);
		expect(update.data).toEqual({ profileId: withdrawer, marketingConsent: false, updateMoment: expect.any(String) });
		const deliveries = (await control('GET', 'webhooks/deliveries')).deliveries;
		expect(deliveries.length).toBe(hook.received.length);
		expect(deliveries.every((d: any) => d.status === 200)).toBe(true);
	});

	it('sends DELETE events only when enabled, and CREATE on creation', async () => {
		await subscribe('DELETE');
		await subscribe('CREATE');
		await control('DELETE', 'profiles/1001');
		await sandbox.whenDeliveriesSettled();
		expect(hook.received).toHaveLength(0);
		await control('POST', 'config', { deleteEvents: true });
		await control('DELETE', 'profiles/1002');
		const created = await control('POST', 'profiles', { emailAddress: 'x@example.com' });
		await sandbox.whenDeliveriesSettled();
		expect(hook.received.map((r) => r.body.data.profileId).sort()).toEqual(['1002', created.profileId].sort());
	});

	it('delivers in bulk and repeats deliveries with the same id on request', async () => {
		await subscribe('UPDATED_SEGMENT');
		await control('POST', 'config', { bulkDelivery: true });
		const outside = ((await control('GET', 'profiles')).profiles as any[]).filter((p) => !p.segments.includes('Audiences:VIP')).slice(0, 3).map((p) => p.profileId);
		await control('POST', 'profiles/changes', outside.map((profileId) => ({ profileId, join: ['Audiences:VIP'] })));
		await sandbox.whenDeliveriesSettled();
		expect(hook.received).toHaveLength(1);
		expect(hook.received[0].body.data.map((d: any) => d.profileId)).toEqual(outside);
		hook.received.length = 0;
		await control('POST', 'config', { bulkDelivery: false, repeatDeliveries: 1 });
		const [a, b] = outside;
		await control('POST', `profiles/${a}`, { join: ['Audiences:VIP'] }); // already a member: no event
		await control('POST', `profiles/${b}`, { leave: ['Audiences:VIP'] });
		await control('POST', `profiles/${b}`, { join: ['Audiences:VIP'] });
		await sandbox.whenDeliveriesSettled();
		expect(hook.received).toHaveLength(4);
		const ids = hook.received.map((r) => r.body.id);
		expect(new Set(ids).size).toBe(2);
		hook.received.length = 0;
		await control('POST', 'webhooks/redeliver', { eventId: ids[0] });
		await sandbox.whenDeliveriesSettled();
		expect(hook.received.map((r) => r.body.id)).toEqual([ids[0]]);
	});

	it('survives a target that is down and records the failure', async () => {
		const dead = await receiver();
		await dead.close();
		await subscribe('UPDATED_SEGMENT', dead.url);
		await control('POST', 'profiles/1010', { join: ['Audiences:VIP'] });
		await sandbox.whenDeliveriesSettled();
		const [d] = (await control('GET', 'webhooks/deliveries')).deliveries;
		expect(d.status).toBeNull();
		expect(d.error).toBeTruthy();
		expect((await api.call('GET', '/entities/v5/entities')).status).toBe(200);
	});
});
