/**
 * The hourly template in a real n8n 1.123 (packed package in its nodes folder), driven through
 * `n8n execute` (mode cli, which persists static data as the hourly schedule's runs do),
 * against both sandboxes. Asserts on the Meta sandbox's exact member rows.
 */
/* eslint-disable @typescript-eslint/no-require-imports */
const scenario = require('../../scripts/lib/scenario');

jest.setTimeout(600_000);

type Json = Record<string, any>;

describe('hourly sync in a real n8n', () => {
	let sandboxes: Json;
	let host: Json;
	let workflow: Json;
	let audienceId: string;
	let seededPii: string[];

	beforeAll(async () => {
		sandboxes = await scenario.startSandboxes();
		({ audienceId } = await scenario.seedScenario(sandboxes, { profiles: 3000, members: 800, seed: 7 }));
		({ host, workflow } = await scenario.setupN8n(sandboxes, { audienceId }));
		const { profiles } = await scenario.control(sandboxes.actito.url, 'GET', 'profiles');
		seededPii = [];
		for (const p of profiles) {
			for (const key of ['emailAddress', 'gsmNumber', 'firstName', 'lastName']) {
				const v = p.attributes?.[key];
				if (typeof v === 'string' && v.trim().length >= 5) seededPii.push(v.trim());
			}
		}
	});

	afterAll(async () => {
		await host?.dispose();
		await sandboxes?.close();
	});

	async function expectMetaExact() {
		const wanted = await scenario.wantedRows(sandboxes.actito.url);
		const members = await scenario.metaMembers(sandboxes.meta.url, audienceId);
		expect(members.schema).toEqual(scenario.SCHEMA);
		expect(scenario.sortRows(members.rows)).toEqual(scenario.sortRows(wanted));
		return wanted.length;
	}

	function staticText(data: unknown): string {
		return JSON.stringify(data ?? {});
	}

	async function run() {
		const result = await host.execute(workflow.id);
		if (result.exitCode !== 0) {
			throw new Error(`n8n execute failed: ${JSON.stringify(scenario.runError(result.result) ?? result.stderr).slice(0, 800)}`);
		}
		const ran = Object.keys(result.result?.data?.resultData?.runData ?? {});
		if (!ran.includes('Get Changes')) {
			throw new Error(`The run did not reach Get Changes (ran: ${ran.join(', ')}); stdout starts: ${result.stdout.slice(0, 300)}`);
		}
		return result.result;
	}

	test('first run: Meta holds exactly the wanted profiles, state holds no PII', async () => {
		const result = await run();
		const summary = scenario.nodeOutput(result, 'Sync Members')[0];
		expect(summary.status).toBe('success');
		const wantedCount = await expectMetaExact();
		expect(summary.sent.add).toBe(wantedCount);
		expect(summary.sent.remove).toBe(0);
		const data = await host.readStaticData(workflow.id);
		const text = staticText(data);
		expect(text).toContain('actitoMeta:');
		for (const value of seededPii) expect(text.includes(value)).toBe(false);
		const state = Object.values(data.global as Json)[0] as Json;
		expect(state.memberCount).toBe(wantedCount);
		expect(state.syncedAt).toBeTruthy();
		expect(state.runs.at(-1).status).toBe('success');
		// Estimated size ran after the sync and reports Meta's range.
		const size = scenario.nodeOutput(result, 'Estimated Size')[0];
		expect(size.upperBound).toBeGreaterThan(0);
		expect(typeof size.tooSmall).toBe('boolean');
	});

	test('a run with no changes makes zero Meta upload calls', async () => {
		await scenario.control(sandboxes.meta.url, 'POST', 'requests/clear');
		const result = await run();
		expect(scenario.nodeOutput(result, 'Sync Members')).toBeNull();
		expect(await scenario.metaUploads(sandboxes.meta.url)).toHaveLength(0);
		const state = Object.values((await host.readStaticData(workflow.id)).global as Json)[0] as Json;
		expect(state.runs.at(-1).status).toBe('success');
		expect(state.runs.at(-1).mode).toBe('incremental');
		expect(state.syncedAt).toBeTruthy();
	});

	test('membership, consent and e-mail changes: only those are sent, Meta exact again', async () => {
		const { profiles } = await scenario.control(sandboxes.actito.url, 'GET', 'profiles');
		const wantedBefore = new Set((await scenario.wantedRows(sandboxes.actito.url)).map((r: string[]) => r[0]));
		const inVip = profiles.filter((p: Json) => wantedBefore.has(String(p.profileId)));
		const outVip = profiles.filter(
			(p: Json) => !p.segments.includes(scenario.SEGMENTATION) && p.attributes.marketingConsent === true && p.attributes.emailAddress?.includes('@'),
		);
		const leavers = inVip.slice(0, 3).map((p: Json) => String(p.profileId));
		const joiners = outVip.slice(0, 4).map((p: Json) => String(p.profileId));
		const withdrawing = String(inVip[3].profileId);
		const emailChanged = String(inVip[4].profileId);
		await scenario.control(sandboxes.actito.url, 'POST', 'profiles/changes', [
			...leavers.map((profileId: string) => ({ profileId, leave: [scenario.SEGMENTATION] })),
			...joiners.map((profileId: string) => ({ profileId, join: [scenario.SEGMENTATION] })),
			{ profileId: withdrawing, attributes: { marketingConsent: false } },
			{ profileId: emailChanged, attributes: { emailAddress: `changed.${emailChanged}@example.org` } },
		]);
		await scenario.control(sandboxes.meta.url, 'POST', 'requests/clear');
		const result = await run();
		const summary = scenario.nodeOutput(result, 'Sync Members')[0];
		expect(summary.status).toBe('success');
		// 3 leavers + 1 withdrawal + the old row of the changed e-mail; 4 joiners + its new row.
		expect(summary.sent).toEqual({ remove: 5, add: 5 });
		const uploads = await scenario.metaUploads(sandboxes.meta.url);
		expect(uploads.map((u: Json) => u.operation)).toEqual(['remove', 'add']);
		expect(uploads.reduce((n: number, u: Json) => n + u.rows, 0)).toBe(10);
		await expectMetaExact();
		// The withdrawal went to the Blocked output and was logged in Actito.
		const logged = scenario.nodeOutput(result, 'Log Negative Consent');
		expect(logged.map((l: Json) => l.profileId)).toEqual([withdrawing]);
	});

	test('a deleted profile leaves Meta on the next full reconcile; re-import keeps the state', async () => {
		const wanted = await scenario.wantedRows(sandboxes.actito.url);
		const victim = wanted[10][0];
		await scenario.control(sandboxes.actito.url, 'DELETE', `profiles/${victim}`);
		// An updated workflow re-imported without a staticData key keeps the sync state.
		const updated = JSON.parse(JSON.stringify(workflow));
		updated.nodes.find((n: Json) => n.name === 'Get Changes').parameters.syncOptions.forceFullReconcile = true;
		await host.importWorkflow(updated);
		await scenario.control(sandboxes.meta.url, 'POST', 'requests/clear');
		const result = await run();
		const summary = scenario.nodeOutput(result, 'Sync Members')[0];
		expect(summary.sent).toEqual({ remove: 1, add: 0 });
		await expectMetaExact();
		const state = Object.values((await host.readStaticData(workflow.id)).global as Json)[0] as Json;
		expect(state.runs.at(-1).mode).toBe('full');
		expect(state.runs.length).toBe(4);
		await host.importWorkflow(workflow);
	});

	test('no seeded e-mail or phone in static data, saved executions or n8n logs', async () => {
		const sources: Record<string, string> = {
			staticData: staticText(await host.readStaticData(workflow.id)),
			executions: await host.readExecutions(workflow.id),
			logs: host.logs(),
		};
		for (const [name, text] of Object.entries(sources)) {
			const hits = seededPii.filter((value) => text.includes(value));
			expect({ source: name, hits: hits.length }).toEqual({ source: name, hits: 0 });
			expect({ source: name, token: text.includes('sandbox-meta-token') }).toEqual({ source: name, token: false });
			expect({ source: name, key: text.includes('sandbox-actito-key') }).toEqual({ source: name, key: false });
		}
	});
});

export {};
