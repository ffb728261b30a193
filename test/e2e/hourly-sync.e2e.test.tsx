/**
 * The hourly template in a real n8n (2.41.1 by default, N8N_VERSION=1.123.81 too; packed package
 * in its nodes folder), driven through `n8n execute` (mode cli, which persists static data as the
 * hourly schedule's runs do), against both sandboxes. Asserts on the Meta sandbox's exact rows.
 * The template's executions are saved (success and error): none may hold a plain identifier.
 */
/* eslint-disable @typescript-eslint/no-require-imports */
const scenario = require('../../scripts/lib/scenario');

jest.setTimeout(900_000);

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

	async function state(): Promise<Json> {
		return Object.values((await host.readStaticData(workflow.id)).global as Json)[0] as Json;
	}

	async function run({ expectFailure = false } = {}) {
		const result = await host.execute(workflow.id);
		if (!expectFailure && result.exitCode !== 0) {
			throw new Error(`n8n execute failed: ${scenario.describeRunError(result)}`);
		}
		const ran = Object.keys(result.result?.data?.resultData?.runData ?? {});
		if (!ran.includes(scenario.SYNC_NODE)) {
			throw new Error(`The run did not reach Sync (ran: ${ran.join(', ')}); stdout starts: ${result.stdout.slice(0, 300)}`);
		}
		return result.result;
	}

	test('first run: Meta holds exactly the wanted profiles, state holds no PII', async () => {
		const result = await run();
		const summary = scenario.nodeOutput(result, scenario.SYNC_NODE)[0];
		expect(summary.status).toBe('success');
		const wantedCount = await expectMetaExact();
		expect(summary.sent.add).toBe(wantedCount);
		expect(summary.sent.remove).toBe(0);
		const data = await host.readStaticData(workflow.id);
		const text = JSON.stringify(data ?? {});
		expect(text).toContain('actitoMeta:');
		for (const value of seededPii) expect(text.includes(value)).toBe(false);
		const st = await state();
		expect(st.memberCount).toBe(wantedCount);
		expect(st.syncedAt).toBeTruthy();
		expect(st.runs.at(-1).status).toBe('success');
		expect(st.config.identifiers[0]).toEqual({ key: 'EXTERN_ID', field: 'profileId' });
		const size = scenario.nodeOutput(result, 'Estimated Size')[0];
		expect(size.upperBound).toBeGreaterThan(0);
	});

	test('a run with no changes makes zero Meta upload calls', async () => {
		await scenario.control(sandboxes.meta.url, 'POST', 'requests/clear');
		const result = await run();
		expect(scenario.nodeOutput(result, scenario.SYNC_NODE)[0].sent).toEqual({ add: 0, remove: 0, replace: 0 });
		expect(await scenario.metaUploads(sandboxes.meta.url)).toHaveLength(0);
		const st = await state();
		expect(st.runs.at(-1)).toMatchObject({ status: 'success', mode: 'incremental' });
		expect(st.syncedAt).toBeTruthy();
	});

	test('membership, consent and e-mail changes: removals first, Meta exact, the withdrawal logged', async () => {
		const { profiles } = await scenario.control(sandboxes.actito.url, 'GET', 'profiles');
		const wantedBefore = new Set((await scenario.wantedRows(sandboxes.actito.url)).map((r: string[]) => r[0]));
		const inVip = profiles.filter((p: Json) => wantedBefore.has(String(p.profileId)) && p.attributes.emailAddress?.includes('@'));
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
		const summary = scenario.nodeOutput(result, scenario.SYNC_NODE)[0];
		expect(summary.status).toBe('success');
		expect(summary.sent).toEqual({ remove: 5, add: 5, replace: 0 });
		const uploads = await scenario.metaUploads(sandboxes.meta.url);
		expect(uploads[0].operation).toBe('remove');
		expect(uploads.reduce((n: number, u: Json) => n + u.rows, 0)).toBe(10);
		await expectMetaExact();
		// Refused → Log Negative Consent: ids only, and the record fields the Actito contract names.
		expect(scenario.nodeOutput(result, scenario.SYNC_NODE, 1)).toEqual([{ profileId: withdrawing, reason: 'consent_negative', link: summary.link }]);
		expect(scenario.nodeOutput(result, 'Log Negative Consent').map((l: Json) => l.profileId)).toEqual([withdrawing]);
		const { records } = await scenario.control(sandboxes.actito.url, 'GET', 'custom-tables/negative_consent');
		const mine = records.map((r: Json) => Object.fromEntries(r.properties.map((p: Json) => [p.name, p.value]))).filter((r: Json) => r.profileId === withdrawing);
		expect(mine).toEqual([expect.objectContaining({ event: 'NEGATIVE_CONSENT', moment: expect.any(String), audience: summary.link })]);
		expect((await state()).pendingRefusals).toEqual([]);
	});

	test('a full reconcile forced without editing the workflow (tag in the Meta description) removes a deleted profile', async () => {
		const wanted = await scenario.wantedRows(sandboxes.actito.url);
		const victim = wanted[10][0];
		await scenario.control(sandboxes.actito.url, 'DELETE', `profiles/${victim}`);
		const graph = `${sandboxes.meta.url}/v26.0/${audienceId}`;
		const auth = { authorization: 'Bearer sandbox-meta-token' };
		const current = (await (await fetch(`${graph}?fields=description`, { headers: auth })).json()) as Json;
		const set = await fetch(graph, {
			method: 'POST',
			headers: { ...auth, 'content-type': 'application/json' },
			body: JSON.stringify({ description: `${current.description} [actito-meta: reconcile]` }),
		});
		expect(set.status).toBe(200);
		await scenario.control(sandboxes.meta.url, 'POST', 'requests/clear');
		const summary = scenario.nodeOutput(await run(), scenario.SYNC_NODE)[0];
		expect(summary.mode).toBe('full');
		expect(summary.sent).toEqual({ remove: 1, add: 0, replace: 0 });
		await expectMetaExact();
		const after = (await (await fetch(`${graph}?fields=description`, { headers: auth })).json()) as Json;
		expect(after.description).not.toContain('reconcile');
		// Re-importing the generated workflow (no staticData key) keeps the state.
		await host.importWorkflow(workflow);
		expect((await state()).runs.length).toBe(4);
	});

	test('a failing Actito read is a failed, saved execution and is in the run history and the status', async () => {
		await scenario.control(sandboxes.actito.url, 'POST', 'faults', { match: { method: 'GET', path: '/profiles/*' }, count: 50, status: 503, body: '<html>down</html>' });
		try {
			const result = await run({ expectFailure: true });
			expect(scenario.runError(result)).toBeTruthy();
		} finally {
			await scenario.control(sandboxes.actito.url, 'POST', 'faults/clear');
		}
		const st = await state();
		expect(st.runs.at(-1).status).toBe('error');
		expect(st.lastError).toBeTruthy();
		expect(st.syncedAt).toBeNull();
		const executions = await host.listExecutions(workflow.id);
		expect(executions.some((e: Json) => e.status === 'error')).toBe(true);
		// The next run repairs it.
		await run();
		await expectMetaExact();
	});

	test('no seeded e-mail or phone in static data, saved executions or n8n logs', async () => {
		const executions = await host.readExecutions(workflow.id);
		expect(executions.length).toBeGreaterThan(100);
		const sources: Record<string, string> = {
			staticData: JSON.stringify(await host.readStaticData(workflow.id)),
			executions,
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
