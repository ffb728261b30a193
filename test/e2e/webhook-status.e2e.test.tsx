/**
 * A running n8n (`n8n start`) with the two templates of one link active: the near-real-time push
 * (Actito Webhook Trigger → … → Meta Sync Members), which receives what the Actito sandbox
 * delivers to n8n's production webhook URL, and the hourly link, whose status page answers from
 * the stored state. The hourly runs (`n8n execute` beside the server) reconcile behind the
 * real-time flow without replacing the audience: the two do not fight, and end exact.
 */
/* eslint-disable @typescript-eslint/no-require-imports */
const scenario = require('../../scripts/lib/scenario');

jest.setTimeout(900_000);

type Json = Record<string, any>;

async function waitFor<T>(what: string, probe: () => Promise<T | null | undefined>, tries = 240): Promise<T> {
	for (let i = 0; i < tries; i++) {
		const value = await probe();
		if (value) return value;
		await new Promise((r) => setTimeout(r, 250));
	}
	throw new Error(`timed out waiting for ${what}`);
}

describe('real-time push, hourly backstop and status page in a running n8n', () => {
	let sandboxes: Json;
	let host: Json;
	let workflow: Json;
	let realtime: Json;
	let audienceId: string;

	const metaIds = async () => new Set<string>(((await scenario.metaMembers(sandboxes.meta.url, audienceId)).rows ?? []).map((r: string[]) => r[0]));
	const wantedIds = async () => new Set<string>((await scenario.wantedRows(sandboxes.actito.url)).map((r: string[]) => r[0]));
	const sameSet = (a: Set<string>, b: Set<string>) => a.size === b.size && [...a].every((x) => b.has(x));

	async function expectMetaExact() {
		const wanted = await scenario.wantedRows(sandboxes.actito.url);
		const members = await scenario.metaMembers(sandboxes.meta.url, audienceId);
		expect(scenario.sortRows(members.rows)).toEqual(scenario.sortRows(wanted));
	}

	async function hourly() {
		const result = await host.execute(workflow.id);
		if (result.exitCode !== 0) throw new Error(`hourly run failed: ${scenario.describeRunError(result)}`);
		return scenario.nodeOutput(result.result, scenario.SYNC_NODE)[0];
	}

	beforeAll(async () => {
		sandboxes = await scenario.startSandboxes();
		({ audienceId } = await scenario.seedScenario(sandboxes, { profiles: 400, members: 150, seed: 11 }));
		({ host, workflow } = await scenario.setupN8n(sandboxes, { audienceId }));
		realtime = await scenario.setupRealtime(host, { audienceId });
		expect((await hourly()).status).toBe('success');
		await host.activate(realtime.id);
		await host.activate(workflow.id);
		await host.start();
		await waitFor('the webhook subscriptions', async () => {
			const list = (await scenario.control(sandboxes.actito.url, 'GET', 'requests')).requests.filter(
				(r: Json) => r.method === 'POST' && r.path.includes('/webhookSubscription') && r.status < 300,
			);
			return list.length >= 3 ? list : null;
		});
	});

	afterAll(async () => {
		await host?.dispose();
		await sandboxes?.close();
	});

	test('joins, leaves and a consent withdrawal reach Meta through the real-time flow', async () => {
		const { profiles } = await scenario.control(sandboxes.actito.url, 'GET', 'profiles');
		const wanted = await wantedIds();
		const inVip = profiles.filter((p: Json) => wanted.has(String(p.profileId)));
		const joiners = profiles
			.filter((p: Json) => !p.segments.includes(scenario.SEGMENTATION) && p.attributes.marketingConsent === true && /@.+\./.test(p.attributes.emailAddress ?? ''))
			.slice(0, 3);
		await scenario.control(sandboxes.actito.url, 'POST', 'profiles/changes', [
			...joiners.map((p: Json) => ({ profileId: p.profileId, join: [scenario.SEGMENTATION] })),
			...inVip.slice(0, 2).map((p: Json) => ({ profileId: p.profileId, leave: [scenario.SEGMENTATION] })),
			{ profileId: inVip[2].profileId, attributes: { marketingConsent: false } },
		]);
		await waitFor('Meta to equal the wanted set (real-time flow)', async () => (sameSet(await metaIds(), await wantedIds()) ? true : null));
		await expectMetaExact();
	});

	test('the hourly run behind it does not replace, ends exact, and the next run sends nothing', async () => {
		const summary = await hourly();
		expect(summary.status).toBe('success');
		expect(summary.replace).toBe(false);
		expect(summary.notes.join(' ')).toMatch(/real-time flow/);
		await expectMetaExact();
		const st = Object.values((await host.readStaticData(workflow.id)).global as Json)[0] as Json;
		expect(st.replacePending ?? null).toBeNull();
		expect(st.memberCount).toBe((await wantedIds()).size);
		await scenario.control(sandboxes.meta.url, 'POST', 'requests/clear');
		const quiet = await hourly();
		expect(quiet.replace).toBe(false);
		expect(quiet.sent).toEqual({ add: 0, remove: 0, replace: 0 });
		expect(await scenario.metaUploads(sandboxes.meta.url)).toHaveLength(0);
	});

	test('the status page needs its credential; with it, it shows the link without personal data', async () => {
		const anonymous = await scenario.fetchStatus(host, workflow.id, { key: null });
		expect([401, 403]).toContain(anonymous.status);
		const wrong = await scenario.fetchStatus(host, workflow.id, { key: 'guess' });
		expect([401, 403]).toContain(wrong.status);
		const answer = await scenario.fetchStatus(host, workflow.id);
		expect(answer.status).toBe(200);
		const status = (await answer.json()) as Json;
		expect(status.link).toContain(`meta:${audienceId}`);
		expect(status.memberCount).toBe((await wantedIds()).size);
		expect(status.syncedAt).toBeTruthy();
		expect(status.lastRuns[0].status).toBe('success');
		expect(status.configuration.schema).toEqual(scenario.SCHEMA);
		expect(status.meta.upperBound).toBeGreaterThan(0);
		const text = JSON.stringify(status);
		expect(text).not.toMatch(/@/);
		expect(text).not.toContain('sandbox-meta-token');
		// The workflow id (and so the address) is random, not derived from the link.
		expect(workflow.id).toMatch(/^am[0-9a-f]{14}$/);
	});

	test('60 status hits cost no Actito call and at most one Meta call a minute', async () => {
		await scenario.control(sandboxes.meta.url, 'POST', 'requests/clear');
		const actitoBefore = (await scenario.control(sandboxes.actito.url, 'GET', 'requests')).requests.length;
		const answers = await Promise.all(Array.from({ length: 60 }, () => scenario.fetchStatus(host, workflow.id)));
		expect(answers.every((a: Response) => a.status === 200)).toBe(true);
		const metaCalls = (await scenario.control(sandboxes.meta.url, 'GET', 'requests')).requests.length;
		expect(metaCalls).toBeLessThanOrEqual(1);
		const actitoAfter = (await scenario.control(sandboxes.actito.url, 'GET', 'requests')).requests.length;
		expect(actitoAfter - actitoBefore).toBe(0);
	});
	test('a delivery without the secret header is refused with 401 and sends nothing to Meta', async () => {
		const hookId = realtime.nodes.find((n: Json) => n.name === 'Actito Webhook Trigger').webhookId;
		const url = host.webhookUrl(`${hookId}/webhook`);
		await scenario.control(sandboxes.meta.url, 'POST', 'requests/clear');
		const { profiles } = await scenario.control(sandboxes.actito.url, 'GET', 'profiles');
		const outsider = profiles.find((p: Json) => !p.segments.includes(scenario.SEGMENTATION));
		for (const headers of [{}, { 'x-actito-secret': 'not-the-secret' }] as Array<Record<string, string>>) {
			const answer = await fetch(url, {
				method: 'POST',
				headers: { 'content-type': 'application/json', ...headers },
				body: JSON.stringify({ id: `forged-${Math.random()}`, data: { profileId: String(outsider.profileId) } }),
			});
			expect(answer.status).toBe(401);
		}
		await new Promise((r) => setTimeout(r, 1000));
		expect(await scenario.metaUploads(sandboxes.meta.url)).toHaveLength(0);
	});

	test('an editor test run (mode manual) of the hourly workflow uploads nothing and leaves the static data untouched', async () => {
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
