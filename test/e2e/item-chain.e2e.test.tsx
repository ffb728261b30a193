/**
 * The building blocks for item flows in a real n8n (2.41.1 by default, N8N_VERSION=1.123.81 too),
 * chained as the previous hourly design did (bench/item-chain-workflow.json: Get Changes →
 * Consent Filter → Hash Identifiers → Sync Members, Blocked → Log Negative Consent) into an
 * audience of their own, driven through `n8n execute`. Asserts on the Meta sandbox's exact rows:
 * a first run, then a leave, a join, a consent withdrawal and a phone change.
 */
/* eslint-disable @typescript-eslint/no-require-imports */
const scenario = require('../../scripts/lib/scenario');
const { itemChainWorkflow } = require('../../bench/lib/e2e');

jest.setTimeout(900_000);

type Json = Record<string, any>;

describe('the item-flow building blocks in a real n8n', () => {
	let sandboxes: Json;
	let host: Json;
	let chain: Json;
	let audienceId: string;

	beforeAll(async () => {
		sandboxes = await scenario.startSandboxes();
		const seeded = await scenario.seedScenario(sandboxes, { profiles: 900, members: 400, seed: 21 });
		({ host } = await scenario.setupN8n(sandboxes, { audienceId: seeded.audienceId }));
		const made = await scenario.control(sandboxes.meta.url, 'POST', 'seed', {
			audiences: [{ adAccountId: scenario.AD_ACCOUNT, name: 'VIP customers (item chain)', subtype: 'CUSTOM' }],
		});
		audienceId = String(typeof made.audiences[0] === 'object' ? made.audiences[0].id : made.audiences[0]);
		chain = scenario.fitToHost(itemChainWorkflow({ metaAudienceId: audienceId }), host);
		// Saved executions, so that a failing run can be read (the fixture saves none, as the old template did).
		chain.settings = { ...chain.settings, saveDataErrorExecution: 'all', saveDataSuccessExecution: 'all', saveManualExecutions: true };
		await host.importWorkflow(chain);
	});

	afterAll(async () => {
		await host?.dispose();
		await sandboxes?.close();
	});

	async function run(): Promise<Json> {
		const result = await host.execute(chain.id);
		if (result.exitCode !== 0) throw new Error(`n8n execute failed: ${scenario.describeRunError(result)}`);
		return result.result;
	}

	async function expectMetaExact(): Promise<number> {
		const wanted = await scenario.wantedRows(sandboxes.actito.url, { defaultCountry: 'BE' });
		const members = await scenario.metaMembers(sandboxes.meta.url, audienceId);
		expect(scenario.sortRows(members.rows)).toEqual(scenario.sortRows(wanted));
		return wanted.length;
	}

	test('first run: Get Changes plans every wanted member and the chain leaves Meta exact', async () => {
		const result = await run();
		const planned = scenario.nodeOutput(result, 'Get Changes');
		expect(planned.length).toBeGreaterThan(0);
		expect(planned.every((item: Json) => item.link && item.profileId)).toBe(true);
		const wanted = await expectMetaExact();
		expect(wanted).toBeGreaterThan(100);
		// Hash Identifiers' rows leave for Meta hashed: no plain e-mail in what Sync Members got.
		const hashed = scenario.nodeOutput(result, 'Hash Identifiers');
		expect(JSON.stringify(hashed)).not.toMatch(/@/);
	});

	test('a leave, a join, a withdrawal and a phone change: removals reach Meta, the withdrawal is logged', async () => {
		const { profiles } = await scenario.control(sandboxes.actito.url, 'GET', 'profiles');
		const wantedIds = new Set((await scenario.wantedRows(sandboxes.actito.url, { defaultCountry: 'BE' })).map((r: string[]) => r[0]));
		const inVip = profiles.filter((p: Json) => wantedIds.has(String(p.profileId)) && String(p.attributes.gsmNumber ?? '').length > 5);
		const outVip = profiles.filter((p: Json) => !p.segments.includes(scenario.SEGMENTATION) && p.attributes.marketingConsent === true && !p.deleted);
		const leaver = String(inVip[0].profileId);
		const withdrawing = String(inVip[1].profileId);
		const phoneChanged = String(inVip[2].profileId);
		const joiner = String(outVip[0].profileId);
		await scenario.control(sandboxes.actito.url, 'POST', 'profiles/changes', [
			{ profileId: leaver, leave: [scenario.SEGMENTATION] },
			{ profileId: joiner, join: [scenario.SEGMENTATION] },
			{ profileId: withdrawing, attributes: { marketingConsent: false } },
			{ profileId: phoneChanged, attributes: { gsmNumber: '+32 470 12 34 56' } },
		]);
		const result = await run();
		const planned = scenario.nodeOutput(result, 'Get Changes');
		const byId = Object.fromEntries(planned.map((item: Json) => [item.profileId, item]));
		expect(byId[leaver]).toMatchObject({ action: 'remove', reason: 'left' });
		expect(byId[joiner]).toMatchObject({ action: 'add', reason: 'joined' });
		expect(byId[withdrawing]).toMatchObject({ reason: 'consent_withdrawn' });
		await expectMetaExact();
		const logged = scenario.nodeOutput(result, 'Log Negative Consent').map((l: Json) => String(l.profileId));
		expect(logged).toContain(withdrawing);
		const { records } = await scenario.control(sandboxes.actito.url, 'GET', 'custom-tables/negative_consent');
		const mine = records.map((r: Json) => Object.fromEntries(r.properties.map((p: Json) => [p.name, p.value]))).filter((r: Json) => r.profileId === withdrawing);
		expect(mine).toEqual([expect.objectContaining({ event: 'NEGATIVE_CONSENT', moment: expect.any(String) })]);
	});
});

export {};
