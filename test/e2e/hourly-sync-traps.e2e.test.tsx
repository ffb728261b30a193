/**
 * The traps of issue 9, each shown impossible in a real n8n with the hourly template, against the
 * Meta sandbox's exact rows. Every trap gets its own link (its own generated workflow and Meta
 * audience) in one n8n: two workflows of the template live side by side without collision
 * (ids, webhook paths, state keys).
 */
/* eslint-disable @typescript-eslint/no-require-imports */
const scenario = require('../../scripts/lib/scenario');
const core = () => require('../../dist/core');

jest.setTimeout(900_000);

type Json = Record<string, any>;

describe('the traps of issue 9 in a real n8n', () => {
	let sandboxes: Json;
	let host: Json;

	beforeAll(async () => {
		sandboxes = await scenario.startSandboxes();
		await scenario.seedScenario(sandboxes, { profiles: 1500, members: 400, seed: 31 });
		// One host for every link; the first link's setup installs the package and the credentials.
		({ host } = await scenario.setupN8n(sandboxes, { audienceId: await newAudience('first') }));
	});

	afterAll(async () => {
		await host?.dispose();
		await sandboxes?.close();
	});

	async function newAudience(name: string): Promise<string> {
		const seeded = await scenario.control(sandboxes.meta.url, 'POST', 'seed', { audiences: [{ adAccountId: scenario.AD_ACCOUNT, name, subtype: 'CUSTOM' }] });
		const a = seeded.audiences[0];
		return String(typeof a === 'object' ? a.id : a);
	}

	async function link(overrides: Json = {}) {
		const audienceId = await newAudience(`trap ${Math.random()}`);
		const { workflow } = await scenario.setupN8n(sandboxes, { audienceId, host, workflowOverrides: overrides });
		return { audienceId, workflow };
	}

	async function run(workflow: Json) {
		const result = await host.execute(workflow.id);
		if (result.exitCode !== 0) throw new Error(`n8n execute failed: ${scenario.describeRunError(result)}`);
		return result.result;
	}

	/** Meta rows wanted for a link, computed here from the raw profiles (docs/DESIGN.md, "Sync semantics"). */
	async function wanted({ keys = ['EMAIL', 'PHONE'], unknown = 'allow', subscription = '', defaultCountry = 'BE' } = {}) {
		const { buildMetaRow, parseConsent } = core();
		const { profiles } = await scenario.control(sandboxes.actito.url, 'GET', 'profiles');
		const field: Json = { EMAIL: 'emailAddress', PHONE: 'gsmNumber' };
		const schema = ['EXTERN_ID', ...keys];
		const rows: string[][] = [];
		for (const p of profiles) {
			if (p.deleted || !p.segments.includes(scenario.SEGMENTATION)) continue;
			const raw = subscription ? (p.subscriptions || []).find((s: Json) => s.name === subscription)?.subscribe : p.attributes.marketingConsent;
			const consent = parseConsent(raw);
			if (consent === false || (consent === null && unknown === 'block')) continue;
			const values: Json = { EXTERN_ID: String(p.profileId) };
			for (const k of keys) values[k] = p.attributes[field[k]];
			const built = buildMetaRow(schema, values, { defaultCountry, country: typeof p.attributes.country === 'string' ? p.attributes.country : undefined });
			if (built.hasMatchKey) rows.push(built.row);
		}
		return { schema, rows };
	}

	async function expectExact(audienceId: string, want: { schema: string[]; rows: string[][] }) {
		const members = await scenario.metaMembers(sandboxes.meta.url, audienceId);
		expect(members.schema).toEqual(want.schema);
		expect(scenario.sortRows(members.rows)).toEqual(scenario.sortRows(want.rows));
	}

	const members = async (audienceId: string) => new Set<string>(((await scenario.metaMembers(sandboxes.meta.url, audienceId)).rows ?? []).map((r: string[]) => r[0]));

	test('trap 1: a mapping without EXTERN_ID cannot lose removals — a withdrawal leaves Meta', async () => {
		const { audienceId, workflow } = await link({ identifiers: 'EMAIL=emailAddress' });
		await run(workflow);
		await expectExact(audienceId, await wanted({ keys: ['EMAIL'] }));
		const victim = [...(await members(audienceId))][0];
		await scenario.control(sandboxes.actito.url, 'POST', 'profiles/changes', [{ profileId: victim, attributes: { marketingConsent: false } }]);
		const summary = scenario.nodeOutput(await run(workflow), scenario.SYNC_NODE)[0];
		expect(summary.sent.remove).toBe(1);
		expect(await members(audienceId)).not.toContain(victim);
		await expectExact(audienceId, await wanted({ keys: ['EMAIL'] }));
	});

	test('trap 2a: unknown consent "block" is one setting — no unknown-consent member at Meta', async () => {
		const { audienceId, workflow } = await link({ 'unknown-consent': 'block' });
		await run(workflow);
		await expectExact(audienceId, await wanted({ unknown: 'block' }));
	});

	test('trap 2b: a changed default country replaces once on purpose, then no churn', async () => {
		const { audienceId, workflow } = await link();
		await run(workflow);
		const nl = JSON.parse(JSON.stringify(workflow));
		nl.nodes.find((n: Json) => n.name === scenario.SYNC_NODE).parameters.defaultCountry = 'NL';
		await host.importWorkflow(nl);
		const first = scenario.nodeOutput(await run(nl), scenario.SYNC_NODE)[0];
		expect(first.replace).toBe(true);
		await expectExact(audienceId, await wanted({ defaultCountry: 'NL' }));
		await scenario.control(sandboxes.meta.url, 'POST', 'requests/clear');
		const second = scenario.nodeOutput(await run(nl), scenario.SYNC_NODE)[0];
		expect(second.sent).toEqual({ add: 0, remove: 0, replace: 0 });
		expect(await scenario.metaUploads(sandboxes.meta.url)).toHaveLength(0);
	});

	test('trap 2c: consent from a subscription works — Newsletter=false is never added', async () => {
		const { profiles } = await scenario.control(sandboxes.actito.url, 'GET', 'profiles');
		const vip = profiles.filter((p: Json) => p.segments.includes(scenario.SEGMENTATION));
		await scenario.control(sandboxes.actito.url, 'POST', 'profiles/changes', vip.map((p: Json, i: number) => ({ profileId: p.profileId, subscriptions: { Newsletter: i % 3 !== 0 } })));
		const { audienceId, workflow } = await link({ 'consent-subscription': 'Newsletter', 'unknown-consent': 'block' });
		await run(workflow);
		const want = await wanted({ subscription: 'Newsletter', unknown: 'block' });
		expect(want.rows.length).toBeGreaterThan(100);
		await expectExact(audienceId, want);
	});

	test('trap 3: the audit log — refusals are written as event/moment and, when refused by Actito, logged by a later run', async () => {
		const { audienceId, workflow } = await link();
		await run(workflow);
		// The audit table does not exist yet: the write fails, the refusal is kept.
		const broken = JSON.parse(JSON.stringify(workflow));
		broken.nodes.find((n: Json) => n.name === 'Log Negative Consent').parameters.customTable = 'audit_later';
		await host.importWorkflow(broken);
		const victim = [...(await members(audienceId))][1];
		await scenario.control(sandboxes.actito.url, 'POST', 'profiles/changes', [{ profileId: victim, attributes: { marketingConsent: false } }]);
		await run(broken);
		expect(await members(audienceId)).not.toContain(victim);
		const state = async () => Object.values((await host.readStaticData(workflow.id)).global as Json)[0] as Json;
		expect((await state()).pendingRefusals).toEqual([{ profileId: victim, reason: 'consent_negative' }]);
		await scenario.control(sandboxes.actito.url, 'POST', 'custom-tables', { name: 'audit_later' });
		const result = await run(broken);
		expect(scenario.nodeOutput(result, scenario.SYNC_NODE, 1).map((r: Json) => r.profileId)).toEqual([victim]);
		const { records } = await scenario.control(sandboxes.actito.url, 'GET', 'custom-tables/audit_later');
		const flat = records.map((r: Json) => Object.fromEntries(r.properties.map((p: Json) => [p.name, p.value])));
		expect(flat).toEqual([expect.objectContaining({ profileId: victim, event: 'NEGATIVE_CONSENT', moment: expect.any(String) })]);
		expect((await state()).pendingRefusals).toEqual([]);
		await host.importWorkflow(workflow);
	});

	test('trap 4: a refusing profile that joins is never sent to Meta (no add, no removal of what Meta never had)', async () => {
		const { audienceId, workflow } = await link();
		await run(workflow);
		const { profiles } = await scenario.control(sandboxes.actito.url, 'GET', 'profiles');
		const refuser = profiles.find((p: Json) => !p.segments.includes(scenario.SEGMENTATION) && p.attributes.marketingConsent === false);
		await scenario.control(sandboxes.actito.url, 'POST', 'profiles/changes', [{ profileId: refuser.profileId, join: [scenario.SEGMENTATION] }]);
		await scenario.control(sandboxes.meta.url, 'POST', 'requests/clear');
		const result = await run(workflow);
		const uploads = await scenario.metaUploads(sandboxes.meta.url);
		expect(uploads).toHaveLength(0);
		expect(scenario.nodeOutput(result, scenario.SYNC_NODE, 1).map((r: Json) => r.profileId)).toEqual([String(refuser.profileId)]);
		await expectExact(audienceId, await wanted());
	});

	test('two links side by side in one n8n: distinct ids, webhook paths and state keys', async () => {
		const a = await link();
		const b = await link();
		expect(a.workflow.id).not.toBe(b.workflow.id);
		const path = (w: Json) => w.nodes.find((n: Json) => n.name === 'Status Page').parameters.path;
		expect(path(a.workflow)).not.toBe(path(b.workflow));
		await run(a.workflow);
		await run(b.workflow);
		const keyOf = async (w: Json) => Object.keys((await host.readStaticData(w.id)).global);
		expect(await keyOf(a.workflow)).not.toEqual(await keyOf(b.workflow));
		await expectExact(a.audienceId, await wanted());
		await expectExact(b.audienceId, await wanted());
	});

	test('the bundled template file imports as it is with n8n import:workflow --input=<one file>', async () => {
		const file = require('node:path').join(__dirname, '..', '..', 'templates', 'actito-meta-hourly-sync.json');
		const run1 = await host.cli(['import:workflow', `--input=${file}`]);
		expect(run1.code ?? run1.exitCode).toBe(0);
		const realtime = require('node:path').join(__dirname, '..', '..', 'templates', 'actito-meta-realtime-push.json');
		const run2 = await host.cli(['import:workflow', `--input=${realtime}`]);
		expect(run2.code ?? run2.exitCode).toBe(0);
	});
});

export {};
