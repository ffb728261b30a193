// The two Actito triggers executed in-process against the Actito sandbox: the polling trigger's
// baseline, joined/left events, full check and manual mode; the webhook trigger's lifecycle,
// secret check, duplicate handling and bulk split, with the sandbox delivering real events.
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { IDataObject, INodeExecutionData, IWebhookResponseData } from 'n8n-workflow';

import { ActitoApi } from '../../core/actito/actitoApi';
import { ActitoClient } from '../../core/actito/actitoClient';
import { decodeMembers } from '../../core/state/memberCodec';
import { ActitoAudienceTrigger } from '../../nodes/ActitoAudienceTrigger/ActitoAudienceTrigger.node';
import { ActitoWebhookTrigger } from '../../nodes/ActitoWebhookTrigger/ActitoWebhookTrigger.node';
import { controlCall, createNodeTransport } from '../support/nodeTransport';
import { createTriggerContext, type TriggerContextOptions } from '../support/triggerContext';

// eslint-disable-next-line @typescript-eslint/no-var-requires
const { startActitoSandbox } = require('../../sandbox/actito');

type Sandbox = { url: string; close(): Promise<void>; whenDeliveriesSettled(): Promise<void> };

const VIP = 'Audiences:VIP';
const TABLE = { __rl: true, mode: 'list', value: 'Customers' };
const SEGMENTATION = { __rl: true, mode: 'list', value: VIP };

let sandbox: Sandbox;
let credentials: Record<string, unknown>;
let api: ActitoApi;

const control = (method: 'GET' | 'POST' | 'DELETE', path: string, body?: unknown) =>
	controlCall(sandbox.url, method, `/__sandbox/${path}`, body);

interface SandboxProfile {
	profileId: string;
	attributes: Record<string, unknown>;
	segments: string[];
	deleted: boolean;
}

async function profiles(): Promise<SandboxProfile[]> {
	return (await control('GET', 'profiles')).profiles;
}

beforeAll(async () => {
	sandbox = await startActitoSandbox({ port: 0, allowLoopbackWebhooks: true });
	credentials = { apiKey: 'sandbox-actito-key', environment: 'custom', baseUrl: sandbox.url, entity: 'acme' };
	api = new ActitoApi(
		new ActitoClient({
			credentials: { apiKey: 'sandbox-actito-key', baseUrl: sandbox.url, entity: 'acme' },
			transport: createNodeTransport(),
			sleep: async () => {},
		}),
	);
});

afterAll(async () => {
	await sandbox.close();
});

beforeEach(async () => {
	await control('POST', 'reset');
	await control('POST', 'seed', {
		profiles: 40,
		seed: 7,
		segmentations: [{ category: 'Audiences', name: 'VIP', members: 10 }],
	});
});

// ---------------------------------------------------------------------------------------------
describe('Actito Audience Trigger (polling)', () => {
	const node = new ActitoAudienceTrigger();

	function poll(staticData: IDataObject, extra: Partial<TriggerContextOptions> = {}) {
		const { context } = createTriggerContext({
			node,
			credentials,
			staticData,
			parameters: { table: TABLE, segmentation: SEGMENTATION, ...(extra.parameters ?? {}) },
			mode: extra.mode ?? 'trigger',
		});
		return node.poll.call(context) as Promise<INodeExecutionData[][] | null>;
	}

	const events = (out: INodeExecutionData[][] | null) => (out ? out[0].map((i) => i.json) : []);

	it('records a baseline first, then emits joined and left', async () => {
		const staticData: IDataObject = {};
		expect(await poll(staticData)).toBeNull();

		const all = await profiles();
		const members = all.filter((p) => p.segments.includes(VIP));
		expect(members.length).toBeGreaterThan(0);
		expect(staticData.memberCount).toBe(members.length);
		expect([...decodeMembers(staticData.members as string).keys()].sort((a, b) => a - b)).toEqual(
			members.map((p) => Number(p.profileId)).sort((a, b) => a - b),
		);
		// The cursor holds ids and times only.
		const text = JSON.stringify(staticData);
		for (const p of all) {
			if (p.attributes.emailAddress) expect(text).not.toContain(String(p.attributes.emailAddress));
		}
		expect(Object.keys(staticData).sort()).toEqual(['audience', 'lastFullCheckAt', 'memberCount', 'members', 'v', 'watermark']);

		// Nothing changed: nothing to emit.
		expect(await poll(staticData)).toBeNull();

		const joiner = all.find((p) => !p.segments.includes(VIP))!;
		const leaver = members[0];
		await control('POST', `profiles/${joiner.profileId}`, { join: [VIP] });
		await control('POST', `profiles/${leaver.profileId}`, { leave: [VIP] });
		// An unrelated change of a non-member is read but emits nothing.
		const bystander = all.filter((p) => !p.segments.includes(VIP))[1];
		await control('POST', `profiles/${bystander.profileId}`, { firstName: 'Changed' });

		const out = events(await poll(staticData));
		expect(out).toHaveLength(2);
		const joined = out.find((e) => e.event === 'joined')!;
		const left = out.find((e) => e.event === 'left')!;
		expect(joined).toMatchObject({ profileId: joiner.profileId, segmentation: VIP, table: 'Customers' });
		expect(joined.email).toBe(joiner.attributes.emailAddress);
		expect('marketingConsent' in joined).toBe(true);
		expect(typeof joined.updateMoment).toBe('string');
		expect(left).toMatchObject({ profileId: leaver.profileId, segmentation: VIP, table: 'Customers' });
		expect(left).not.toHaveProperty('email');
		expect(left).not.toHaveProperty('phone');
		expect(staticData.memberCount).toBe(members.length);

		// The overlap re-reads the same profiles, but their membership is already recorded.
		expect(await poll(staticData)).toBeNull();
	});

	it('finds deleted members at the full check', async () => {
		const staticData: IDataObject = {};
		await poll(staticData);
		const member = (await profiles()).find((p) => p.segments.includes(VIP))!;
		await control('DELETE', `profiles/${member.profileId}`);
		// Deleted profiles are never listed, so an incremental poll cannot see them.
		expect(await poll(staticData)).toBeNull();

		staticData.lastFullCheckAt = new Date(Date.now() - 25 * 3_600_000).toISOString();
		const out = events(await poll(staticData));
		expect(out).toEqual([
			{ event: 'left', profileId: member.profileId, marketingConsent: null, segmentation: VIP, table: 'Customers', updateMoment: null },
		]);
		expect(Date.parse(staticData.lastFullCheckAt as string)).toBeGreaterThan(Date.now() - 60_000);
		expect(await poll(staticData)).toBeNull();
	});

	it.each([
		['an HTML page', '<!DOCTYPE html><html><body>Maintenance</body></html>'],
		['{}', {}],
		['a renamed list', { items: [] }],
	])('a full check answered 200 with %s emits no false "left" events and keeps the cursor', async (_label, body) => {
		const staticData: IDataObject = {};
		await poll(staticData);
		staticData.lastFullCheckAt = new Date(Date.now() - 25 * 3_600_000).toISOString();
		const before = JSON.stringify(staticData);
		await control('POST', 'faults', { match: { path: '/profiles/v5/entities/acme/profile-tables/16/profiles' }, count: 1, status: 200, body });
		const error: any = await poll(staticData).then(
			() => null,
			(e) => e,
		);
		expect(error?.message).toMatch(/not the documented answer/);
		expect(JSON.stringify(staticData)).toBe(before);
		// The next full check, on a good answer, finds nobody gone.
		expect(await poll(staticData)).toBeNull();
	});

	it('emits the current members on the first poll when asked', async () => {
		const staticData: IDataObject = {};
		const out = events(await poll(staticData, { parameters: { options: { emitCurrentMembers: true } } }));
		const members = (await profiles()).filter((p) => p.segments.includes(VIP));
		expect(out.map((e) => e.profileId).sort()).toEqual(members.map((p) => p.profileId).sort());
		expect(out.every((e) => e.event === 'joined')).toBe(true);
		expect(staticData.memberCount).toBe(members.length);
	});

	it('starts a new baseline when the audience changes', async () => {
		const staticData: IDataObject = {};
		await poll(staticData);
		await control('POST', 'seed', { profiles: 10, seed: 3, segmentations: [{ category: 'Audiences', name: 'Gold', members: 4 }] });
		expect(await poll(staticData, { parameters: { segmentation: { mode: 'id', value: 'Audiences:Gold' } } })).toBeNull();
		expect(staticData.audience).toBe('acme/16/Audiences:Gold');
		expect(staticData.memberCount).toBe(4);
	});

	it('returns a sample in manual mode and moves nothing', async () => {
		const fresh: IDataObject = {};
		const sample = events(await poll(fresh, { mode: 'manual' }));
		expect(sample).toHaveLength(1);
		expect(sample[0]).toMatchObject({ event: 'joined', segmentation: VIP, table: 'Customers' });
		expect(fresh).toEqual({});

		const active: IDataObject = {};
		await poll(active);
		const before = structuredClone(active);
		const member = (await profiles()).find((p) => p.segments.includes(VIP))!;
		await control('POST', `profiles/${member.profileId}`, { leave: [VIP] });
		expect(events(await poll(active, { mode: 'manual' }))).toHaveLength(1);
		expect(active).toEqual(before);
		// The production poll still sees the change the manual one did not consume.
		expect(events(await poll(active))).toMatchObject([{ event: 'left', profileId: member.profileId }]);
	});

	it('says clearly when a manual sample has no member to show', async () => {
		await control('POST', 'seed', { profiles: 5, seed: 1, segmentations: [{ category: 'Audiences', name: 'Empty', members: 0 }] });
		await expect(
			poll({}, { mode: 'manual', parameters: { segmentation: { mode: 'id', value: 'Audiences:Empty' } } }),
		).rejects.toThrow(/Audiences:Empty of table Customers has no members/);
	});
});

// ---------------------------------------------------------------------------------------------
describe('Actito Webhook Trigger', () => {
	const node = new ActitoWebhookTrigger();
	let server: http.Server;
	let baseUrl: string;
	let staticData: IDataObject;
	let executions: IDataObject[][];
	let answers: number[];
	let parameters: Record<string, unknown>;

	const hookPath = '/webhook/0c2d6a4e/webhook';
	const targetUrl = () => baseUrl + hookPath;

	function hookContext() {
		return createTriggerContext({ node, credentials, staticData, parameters, webhookUrl: targetUrl() }).context;
	}

	async function callWebhook(headers: Record<string, string | undefined>, body: unknown) {
		const { context, response } = createTriggerContext({
			node,
			credentials,
			staticData,
			parameters,
			mode: 'webhook',
			request: { headers, body },
		});
		const result = (await node.webhook.call(context)) as IWebhookResponseData;
		return { result, response };
	}

	beforeAll(async () => {
		// Stands in for n8n's webhook server: hands each delivery to the node and answers like n8n.
		server = http.createServer((req, res) => {
			let text = '';
			req.on('data', (c) => (text += c));
			req.on('end', async () => {
				try {
					const { result, response } = await callWebhook(req.headers as Record<string, string>, JSON.parse(text));
					if (result.noWebhookResponse) {
						// The node answered itself (a refusal, or a bulk delivery answered before its re-read).
						answers.push(response.statusCode);
						res.writeHead(response.statusCode, { 'content-type': 'application/json' }).end(JSON.stringify(response.body));
						if (result.workflowData) executions.push(result.workflowData[0].map((i) => i.json));
						return;
					}
					if (result.workflowData) executions.push(result.workflowData[0].map((i) => i.json));
					answers.push(200);
					res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(result.webhookResponse ?? { message: 'Workflow was started' }));
				} catch (error) {
					answers.push(500);
					res.writeHead(500).end(String((error as Error).message));
				}
			});
		});
		await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
		baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
	});

	afterAll(async () => {
		await new Promise<void>((r) => server.close(() => r()));
	});

	beforeEach(() => {
		staticData = {};
		executions = [];
		answers = [];
		parameters = { table: TABLE };
	});

	const hooks = () => node.webhookMethods.default;

	async function activate() {
		const ctx = hookContext();
		expect(await hooks().checkExists.call(ctx)).toBe(false);
		expect(await hooks().create.call(ctx)).toBe(true);
		return staticData.secret as string;
	}

	it('creates one subscription per event type, checks them and deletes them', async () => {
		const secret = await activate();
		expect(secret).toMatch(/^[0-9a-f]{64}$/);
		const subs = await api.listWebhookSubscriptions({ tableId: '16' });
		expect(subs.map((s) => s.eventType).sort()).toEqual(['UPDATE', 'UPDATED_SEGMENT']);
		for (const s of subs) {
			expect(s.targetUrl).toBe(targetUrl());
			expect(s.headers).toEqual({ 'X-Actito-Secret': secret });
		}
		expect(Object.keys(staticData.subscriptions as object).sort()).toEqual(subs.map((s) => s.id).sort());
		expect(await hooks().checkExists.call(hookContext())).toBe(true);

		// One deleted behind our back: not there any more, and a new registration repairs it.
		await api.deleteWebhookSubscription(subs[0].id);
		expect(await hooks().checkExists.call(hookContext())).toBe(false);
		expect(await hooks().create.call(hookContext())).toBe(true);
		const repaired = await api.listWebhookSubscriptions({ tableId: '16' });
		expect(repaired.map((s) => s.eventType).sort()).toEqual(['UPDATE', 'UPDATED_SEGMENT']);
		expect(repaired.find((s) => s.id === subs[1].id)).toBeDefined();
		expect(repaired.every((s) => s.headers?.['X-Actito-Secret'] === staticData.secret)).toBe(true);
		expect(staticData.secret).not.toBe(secret);
		expect(await hooks().checkExists.call(hookContext())).toBe(true);

		// A change of event types is a new registration: the dropped type goes away.
		parameters = { table: TABLE, eventTypes: ['UPDATED_SEGMENT', 'DELETE'] };
		expect(await hooks().checkExists.call(hookContext())).toBe(false);
		await hooks().create.call(hookContext());
		expect((await api.listWebhookSubscriptions({ tableId: '16' })).map((s) => s.eventType).sort()).toEqual(['DELETE', 'UPDATED_SEGMENT']);

		expect(await hooks().delete.call(hookContext())).toBe(true);
		expect(await api.listWebhookSubscriptions({ tableId: '16' })).toEqual([]);
		expect(staticData.secret).toBeUndefined();
		expect(staticData.subscriptions).toBeUndefined();
		expect(await hooks().checkExists.call(hookContext())).toBe(false);
	});

	it('receives sandbox deliveries with the secret, re-reads the profile, and ignores a repeated event id', async () => {
		await activate();
		const joiner = (await profiles()).find((p) => !p.segments.includes(VIP))!;
		await control('POST', `profiles/${joiner.profileId}`, { join: [VIP] });
		await sandbox.whenDeliveriesSettled();

		expect(executions).toHaveLength(1);
		expect(executions[0]).toHaveLength(1);
		const item = executions[0][0];
		expect(item).toMatchObject({
			eventType: 'UPDATED_SEGMENT',
			profileId: joiner.profileId,
			email: joiner.attributes.emailAddress,
			deleted: false,
		});
		expect(item.segments).toContain(VIP);
		expect('marketingConsent' in item).toBe(true);
		expect((item.changedFields as IDataObject).segmentations).toEqual([
			{ belongs: true, segmentation: { category: 'Audiences', name: 'VIP' } },
		]);
		const deliveries = (await control('GET', 'webhooks/deliveries')).deliveries;
		expect(deliveries.map((d: { status: number }) => d.status)).toEqual([200]);
		expect(item.eventId).toBe(deliveries[0].eventId);
		expect(item.subscriptionId).toBe(deliveries[0].subscriptionId);

		// Actito repeats a delivery: answered 200, no second execution.
		await control('POST', 'webhooks/redeliver', { eventId: deliveries[0].eventId });
		await sandbox.whenDeliveriesSettled();
		expect(executions).toHaveLength(1);
		const again = (await control('GET', 'webhooks/deliveries')).deliveries;
		expect(again.map((d: { status: number }) => d.status)).toEqual([200, 200]);
		expect(staticData.recentEventIds).toEqual([deliveries[0].eventId]);
	});

	it('splits a bulk delivery into one item per profile', async () => {
		await activate();
		await control('POST', 'config', { bulkDelivery: true });
		const all = await profiles();
		const outs = all.filter((p) => !p.segments.includes(VIP)).slice(0, 2);
		const member = all.find((p) => p.segments.includes(VIP))!;
		await control('POST', 'profiles/changes', [
			{ profileId: outs[0].profileId, join: [VIP] },
			{ profileId: outs[1].profileId, join: [VIP] },
			{ profileId: member.profileId, leave: [VIP] },
		]);
		await sandbox.whenDeliveriesSettled();
		expect(executions).toHaveLength(1);
		const items = executions[0];
		expect(items.map((i) => i.profileId)).toEqual([outs[0].profileId, outs[1].profileId, member.profileId]);
		expect(new Set(items.map((i) => i.eventId)).size).toBe(1);
		expect(items.every((i) => i.eventType === 'UPDATED_SEGMENT')).toBe(true);
		expect(items[2].segments).not.toContain(VIP);
		expect(items[0].segments).toContain(VIP);
	});

	// n8n hands each delivery its own copy of the static data (read from the database), so the
	// stored list of event ids alone cannot stop concurrent deliveries of one event.
	function deliveryContext(body: unknown, secret: string, onRequest?: TriggerContextOptions['onRequest']) {
		return createTriggerContext({
			node,
			credentials,
			staticData: structuredClone(staticData),
			parameters,
			mode: 'webhook',
			request: { headers: { 'x-actito-secret': secret }, body },
			onRequest,
		});
	}

	it('runs one execution for 5 concurrent deliveries of one event id', async () => {
		const secret = await activate();
		const [p] = await profiles();
		const body = { id: 'race-1', data: { profileId: p.profileId, lastName: 'X' } };
		const results = (await Promise.all(
			Array.from({ length: 5 }, () => node.webhook.call(deliveryContext(body, secret).context)),
		)) as IWebhookResponseData[];
		expect(results.filter((r) => r.workflowData).length).toBe(1);
		expect(results.filter((r) => (r.webhookResponse as IDataObject)?.status === 'duplicate').length).toBe(4);
	});

	it('a small delivery whose re-read fails answers an error and can be delivered again', async () => {
		const secret = await activate();
		const [p] = await profiles();
		const body = { id: 'retry-1', data: { profileId: p.profileId } };
		await control('POST', 'faults', { match: { path: `/profiles/v5/entities/acme/profile-tables/16/profiles/${p.profileId}` }, count: 1, status: 400 });
		await expect(node.webhook.call(deliveryContext(body, secret).context)).rejects.toThrow();
		const again = (await node.webhook.call(deliveryContext(body, secret).context)) as IWebhookResponseData;
		expect(again.workflowData?.[0][0].json).toMatchObject({ profileId: p.profileId, deleted: false });
	});

	it('answers a bulk delivery of 70 events before re-reading any profile', async () => {
		const secret = await activate();
		const ids = (await profiles()).slice(0, 35).map((p) => p.profileId);
		const data = [...ids, ...ids].map((profileId, i) => ({ profileId, firstName: `N${i}` }));
		let answeredBeforeEveryRead = true;
		let reads = 0;
		const { context, response } = deliveryContext({ id: 'bulk-70', data }, secret, (o) => {
			if (/\/profiles\/\d+$/.test(String(o.url))) {
				reads++;
				if (!response.sent) answeredBeforeEveryRead = false;
			}
		});
		const result = (await node.webhook.call(context)) as IWebhookResponseData;
		expect(response.statusCode).toBe(200);
		expect(response.body).toEqual({ status: 'accepted', eventId: 'bulk-70', events: 70 });
		expect(answeredBeforeEveryRead).toBe(true);
		expect(reads).toBe(35);
		expect(result.noWebhookResponse).toBe(true);
		const items = result.workflowData![0].map((i) => i.json);
		expect(items).toHaveLength(70);
		expect(items.every((i) => i.deleted === false && typeof i.profileId === 'string')).toBe(true);
		// The event id is remembered: a repeat is a duplicate.
		const repeat = (await node.webhook.call(deliveryContext({ id: 'bulk-70', data }, secret).context)) as IWebhookResponseData;
		expect((repeat.webhookResponse as IDataObject).status).toBe('duplicate');
	});

	it('a bulk delivery whose re-read fails after the answer goes on marked, without profile data', async () => {
		const secret = await activate();
		const ids = (await profiles()).slice(0, 12).map((p) => p.profileId);
		await control('POST', 'faults', { match: { path: '/profiles/v5/entities/acme/profile-tables/16/profiles/*' }, count: 100, status: 403 });
		const { context, response } = deliveryContext({ id: 'bulk-fail', data: ids.map((profileId) => ({ profileId })) }, secret);
		const result = (await node.webhook.call(context)) as IWebhookResponseData;
		expect(response.statusCode).toBe(200);
		const items = result.workflowData![0].map((i) => i.json);
		expect(items).toHaveLength(12);
		expect(items.every((i) => i.reReadFailed === true && !('email' in i))).toBe(true);
		await control('POST', 'faults/clear');
	});

	it('answers 401 and starts nothing without the right secret', async () => {
		const secret = await activate();
		const body = { id: 'e-1', data: { profileId: '1001', firstName: 'X' } };
		for (const headers of [{}, { 'x-actito-secret': 'nope' }, { 'x-actito-secret': 'f'.repeat(64) }, { 'x-actito-secret': secret.slice(0, 63) }]) {
			const { result, response } = await callWebhook(headers, body);
			expect(result).toEqual({ noWebhookResponse: true });
			expect(response.statusCode).toBe(401);
			expect(response.body).toEqual({ message: 'Missing or wrong X-Actito-Secret header' });
		}
		// A refused call does not poison the duplicate memory.
		expect(staticData.recentEventIds).toBeUndefined();
		const { result } = await callWebhook({ 'X-Actito-Secret': secret }, body);
		expect(result.workflowData?.[0]).toHaveLength(1);

		// Before any registration there is no secret at all: everything is refused.
		staticData = {};
		const { response } = await callWebhook({ 'x-actito-secret': secret }, { id: 'e-2', data: { profileId: '1001' } });
		expect(response.statusCode).toBe(401);
	});

	it('marks a profile that cannot be re-read as deleted, and can skip the re-read', async () => {
		const secret = await activate();
		const [gone, kept] = await profiles();
		await control('DELETE', `profiles/${gone.profileId}`);
		const { result } = await callWebhook(
			{ 'x-actito-secret': secret },
			{ id: 'e-3', data: [{ profileId: gone.profileId }, { profileId: kept.profileId, lastName: 'New' }], _links: { webhook: { href: '/x' } } },
		);
		const items = result.workflowData![0].map((i) => i.json);
		expect(items[0]).toMatchObject({ profileId: gone.profileId, deleted: true });
		expect(items[0]).not.toHaveProperty('email');
		expect(items[1]).toMatchObject({ profileId: kept.profileId, deleted: false, changedFields: { lastName: 'New' } });

		parameters = { table: TABLE, reReadProfiles: false };
		const plain = (await callWebhook({ 'x-actito-secret': secret }, { id: 'e-4', data: { profileId: kept.profileId, lastName: 'B' } })).result;
		expect(plain.workflowData![0][0].json).toEqual({
			eventId: 'e-4',
			eventType: null,
			profileId: kept.profileId,
			changedFields: { lastName: 'B' },
		});
	});

	it('names the subscription in the way on a conflict, and leaves nothing half-registered', async () => {
		const foreign = await api.createWebhookSubscription({
			eventType: 'UPDATE',
			onElementId: '16',
			targetUrl: 'https://other.example.com/hook',
			headers: {},
		});
		const ctx = hookContext();
		const error = await hooks()
			.create.call(ctx)
			.then(() => null, (e: Error & { description?: string }) => e);
		expect(error).not.toBeNull();
		expect(error!.constructor.name).toBe('NodeOperationError');
		expect(error!.message).toContain(`subscription ${foreign.id}`);
		expect(error!.message).toContain('UPDATE');
		expect(error!.message).toContain('https://other.example.com/hook');
		expect(error!.description).toMatch(new RegExp(`delete subscription ${foreign.id}`));
		expect(error!.description).toMatch(/share/);
		// The UPDATED_SEGMENT subscription made before the conflict was taken back.
		expect((await api.listWebhookSubscriptions({ tableId: '16' })).map((s) => s.id)).toEqual([foreign.id]);
		expect(staticData.subscriptions).toBeUndefined();
	});

	it('adopts a subscription that already delivers to its own URL', async () => {
		const orphan = await api.createWebhookSubscription({ eventType: 'UPDATE', onElementId: '16', targetUrl: targetUrl(), headers: { 'X-Actito-Secret': 'old' } });
		await activate();
		const subs = await api.listWebhookSubscriptions({ tableId: '16' });
		expect(subs).toHaveLength(2);
		expect(subs.find((s) => s.id === orphan.id)?.headers).toEqual({ 'X-Actito-Secret': staticData.secret });
		expect((staticData.subscriptions as Record<string, string>)[orphan.id]).toBe('UPDATE');
	});
});
