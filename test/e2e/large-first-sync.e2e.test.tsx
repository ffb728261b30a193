/**
 * The first sync of a large audience in one run of the hourly template, in a real n8n (2.41.1 by
 * default, N8N_VERSION=1.123.81 too), measured for memory, not time: the streaming Sync step holds a
 * page, a batch and the state, never the audience as n8n items. The bound is the (n8n's peak
 * at most its idle + 300 MB); "idle" is the same `n8n execute` of the same workflow with nothing to
 * sync (the next run), so the difference is what the first sync itself costs. The previous item
 * chain needed about 1.2 GB more at 100,000 members (BENCHMARKS.md, benchmark 4).
 */
/* eslint-disable @typescript-eslint/no-require-imports */
const scenario = require('../../scripts/lib/scenario');
const { sampleN8nRss } = require('../../bench/lib/e2e');

jest.setTimeout(900_000);

type Json = Record<string, any>;

const MEMBERS = 40_000;
const BOUND_BYTES = 300 * 1e6;

describe('first sync of a large audience in a real n8n', () => {
	let sandboxes: Json;
	let host: Json;
	let workflow: Json;
	let audienceId: string;

	beforeAll(async () => {
		sandboxes = await scenario.startSandboxes();
		({ audienceId } = await scenario.seedScenario(sandboxes, { profiles: Math.round(MEMBERS * 1.25), members: MEMBERS, seed: 11 }));
		// Memory, not the licence, is under test: the sandbox's minute budget out of the way, and the
		// Sync step at its highest setting (100 a minute: 41 calls fit in one rolling minute).
		await scenario.control(sandboxes.actito.url, 'POST', 'config', { callsPerMinute: 10_000_000 });
		({ host, workflow } = await scenario.setupN8n(sandboxes, { audienceId }));
		const sync = workflow.nodes.find((n: Json) => n.name === scenario.SYNC_NODE);
		sync.parameters.limits = { ...sync.parameters.limits, callsPerMinute: 100 };
		await host.importWorkflow(workflow);
	});

	afterAll(async () => {
		await host?.dispose();
		await sandboxes?.close();
	});

	async function measuredRun(): Promise<{ result: Json; peak: number }> {
		const stop = sampleN8nRss(host);
		const run = await host.execute(workflow.id, { timeoutMs: 15 * 60_000 });
		const peak = stop();
		if (run.exitCode !== 0) throw new Error(`n8n execute failed: ${scenario.describeRunError(run)}`);
		return { result: run.result, peak };
	}

	test(`${MEMBERS.toLocaleString('en')} members in one run: Meta exact, n8n's peak within its idle + 300 MB`, async () => {
		const first = await measuredRun();
		const summary = scenario.nodeOutput(first.result, scenario.SYNC_NODE)[0];
		expect(summary).toMatchObject({ status: 'success', mode: 'full' });
		const wanted = await scenario.wantedRows(sandboxes.actito.url);
		expect(wanted.length).toBeGreaterThan(MEMBERS / 2);
		expect(summary.sent.add).toBe(wanted.length);
		const members = await scenario.metaMembers(sandboxes.meta.url, audienceId);
		expect(scenario.sortRows(members.rows)).toEqual(scenario.sortRows(wanted));
		// No item per profile on the hourly path: Sync's outputs are a summary and the refusals.
		expect(Object.values(first.result.data.resultData.runData).flatMap((runs: any) => runs.flatMap((r: Json) => r.data?.main ?? []).flat()).length).toBeLessThan(50);

		const idle = await measuredRun();
		expect(scenario.nodeOutput(idle.result, scenario.SYNC_NODE)[0].sent).toEqual({ add: 0, remove: 0, replace: 0 });
		expect(first.peak).toBeGreaterThan(0);
		expect(idle.peak).toBeGreaterThan(0);
		console.log(`first sync of ${wanted.length} rows: n8n execute peak ${Math.round(first.peak / 1e6)} MB, idle run ${Math.round(idle.peak / 1e6)} MB`);
		expect(first.peak - idle.peak).toBeLessThanOrEqual(BOUND_BYTES);
	});
});

export {};
