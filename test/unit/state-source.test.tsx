// Where the operations find the link states (nodes/shared/stateSource.ts): the static data n8n
// handed over, or, with the 'N8n Link State in Queue Mode API' credential, the stored copy read
// from n8n's public API (n8n 2.x queue mode hands a worker empty static data). A real HTTP server
// plays n8n's GET /api/v1/workflows/{id}; the credential's own authenticate block sets the key.
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';

import { NodeOperationError } from 'n8n-workflow';

import { N8nStateApi } from '../../credentials/N8nStateApi.credentials';
import { linkCallsPerMinute, linkStateBucket } from '../../nodes/shared/stateSource';

type Json = Record<string, any>;

const KEY = 'good-key';
const WORKFLOW = 'amQueueWf000001';
let server: http.Server;
let baseUrl: string;
let answer: { status: number; body: unknown } = { status: 200, body: {} };
const seen: Array<{ url: string; key: string | undefined }> = [];

beforeAll(async () => {
	server = http.createServer((req, res) => {
		seen.push({ url: req.url ?? '', key: req.headers['x-n8n-api-key'] as string | undefined });
		if (req.headers['x-n8n-api-key'] !== KEY) {
			res.writeHead(401, { 'content-type': 'application/json' }).end('{"message":"unauthorized"}');
			return;
		}
		res.writeHead(answer.status, { 'content-type': 'application/json' }).end(JSON.stringify(answer.body));
	});
	await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
	baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => new Promise<void>((r) => server.close(() => r())));
beforeEach(() => {
	seen.length = 0;
});

/** What n8n gives an operation: the execution's static data and its helpers. */
function context({ credential, staticData = {} }: { credential?: Json | null; staticData?: Json } = {}) {
	const spec = new N8nStateApi();
	const global = (staticData.global ??= {});
	return {
		getWorkflowStaticData: (type: string) => (type === 'global' ? global : {}),
		getNode: () => ({ name: 'Sync', credentials: credential === null ? {} : { n8nStateApi: { id: 'c1', name: 'state' } } }),
		getWorkflow: () => ({ id: WORKFLOW }),
		getCredentials: async () => credential ?? { baseUrl, apiKey: KEY },
		helpers: {
			async httpRequestWithAuthentication(this: unknown, type: string, options: Json) {
				expect(type).toBe('n8nStateApi');
				const cred = credential ?? { baseUrl, apiKey: KEY };
				const headers = { ...(options.headers ?? {}), 'X-N8N-API-KEY': (spec.authenticate.properties.headers as Json)['X-N8N-API-KEY'].replace('={{$credentials.apiKey}}', cred.apiKey) };
				const url = new URL(options.url);
				for (const [k, v] of Object.entries(options.qs ?? {})) url.searchParams.set(k, String(v));
				const res = await fetch(url, { method: options.method, headers });
				const text = await res.text();
				return { statusCode: res.status, headers: {}, body: text ? JSON.parse(text) : null };
			},
		},
		staticData,
	};
}

const stateOf = (link: string, members: string) => ({ link, version: 1, members, runs: [] });
const stored = (global: Json | null) => ({ id: WORKFLOW, name: 'x', staticData: global === null ? null : { global, 'node:Every Hour': { recurrenceRules: [] } } });

describe('linkStateBucket', () => {
	it('without the credential: the static data n8n handed over, no API call', async () => {
		const ctx = context({ credential: null, staticData: { global: { 'actitoMeta:a': stateOf('a', 'x') } } });
		const bucket = await linkStateBucket.call(ctx as never);
		expect(bucket).toBe(ctx.staticData.global);
		expect(seen).toHaveLength(0);
	});

	it("with it: the stored link states replace the handed ones (the database's copy is the truth), once per execution", async () => {
		answer = { status: 200, body: stored({ 'actitoMeta:a': stateOf('a', 'stored'), other: 1 }) };
		// A worker of n8n 2.x: empty static data, or a stale key the database no longer holds.
		const ctx = context({ staticData: { global: { 'actitoMeta:gone': stateOf('gone', 'x'), mine: 2 } } });
		const bucket = await linkStateBucket.call(ctx as never);
		expect(bucket).toBe(ctx.staticData.global);
		expect(bucket).toEqual({ 'actitoMeta:a': stateOf('a', 'stored'), mine: 2 });
		expect(seen).toEqual([{ url: `/api/v1/workflows/${WORKFLOW}?excludePinnedData=true`, key: KEY }]);
		// The next step of the same execution sees what the first wrote, not the database again.
		(bucket as Json)['actitoMeta:a'] = stateOf('a', 'written by the run');
		const again = await linkStateBucket.call(ctx as never);
		expect(again['actitoMeta:a']).toEqual(stateOf('a', 'written by the run'));
		expect(seen).toHaveLength(1);
	});

	it('a workflow without static data yet gives an empty state (a first sync)', async () => {
		answer = { status: 200, body: stored(null) };
		const ctx = context();
		expect(await linkStateBucket.call(ctx as never)).toEqual({});
	});

	it('write: false (status answers) gives a copy: nothing of the execution changes, so nothing is saved', async () => {
		answer = { status: 200, body: stored({ 'actitoMeta:a': stateOf('a', 'stored') }) };
		const ctx = context();
		const copy = await linkStateBucket.call(ctx as never, { write: false });
		expect(copy).toEqual({ 'actitoMeta:a': stateOf('a', 'stored') });
		expect(copy).not.toBe(ctx.staticData.global);
		expect(ctx.staticData.global).toEqual({});
		expect(await linkStateBucket.call(ctx as never, { write: false })).toBe(copy);
		expect(seen).toHaveLength(1);
	});

	it.each([
		['a wrong key', { baseUrl: '', apiKey: 'wrong' }, null, /refused the API key \(HTTP 401\)/, /Settings → n8n API/],
		['a key without the scope', null, { status: 403, body: { message: 'Forbidden' } }, /may not read this workflow \(HTTP 403\)/, /workflow:read/],
		['another instance', null, { status: 404, body: { message: 'Not Found' } }, /does not know workflow amQueueWf000001 \(HTTP 404\)/, /Base URL must point at this n8n/],
		['an answer that is not a workflow', null, { status: 200, body: { id: 'other', staticData: {} } }, /not the stored static data of workflow/, /Base URL/],
		['static data that is not an object', null, { status: 200, body: { id: WORKFLOW, staticData: { global: 'x' } } }, /not the stored static data/, /Base URL/],
		['a proxy page', null, { status: 502, body: null }, /HTTP 502 without a workflow/, /public API is enabled/],
		['an unreachable address', { baseUrl: 'http://127.0.0.1:9', apiKey: KEY }, null, /could not be reached/, /every worker must reach it/],
		['no address', { baseUrl: 'n8n-main', apiKey: KEY }, null, /is not an address/, /http:\/\/n8n-main:5678/],
	])('%s: a NodeOperationError naming cause and fix, never an empty state', async (_what, credential, reply, message, fix) => {
		if (reply) answer = reply as never;
		const ctx = context({ credential: credential ? { ...credential, baseUrl: credential.baseUrl || baseUrl } : undefined });
		let caught: unknown;
		try {
			await linkStateBucket.call(ctx as never);
		} catch (error) {
			caught = error;
		}
		expect(caught).toBeInstanceOf(NodeOperationError);
		expect((caught as NodeOperationError).message).toMatch(message);
		expect((caught as NodeOperationError).description).toMatch(fix);
		expect(ctx.staticData.global).toEqual({});
	});

	it("Log Negative Consent takes the link's licence share the Sync step stored, not the client's default", async () => {
		const ctx = context({ credential: null, staticData: { global: { 'actitoMeta:a': { ...stateOf('a', 'x'), config: { limits: { callsPerMinute: 45 } } } } } });
		expect(await linkCallsPerMinute.call(ctx as never, 'a')).toBe(45);
		expect(await linkCallsPerMinute.call(ctx as never, 'unknown')).toBeUndefined();
		expect(await linkCallsPerMinute.call(ctx as never, undefined)).toBeUndefined();
	});

	it('the credential test lists one workflow with the key in X-N8N-API-KEY', () => {
		const spec = new N8nStateApi();
		expect(spec.test.request).toMatchObject({ url: '/api/v1/workflows', qs: { limit: 1 } });
		expect(spec.authenticate).toEqual({ type: 'generic', properties: { headers: { 'X-N8N-API-KEY': '={{$credentials.apiKey}}' } } });
	});
});
