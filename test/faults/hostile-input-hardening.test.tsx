// Issue 10's closing count: hostile inputs tried per category, and what was lost or leaked.
// Scripted transports (no network, no waiting: every sleep is a fake one) feed each hostile
// answer or value to the pure core the nodes and the sync step share. "Lost" means the input was
// taken for something it is not (an empty page, a commit, a yes); "leaked" means a plain
// identifier reached the wire or an error text. The target, asserted per category, is zero.
import { createHash } from 'node:crypto';

import { ActitoApi } from '../../core/actito/actitoApi';
import { ActitoClient } from '../../core/actito/actitoClient';
import type { HttpRequest, HttpResponse, Transport } from '../../core/http';
import { normalizeWithReason, refusedRows, type MetaKey } from '../../core/identifiers';
import { MetaClient } from '../../core/meta/metaClient';
import { parseConsent } from '../../core/sync/consent';
import { NEGATIVE_FORMS, UNKNOWN_FORMS } from '../support/consentForms';

const sha = (text: string) => createHash('sha256').update(text).digest('hex');

interface Tally {
	tried: number;
	lost: number;
	leaked: number;
}
const tallies: Record<string, Tally> = {};
function tally(category: string): Tally {
	return (tallies[category] ??= { tried: 0, lost: 0, leaked: 0 });
}

afterAll(() => {
	// The figures for the closing note of issue 10.
	// eslint-disable-next-line no-console
	console.log(
		'hostile inputs per category:\n' +
			Object.entries(tallies)
				.map(([c, t]) => `  ${c}: ${t.tried} tried, ${t.lost} lost, ${t.leaked} leaked`)
				.join('\n'),
	);
});

const fakeSleep = async () => {};
const now = () => Date.UTC(2026, 11, 1, 10, 0, 0);

function actito(handler: (req: HttpRequest, n: number) => HttpResponse): { api: ActitoApi; requests: HttpRequest[] } {
	const requests: HttpRequest[] = [];
	let n = 0;
	const transport: Transport = async (req) => {
		requests.push(req);
		if (req.url.endsWith('/auth/token')) return { status: 200, headers: {}, body: { accessToken: 'tok-secret-1', expiresIn: '900s' } };
		return handler(req, ++n);
	};
	const client = new ActitoClient({
		credentials: { apiKey: 'key-secret', baseUrl: 'https://api.actito.test', entity: 'acme' },
		transport,
		sleep: fakeSleep,
		now,
		callsPerMinute: 1_000_000,
		retry: { maxAttempts: 1 },
	});
	return { api: new ActitoApi(client), requests };
}

function meta(handler: (req: HttpRequest) => HttpResponse): { client: MetaClient; requests: HttpRequest[] } {
	const requests: HttpRequest[] = [];
	const client = new MetaClient({
		credentials: { accessToken: 'meta-token-secret', apiVersion: 'v26.0', baseUrl: 'https://graph.test' },
		transport: async (req) => {
			requests.push(req);
			return handler(req);
		},
		sleep: fakeSleep,
		now,
		retry: { maxAttempts: 1 },
	});
	return { client, requests };
}

const ok = (body: unknown): HttpResponse => ({ status: 200, headers: {}, body });

async function outcome(run: () => Promise<unknown>): Promise<{ error?: any; value?: unknown }> {
	try {
		return { value: await run() };
	} catch (error) {
		return { error };
	}
}

// ---------------------------------------------------------------------------------------------
const PROFILE = { profileId: '1042', attributes: [{ name: 'emailAddress', value: 'a@b.co' }] };
const HOSTILE_LISTING_PAGES: unknown[] = [
	'<!DOCTYPE html><html><body>Maintenance</body></html>',
	'<html></html>',
	'',
	'OK',
	'null',
	'true',
	null,
	42,
	true,
	[],
	[PROFILE],
	{},
	{ items: [PROFILE] },
	{ data: [PROFILE] },
	{ Profiles: [PROFILE] },
	{ profile: [PROFILE] },
	{ profiles: null },
	{ profiles: {} },
	{ profiles: '[]' },
	{ profiles: 0 },
	{ profiles: [null] },
	{ profiles: [42] },
	{ profiles: ['1042'] },
	{ profiles: [[]] },
	{ profiles: [{}] },
	{ profiles: [{ profileId: '' }] },
	{ profiles: [{ profileId: '   ' }] },
	{ profiles: [{ profileId: null }] },
	{ profiles: [{ profileId: {} }] },
	{ profiles: [{ profileId: [] }] },
	{ profiles: [{ profileId: Number.NaN }] },
	{ profiles: [{ profileId: true }] },
	{ profiles: [PROFILE, {}] },
	{ profiles: [{ profileId: '1', attributes: {} }] },
	{ profiles: [{ profileId: '1', attributes: 'x' }] },
	{ profiles: [{ profileId: '1', segmentations: {} }] },
	{ profiles: [{ profileId: '1', subscriptions: 'yes' }] },
	{ profiles: [PROFILE], nextPageToken: 7 },
	{ profiles: [PROFILE], nextPageToken: {} },
	{ profiles: [PROFILE], nextPageToken: ['a'] },
	{ profiles: [PROFILE], nextPageToken: true },
];

describe('Actito listing answers off the contract', () => {
	it.each(HOSTILE_LISTING_PAGES.map((body, i) => [i, JSON.stringify(body)?.slice(0, 60) ?? String(body), body]))(
		'#%i %s stops the listing before anything is yielded',
		async (_i, _label, body) => {
			const t = tally('Actito answers (listing page off its shape)');
			t.tried++;
			const { api } = actito(() => ok(body));
			const pages: unknown[][] = [];
			const result = await outcome(async () => {
				for await (const page of api.iterateProfilePages('16', { segmentation: 'Audiences:VIP' })) pages.push(page);
			});
			if (!result.error || pages.length) t.lost++;
			expect(pages).toEqual([]);
			expect(result.error?.kind).toBe('contract');
			expect(result.error?.message).toMatch(/GET \/profiles\/v5\/entities\/acme\/profile-tables\/16\/profiles/);
			if (/a@b\.co|secret/.test(String(result.error?.message))) t.leaked++;
		},
	);

	const OTHER_CALLS: Array<[string, (api: ActitoApi) => Promise<unknown>, unknown[]]> = [
		['listEntities', (api) => api.listEntities(), ['<html/>', {}, { entity: [] }, { entities: {} }, []]],
		['listProfileTables', (api) => api.listProfileTables(), ['<html/>', {}, { tables: [] }, { profileTables: [{}] }, { profileTables: [null] }]],
		['getProfile', (api) => api.getProfile('16', '1042'), ['<html/>', {}, [], { id: '1042' }, { profileId: null }, 'null']],
		['listWebhookSubscriptions', (api) => api.listWebhookSubscriptions(), ['<html/>', {}, { items: [] }, [{}], { subscriptions: [{ id: null }] }]],
		['createWebhookSubscription', (api) => api.createWebhookSubscription({ eventType: 'UPDATE', onElementId: '16', targetUrl: 'https://x' }), ['<html/>', {}, [], { id: '' }, { id: null }]],
		['createCustomRecord', (api) => api.createCustomRecord('t', { profileId: '1' }), ['<html/>', {}, [], { businessKey: '' }, { key: 'x' }]],
		['searchCustomRecords', (api) => api.searchCustomRecords('t'), ['<html/>', {}, { items: [] }]],
	];
	it.each(OTHER_CALLS.flatMap(([name, call, bodies]) => bodies.map((b, i) => [name, i, call, b] as const)))(
		'%s answered hostile body #%i is an error, not an empty answer',
		async (_name, _i, call, body) => {
			const t = tally('Actito answers (other calls off their shape)');
			t.tried++;
			const { api } = actito(() => ok(body));
			const result = await outcome(() => call(api));
			if (!result.error) t.lost++;
			expect(result.error?.kind).toBe('contract');
		},
	);
});

describe('paging loops', () => {
	const page = (ids: number[], next?: unknown, extra: object = {}) => ok({ profiles: ids.map((id) => ({ profileId: String(id) })), nextPageToken: next, ...extra });
	const LOOPS: Array<[string, (n: number) => HttpResponse, number?]> = [
		['the same token every time', () => page([1, 2], 'T')],
		['a token cycle A→B→A', (n) => page([n], n % 2 ? 'A' : 'B')],
		['the same page under fresh tokens', (n) => page([1, 2], `t${n}`)],
		['the same page with a different id order', (n) => page([1, 2], `t${n}`)],
		['an empty page with a token', (n) => page([], `t${n}`)],
		['empty pages after real ones', (n) => (n < 3 ? page([n], `t${n}`) : page([], `t${n}`))],
		['fresh pages beyond the reported total', (n) => page([n], `t${n}`, { totalElements: 3 }), 1],
		['fresh pages beyond the reported total (total 0)', (n) => page([n], `t${n}`, { total: 0 }), 1],
		['an empty-string token loop is the end (control: not a loop)', () => page([1], '')],
	];
	// Rows of one length: jest takes a missing argument for a `done` callback.
	it.each(LOOPS.map(([label, handler, size]) => [label, handler, size ?? 0] as const))('%s stops', async (label, handler, size) => {
		const pageSize = size || undefined;
		const t = tally('Paging that never ends (Actito and Meta)');
		if (!/control/.test(label)) t.tried++;
		const { api, requests } = actito((_req, n) => handler(n));
		const result = await outcome(async () => {
			// eslint-disable-next-line @typescript-eslint/no-unused-vars
			for await (const _p of api.iterateProfilePages('16', { pageSize })) {
				/* drain */
			}
		});
		const calls = requests.filter((r) => !r.url.endsWith('/auth/token')).length;
		if (/control/.test(label)) {
			expect(result.error).toBeUndefined();
			expect(calls).toBe(1);
			return;
		}
		if (!result.error || calls > 20) t.lost++;
		expect(result.error?.kind).toBe('paging');
		expect(calls).toBeLessThanOrEqual(20);
	});

	const META_LOOPS: Array<[string, (n: number) => unknown]> = [
		['the same cursor', () => ({ data: [{ id: '1', subtype: 'CUSTOM' }], paging: { cursors: { after: 'C' }, next: 'https://graph.test/x?after=C' } })],
		['fresh cursors, always data', (n) => ({ data: [{ id: String(n), subtype: 'CUSTOM' }], paging: { cursors: { after: `c${n}` }, next: `https://graph.test/x?after=c${n}` } })],
		['fresh cursors, always empty', (n) => ({ data: [], paging: { cursors: { after: `c${n}` }, next: `https://graph.test/x?after=c${n}` } })],
		['fresh cursors, other subtypes only', (n) => ({ data: [{ id: String(n), subtype: 'WEBSITE' }], paging: { cursors: { after: `c${n}` }, next: `https://graph.test/x?after=c${n}` } })],
	];
	it.each(META_LOOPS)('List Audiences with %s stops', async (_label, body) => {
		const t = tally('Paging that never ends (Actito and Meta)');
		t.tried++;
		let n = 0;
		const { client, requests } = meta(() => ok(body(++n)));
		const result = await outcome(() => client.listAllCustomerListAudiences('act_1', { limit: 100 }));
		if (!result.error || requests.length > 1100) t.lost++;
		expect(result.error?.kind).toBe('paging');
		expect(requests.length).toBeLessThanOrEqual(1001);
	});
});

describe('Meta answers off the contract', () => {
	const UPLOAD_ANSWERS: unknown[] = [
		{},
		{ success: false },
		{ success: true },
		[],
		[{ num_received: 1, session_id: '9' }],
		'',
		'OK',
		'<html>ok</html>',
		{ num_received: 1 },
		{ session_id: '9' },
		{ num_received: '1', session_id: '10' },
		{ num_received: -1, session_id: '9' },
		{ num_received: 1.5, session_id: '9' },
		{ num_received: 'x', session_id: '9' },
		{ num_received: null, session_id: '9' },
		{ num_received: 1, session_id: null },
		{ num_received: 1, session_id: '' },
		{ num_received: 1, session_id: {} },
		{ num_received: 1, session_id: '9', num_invalid_entries: 'many' },
		{ num_received: 1, session_id: '9', num_invalid_entries: -2 },
		{ data: { num_received: 1, session_id: '9' } },
		{ result: 'accepted' },
	];
	it.each(UPLOAD_ANSWERS.map((b, i) => [i, JSON.stringify(b)?.slice(0, 60), b]))('upload answered 200 with #%i %s is not a commit', async (_i, _l, body) => {
		const t = tally('Meta answers (upload result off its shape)');
		t.tried++;
		const { client } = meta(() => ok(body));
		const result = await outcome(() =>
			client.upload({ audienceId: '123', operation: 'add', schema: ['EXTERN_ID', 'EMAIL'], rows: [['1', sha('a@b.co')]], session: { sessionId: 9, batchSeq: 1, lastBatchFlag: true } }),
		);
		if (!result.error) t.lost++;
		expect(['contract', 'transient']).toContain(result.error?.kind);
	});

	const READS: Array<[string, (c: MetaClient) => Promise<unknown>, unknown[]]> = [
		['List Audiences', (c) => c.listCustomerListAudiencesPage('act_1'), [{}, [], { audiences: [] }, { data: {} }, { data: [{}] }, { data: [null] }, { data: [], paging: 'x' }, { data: [], paging: { next: 5 } }]],
		['Get Audience', (c) => c.getAudience('123'), [{}, [], { name: 'x' }, { id: null }]],
		['Get Upload Sessions', (c) => c.getSessions('123'), [{}, [], { sessions: [] }, { data: [{}] }, { data: [{ session_id: null }] }]],
		['Create Audience', (c) => c.createAudience('act_1', { name: 'x', customerFileSource: 'USER_PROVIDED_ONLY' }), [{}, [], { id: '' }, { id: 'abc' }, { success: true }]],
		['Update Audience', (c) => c.updateAudience('123', { name: 'x' }), [{}, [], { success: 'yes' }]],
		['Terms check', (c) => c.getTermsAccepted('act_1'), [[], { tos_accepted: 'yes' }, { tos_accepted: null }]],
		['List Ad Accounts', (c) => c.listAdAccounts(), [{}, [], { accounts: [] }]],
	];
	it.each(READS.flatMap(([name, call, bodies]) => bodies.map((b, i) => [name, i, call, b] as const)))(
		'%s answered hostile body #%i is an error',
		async (_name, _i, call, body) => {
			const t = tally('Meta answers (reads and creates off their shape)');
			t.tried++;
			const { client } = meta(() => ok(body));
			const result = await outcome(() => call(client));
			if (!result.error) t.lost++;
			expect(result.error?.kind).toBe('contract');
		},
	);
});

describe('the wire gate', () => {
	const SCHEMA: MetaKey[] = ['EXTERN_ID', 'EMAIL', 'PHONE', 'FN', 'MADID'];
	const good = () => ['1042', sha('a@b.co'), sha('32470123456'), sha('jane'), 'aebe52e7-03ee-455a-b3c4-e57283966239'];
	const HOSTILE: Array<[number, unknown]> = [
		[1, 'jane.doe@example.com'], [1, ' Jane.Doe@Example.com '], [1, 'JANE@EXAMPLE.COM'], [1, sha('a@b.co').toUpperCase()],
		[1, sha('a@b.co').slice(1)], [1, sha('a@b.co') + '0'], [1, ` ${sha('a@b.co')}`], [1, `${sha('a@b.co')}\n`], [1, 'g'.repeat(64)],
		[1, 12345], [1, null], [1, undefined], [1, {}], [1, ['x']], [1, true], [1, '\u200b' + sha('a@b.co').slice(1)],
		[2, '+32 470 12 34 56'], [2, '32470123456'], [2, '0470123456'], [2, 32470123456],
		[3, 'Jane'], [3, 'jane'], [3, 'Élodie'],
		[0, 'jane.doe@example.com'], [0, 'Jane@Example.COM'], [0, '+32 470 12 34 56'], [0, '+32470123456'], [0, '0032470123456'],
		[0, '0470 12 34 56'], [0, '(555) 987-6543'], [0, '0470123456'], [0, 'a\u0000b'], [0, ' 1042'], [0, 'x'.repeat(300)], [0, 1042],
		[4, 'AEBE52E7-03EE-455A-B3C4-E57283966239'], [4, 'jane@example.com'], [4, '+32 470 12 34 56'], [4, ' aebe52e7-03ee '],
	];
	it.each(HOSTILE.map(([col, v], i) => [i, SCHEMA[col], JSON.stringify(v) ?? String(v), col, v]))(
		'#%i %s = %s is refused before the wire, and the error holds no value',
		async (_i, _key, _label, col, value) => {
			const t = tally('Values sent (wire gate)');
			t.tried++;
			const row: unknown[] = good();
			row[col] = value;
			const { client, requests } = meta(() => ok({ num_received: 2, session_id: '9' }));
			const result = await outcome(() =>
				client.upload({ audienceId: '123', operation: 'add', schema: SCHEMA, rows: [good(), row as string[]], session: { sessionId: 9, batchSeq: 1, lastBatchFlag: true } }),
			);
			if (requests.length) t.leaked++;
			if (!result.error) t.lost++;
			expect(requests).toHaveLength(0);
			expect(result.error?.refused).toEqual([{ index: 1, key: SCHEMA[col], reason: expect.any(String) }]);
			const text = `${result.error?.message} ${result.error?.hint}`;
			if (/jane|470|555|example|aebe/i.test(text)) t.leaked++;
			expect(text).not.toMatch(/jane|470|555|example|aebe/i);
		},
	);

	it('every row the core builds passes the gate (no false refusal)', () => {
		const t = tally('Values sent (wire gate)');
		const values = ['a@b.co', ' Mary@Example.com', '+32 470 12 34 56', '0470 12 34 56', 'Jane', '1042', 'AEBE52E7-03EE-455A-B3C4-E57283966239', '', null];
		for (const v of values) {
			for (const key of SCHEMA) {
				t.tried++;
				const n = normalizeWithReason(key, v, { defaultCountry: 'BE' }).value;
				const wire = n === '' || key === 'EXTERN_ID' || key === 'MADID' ? n : sha(n);
				expect(refusedRows([key], [[wire]])).toEqual([]);
			}
		}
	});
});

describe('consent', () => {
	it('every negative form reads as negative, every unclear one as unknown', () => {
		const neg = tally('Consent (negative forms)');
		for (const v of NEGATIVE_FORMS) {
			neg.tried++;
			if (parseConsent(v) !== false) neg.lost++;
		}
		const unk = tally('Consent (unclear forms: never yes)');
		for (const v of UNKNOWN_FORMS) {
			unk.tried++;
			if (parseConsent(v) === true) unk.lost++;
		}
		expect(neg.lost).toBe(0);
		expect(unk.lost).toBe(0);
	});
});

describe('identifiers in error texts', () => {
	const KEYS: Array<{ attribute: string; value: string }> = [
		{ attribute: 'emailAddress', value: 'jane.doe@example.com' },
		{ attribute: 'emailAddress', value: 'Jane.Doe+ads@Example.co.uk' },
		{ attribute: 'emailAddress', value: 'jané@exämple.be' },
		{ attribute: 'gsmNumber', value: '+32 470 12 34 56' },
		{ attribute: 'gsmNumber', value: '0032470123456' },
		{ attribute: 'gsmNumber', value: '+32470123456' },
	];
	const FAILURES: Array<[string, (req: HttpRequest) => HttpResponse | never]> = [
		['400 echoing the path', (req) => ({ status: 400, headers: {}, body: { message: `Bad key in ${req.url}` } })],
		['403 HTML echoing the path', (req) => ({ status: 403, headers: {}, body: `<html>${decodeURIComponent(req.url)}</html>` })],
		['409', () => ({ status: 409, headers: {}, body: { detail: 'conflict' } })],
		['429', () => ({ status: 429, headers: {}, body: {} })],
		['500 echoing the path', (req) => ({ status: 500, headers: {}, body: { error: decodeURIComponent(req.url) } })],
		['200 HTML', (req) => ok(`<html>${req.url}</html>`)],
		['network error quoting the URL', (req) => {
			throw new Error(`ECONNRESET ${req.url}`);
		}],
	];
	it.each(KEYS.flatMap((key) => FAILURES.map(([label, f]) => [key.value, label, key, f] as const)))(
		'Get Profile by %s, %s: no identifier in the error',
		async (_v, _label, key, failure) => {
			const t = tally('PII in error texts (Get Profile by unique attribute)');
			t.tried++;
			const { api } = actito((req) => failure(req));
			const result = await outcome(() => api.getProfile('16', key));
			expect(result.error).toBeDefined();
			const e = result.error;
			const text = [e.message, e.hint, e.path, e.serviceMessage].join(' ');
			const local = key.value.split('@')[0].toLowerCase();
			const digits = key.value.replace(/\D/g, '');
			const leaked =
				text.toLowerCase().includes(local) ||
				text.toLowerCase().includes(encodeURIComponent(local).toLowerCase()) ||
				(digits.length > 6 && text.replace(/\D/g, ' ').split(' ').some((d) => d.length >= 7 && digits.includes(d)));
			if (leaked) t.leaked++;
			expect(leaked).toBe(false);
		},
	);
});
