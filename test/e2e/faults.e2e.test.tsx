/**
 * Faults a real n8n 1.123 meets: the process killed (SIGKILL) in the middle of a multi-batch run,
 * and two runs of the same workflow overlapping. The bundled template (packed package in n8n's
 * nodes folder) runs through `n8n execute` (mode cli, which saves static data as the hourly
 * schedule's runs do) against both sandboxes; every scenario ends with the Meta sandbox's audience
 * compared row for row with the wanted set.
 *
 * Nothing here depends on the machine's speed: the run to kill is held by the Meta sandbox on its
 * third add batch (a fault that answers only after a while, with an error, so the held batch never
 * lands), and the test kills n8n once the sandbox holds that request.
 */
/* eslint-disable @typescript-eslint/no-require-imports */
import { startExecute, waitFor } from '../support/n8nProcess';

const scenario = require('../../scripts/lib/scenario');
const { parseRunJson } = require('../../scripts/lib/n8nHost');

jest.setTimeout(600_000);

type Json = Record<string, any>;
const BATCH = 25;

describe('faults in a real n8n', () => {
	let sandboxes: Json;
	let host: Json;
	let workflow: Json;
	let audienceId: string;

	beforeAll(async () => {
		sandboxes = await scenario.startSandboxes();
		({ audienceId } = await scenario.seedScenario(sandboxes, { profiles: 3000, members: 600, seed: 23 }));
		({ host, workflow } = await scenario.setupN8n(sandboxes, { audienceId }));
		// Small batches, so that a run is many upload calls. Re-imported without a staticData key.
		const small = JSON.parse(JSON.stringify(workflow));
		small.nodes.find((n: Json) => n.name === scenario.SYNC_NODE).parameters.limits.batchSize = BATCH;
		expect(small).not.toHaveProperty('staticData');
		await host.importWorkflow(small);
		workflow = small;
	});

	afterAll(async () => {
		await host?.dispose();
		await sandboxes?.close();
	});

	const meta = (route: string, method = 'GET', body?: unknown) => scenario.control(sandboxes.meta.url, method, route, body);
	const actito = (route: string, method = 'GET', body?: unknown) => scenario.control(sandboxes.actito.url, method, route, body);

	async function metaIds(): Promise<Set<string>> {
		const members = await scenario.metaMembers(sandboxes.meta.url, audienceId);
		return new Set((members.rows ?? []).map((r: string[]) => r[0]));
	}

	async function expectMetaExact() {
		const wanted = await scenario.wantedRows(sandboxes.actito.url);
		const members = await scenario.metaMembers(sandboxes.meta.url, audienceId);
		expect(members.schema).toEqual(scenario.SCHEMA);
		expect(scenario.sortRows(members.rows)).toEqual(scenario.sortRows(wanted));
		return wanted.length;
	}

	async function state(): Promise<Json> {
		const data = await host.readStaticData(workflow.id);
		return Object.values((data?.global ?? {}) as Json)[0] as Json;
	}

	async function run() {
		const result = await host.execute(workflow.id);
		if (result.exitCode !== 0) {
			throw new Error(`n8n execute failed: ${scenario.describeRunError(result)}`);
		}
		return result.result;
	}

	/** `leave` wanted members leave VIP, `join` consenting outsiders join it. */
	async function churn(leave: number, join: number) {
		const { profiles } = await actito('profiles');
		const wanted = new Set((await scenario.wantedRows(sandboxes.actito.url)).map((r: string[]) => r[0]));
		const leavers = profiles.filter((p: Json) => wanted.has(String(p.profileId))).slice(0, leave).map((p: Json) => String(p.profileId));
		const joiners = profiles
			.filter((p: Json) => !p.deleted && !p.segments.includes(scenario.SEGMENTATION) && p.attributes.marketingConsent === true && /@.+\./.test(p.attributes.emailAddress ?? ''))
			.slice(0, join)
			.map((p: Json) => String(p.profileId));
		expect([leavers.length, joiners.length]).toEqual([leave, join]);
		await actito('profiles/changes', 'POST', [
			...leavers.map((profileId: string) => ({ profileId, leave: [scenario.SEGMENTATION] })),
			...joiners.map((profileId: string) => ({ profileId, join: [scenario.SEGMENTATION] })),
		]);
		return { leavers, joiners };
	}

	/**
	 * Starts a run and SIGKILLs n8n while the Meta sandbox holds its third add batch (two were
	 * accepted). The held request is answered later with an HTML 503, so it never lands.
	 */
	async function killMidRun() {
		const users = { method: 'POST', path: `/${audienceId}/users` };
		await meta('faults', 'DELETE');
		await meta('faults', 'POST', [
			{ match: users, count: 2, delayMs: 1 },
			{ match: users, count: 1, delayMs: 15_000, html5xx: 503 },
		]);
		const adds = () => sandboxes.meta.state.counters.uploads.add as number;
		const addsBefore = adds();
		const child = startExecute(host as Parameters<typeof startExecute>[0], workflow.id);
		const held = () => sandboxes.meta.state.faults[1]?.used === 1;
		await Promise.race([
			waitFor(held, { what: 'the third add batch to reach the Meta sandbox' }),
			child.done.then((end) => {
				throw new Error(`the run ended before it could be killed: ${end.code} ${end.stderr.slice(0, 400)}`);
			}),
		]);
		const end = await child.kill();
		expect(end.signal).toBe('SIGKILL');
		await meta('faults', 'DELETE');
		return { acceptedAddBatches: adds() - addsBefore };
	}

	test('first run: Meta holds exactly the wanted profiles', async () => {
		const result = await run();
		expect(scenario.nodeOutput(result, scenario.SYNC_NODE)[0].status).toBe('success');
		await expectMetaExact();
		expect((await state()).syncedAt).toBeTruthy();
	});

	test('n8n killed (SIGKILL) in the middle of a multi-batch run: the next run completes and Meta is exact', async () => {
		await churn(20, 120);
		const before = await state();
		const metaBefore = await metaIds();

		const { acceptedAddBatches } = await killMidRun();
		expect(acceptedAddBatches).toBe(2);
		// n8n saves static data when an execution ends: the killed one left none of its changes…
		const after = await state();
		expect(after.members).toBe(before.members);
		expect(after.watermark).toBe(before.watermark);
		expect(after.runs.length).toBe(before.runs.length);
		// …while Meta already took two add batches (additions stream out in full batches while
		// Actito is read; the leavers' removals are held until the read is over, for the guard).
		const metaNow = await metaIds();
		expect(metaNow.size).toBe(metaBefore.size + 2 * BATCH);

		await meta('requests/clear', 'POST');
		const result = await run();
		const summary = scenario.nodeOutput(result, scenario.SYNC_NODE)[0];
		expect(summary.status).toBe('success');
		// Meta shows upload sessions the saved state does not know (the killed run's): the next run
		// sends the whole wanted set through usersreplace, which makes the audience exact.
		expect(summary.replace).toBe(true);
		const count = await expectMetaExact();
		expect(summary.sent).toEqual({ remove: 0, add: 0, replace: count });
		const st = await state();
		expect(st.memberCount).toBe(count);
		expect(st.syncedAt).toBeTruthy();
		expect(st.runs.at(-1).status).toBe('success');
	});

	test('after a SIGKILL, a profile whose add landed at Meta but not in the state, then left, leaves Meta on the next run (replace)', async () => {
		const { joiners } = await churn(0, 80);
		await killMidRun();
		const atMeta = await metaIds();
		const landed = joiners.filter((id: string) => atMeta.has(id));
		expect(landed.length).toBe(2 * BATCH);
		// It leaves the audience before the next run. The state never learnt it was sent.
		await actito('profiles/changes', 'POST', [{ profileId: landed[0], leave: [scenario.SEGMENTATION] }]);
		const result = await run();
		expect(scenario.nodeOutput(result, scenario.SYNC_NODE)[0].status).toBe('success');
		// The killed execution's batches never reached the static data (n8n saves it when an
		// execution ends), so a plain diff would leave the leaver at Meta. The Sync step sees the
		// killed run's upload sessions and the run replaces the whole set (core/sync/sessions.ts).
		// (Ordered before the overlap scenario, whose long runs outlast the held request's 15 s.)
		const leftMeta = !(await metaIds()).has(landed[0]);
		// Put the world back (it rejoins; a run records it) so that the next scenario starts exact.
		await actito('profiles/changes', 'POST', [{ profileId: landed[0], join: [scenario.SEGMENTATION] }]);
		await run();
		await expectMetaExact();
		expect(leftMeta).toBe(true);
	});

	test('two runs of the same workflow overlapping: both end cleanly and the next run leaves Meta exact', async () => {
		await churn(15, 40);
		await meta('requests/clear', 'POST');
		const [a, b] = await Promise.all([host.execute(workflow.id), host.execute(workflow.id)]);
		for (const r of [a, b]) {
			if (r.exitCode === 0) {
				const summary = scenario.nodeOutput(r.result, scenario.SYNC_NODE);
				// Each planned from the same state: both send the change (or one found nothing left).
				if (summary) expect(summary[0].status).toBe('success');
			} else {
				// A clean failure: a reported error, not a crash.
				expect(scenario.runError(r.result) ?? parseRunJson(r.stdout)).toBeTruthy();
			}
		}
		expect([a.exitCode, b.exitCode]).toContain(0);
		process.stderr.write(`overlapping runs ended with exit codes ${a.exitCode} and ${b.exitCode}\n`);

		const result = await run();
		const summary = scenario.nodeOutput(result, scenario.SYNC_NODE);
		if (summary) expect(summary[0].status).toBe('success');
		await expectMetaExact();
		const st = await state();
		expect(st.syncedAt).toBeTruthy();
		expect(st.memberCount).toBe((await scenario.wantedRows(sandboxes.actito.url)).length);
		// And one more run has nothing to send.
		await meta('requests/clear', 'POST');
		await run();
		expect(await scenario.metaUploads(sandboxes.meta.url)).toHaveLength(0);
	});

	test('the mass-removal guard stops an emptied segmentation before any removal; allowed once, it removes', async () => {
		const { profiles } = await actito('profiles');
		const vip = profiles.filter((p: Json) => p.segments.includes(scenario.SEGMENTATION)).map((p: Json) => String(p.profileId));
		const before = await metaIds();
		expect(before.size).toBeGreaterThan(200);
		await actito('profiles/changes', 'POST', vip.map((profileId: string) => ({ profileId, leave: [scenario.SEGMENTATION] })));
		await meta('requests/clear', 'POST');
		const blocked = await host.execute(workflow.id);
		expect(blocked.exitCode).not.toBe(0);
		expect(JSON.stringify(scenario.runError(blocked.result))).toMatch(/mass-removal guard/);
		const removals = (await scenario.metaUploads(sandboxes.meta.url)).filter((u: Json) => u.operation === 'remove');
		expect(removals).toHaveLength(0);
		expect(await metaIds()).toEqual(before);
		const st = await state();
		expect(st.runs.at(-1).status).toBe('blocked');
		expect(st.guard.removals).toBe(before.size);
		// The user allows it for one run (an edit of the Sync step's Run Options), then turns it off.
		const allowed = JSON.parse(JSON.stringify(workflow));
		allowed.nodes.find((n: Json) => n.name === scenario.SYNC_NODE).parameters.runOptions = { allowMassRemoval: true };
		await host.importWorkflow(allowed);
		await run();
		await host.importWorkflow(workflow);
		expect((await metaIds()).size).toBe(0);
		await expectMetaExact();
		expect((await state()).guard).toBeNull();
	});
});

export {};
