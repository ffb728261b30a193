/**
 * A running n8n (`n8n start`) with two active workflows: the Actito Webhook Trigger, which
 * registers its subscription at the Actito sandbox and receives what the sandbox delivers to
 * n8n's production webhook URL; and the hourly sync, whose status page reads the sync state.
 */
/* eslint-disable @typescript-eslint/no-require-imports */
const scenario = require('../../scripts/lib/scenario');

jest.setTimeout(600_000);

type Json = Record<string, any>;

async function waitFor<T>(what: string, probe: () => Promise<T | null | undefined>, tries = 120): Promise<T> {
	for (let i = 0; i < tries; i++) {
		const value = await probe();
		if (value) return value;
		await new Promise((r) => setTimeout(r, 250));
	}
	throw new Error(`timed out waiting for ${what}`);
}

describe('webhook trigger and status page in a running n8n', () => {
	let sandboxes: Json;
	let host: Json;
	let workflow: Json;
	let audienceId: string;
	const hookWorkflowId = 'amWebhookTest001';
	const hookId = '5a1e3b2c-77aa-4c1d-9e0f-aa0000000001';

	beforeAll(async () => {
		sandboxes = await scenario.startSandboxes();
		({ audienceId } = await scenario.seedScenario(sandboxes, { profiles: 400, members: 150, seed: 11 }));
		({ host, workflow } = await scenario.setupN8n(sandboxes, { audienceId }));
		const first = await host.execute(workflow.id);
		expect(first.exitCode).toBe(0);
		await host.importWorkflow({
			id: hookWorkflowId,
			name: 'Actito profile events',
			nodes: [
				{
					id: 'b7a7c1a0-0000-4000-8000-000000000001',
					name: 'Actito Webhook Trigger',
					type: 'n8n-nodes-actito-meta.actitoWebhookTrigger',
					typeVersion: 1,
					position: [0, 0],
					webhookId: hookId,
					parameters: {
						table: { __rl: true, mode: 'id', value: 'Customers' },
						eventTypes: ['UPDATED_SEGMENT', 'UPDATE'],
						reReadProfiles: true,
					},
					credentials: { actitoApi: { id: 'actitoSandbox001', name: 'Actito (sandbox)' } },
				},
			],
			connections: {},
			settings: { executionOrder: 'v1' },
			active: false,
		});
		await host.activate(hookWorkflowId);
		await host.activate(workflow.id);
		await host.start();
	});

	afterAll(async () => {
		await host?.dispose();
		await sandboxes?.close();
	});

	test('activation registered one Actito subscription per event type, with a secret header', async () => {
		const subscriptions = await waitFor('subscriptions', async () => {
			const list = (await scenario.control(sandboxes.actito.url, 'GET', 'requests')).requests.filter(
				(r: Json) => r.method === 'POST' && r.path.includes('/webhookSubscription'),
			);
			return list.length >= 2 ? list : null;
		});
		expect(subscriptions.every((r: Json) => r.status < 300)).toBe(true);
	});

	test('an event delivered by Actito reaches n8n and runs the workflow', async () => {
		const before = (await host.listExecutions(hookWorkflowId)).length;
		const { profiles } = await scenario.control(sandboxes.actito.url, 'GET', 'profiles');
		const profile = profiles.find((p: Json) => !p.segments.includes(scenario.SEGMENTATION));
		await scenario.control(sandboxes.actito.url, 'POST', `profiles/${profile.profileId}`, { join: [scenario.SEGMENTATION] });
		const deliveries = await waitFor('a delivery', async () => {
			const d = await scenario.control(sandboxes.actito.url, 'GET', 'webhooks/deliveries');
			return d.deliveries.length && !d.pending ? d.deliveries : null;
		});
		expect(deliveries.map((d: Json) => d.status)).toContain(200);
		const executions = await waitFor('an execution', async () => {
			const list = await host.listExecutions(hookWorkflowId);
			return list.length > before ? list : null;
		});
		expect(executions.at(-1).status).toBe('success');
	});

	test('a delivery without the secret header is refused with 401 and runs nothing', async () => {
		const before = (await host.listExecutions(hookWorkflowId)).length;
		const url = host.webhookUrl(`${hookId}/webhook`);
		const answer = await fetch(url, {
			method: 'POST',
			headers: { 'content-type': 'application/json' },
			body: JSON.stringify({ id: 'forged-1', data: { profileId: '1001' } }),
		});
		expect(answer.status).toBe(401);
		const wrong = await fetch(url, {
			method: 'POST',
			headers: { 'content-type': 'application/json', 'x-actito-secret': 'not-the-secret' },
			body: JSON.stringify({ id: 'forged-2', data: { profileId: '1001' } }),
		});
		expect(wrong.status).toBe(401);
		await new Promise((r) => setTimeout(r, 1000));
		expect((await host.listExecutions(hookWorkflowId)).length).toBe(before);
	});

	test('the status page of the sync workflow shows the link status, without personal data', async () => {
		const answer = await fetch(host.webhookUrl(`actito-meta-status/${workflow.id}`));
		expect(answer.status).toBe(200);
		const status = (await answer.json()) as Json;
		const atMeta = await scenario.metaMembers(sandboxes.meta.url, audienceId);
		expect(status.link).toContain(`meta:${audienceId}`);
		expect(status.memberCount).toBeGreaterThan(0);
		// The state counts what Meta holds (the join above waits for the next hourly run).
		expect(status.memberCount).toBe(atMeta.rows.length);
		expect(status.syncedAt).toBeTruthy();
		expect(status.lastRuns[0].status).toBe('success');
		expect(status.meta.upperBound).toBeGreaterThan(0);
		expect(JSON.stringify(status)).not.toMatch(/@/);
	});

	test('an editor test run (mode manual) uploads nothing and leaves the static data untouched', async () => {
		const headers = { 'content-type': 'application/json', 'browser-id': 'e2e-browser' };
		const setup = await fetch(`${host.baseUrl}/rest/owner/setup`, {
			method: 'POST',
			headers,
			body: JSON.stringify({ email: 'ops@example.test', firstName: 'Ops', lastName: 'Team', password: 'Sandbox-Pass-1' }),
		});
		expect(setup.status).toBe(200);
		const cookie = (setup.headers.get('set-cookie') ?? '').split(';')[0];
		const before = JSON.stringify(await host.readStaticData(workflow.id));
		await scenario.control(sandboxes.meta.url, 'POST', 'requests/clear');
		const run = await fetch(`${host.baseUrl}/rest/workflows/${workflow.id}/run`, {
			method: 'POST',
			headers: { ...headers, cookie },
			body: JSON.stringify({ workflowData: workflow, triggerToStartFrom: { name: 'Try It' } }),
		});
		expect(run.status).toBe(200);
		// The last step, Estimated Size, reads the audience: the run is over when Meta saw it.
		await waitFor('the manual run to reach Estimated Size', async () => {
			const { requests } = await scenario.control(sandboxes.meta.url, 'GET', 'requests');
			return requests.some((r: Json) => r.method === 'GET' && r.path.endsWith(`/${audienceId}`)) ? true : null;
		});
		expect(await scenario.metaUploads(sandboxes.meta.url)).toHaveLength(0);
		expect(JSON.stringify(await host.readStaticData(workflow.id))).toBe(before);
	});
});

export {};
