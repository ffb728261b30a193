// The streaming sync step (core/sync/run.ts) against both sandboxes, without n8n: the core API
// as a programmatic user calls it. Meta's exact member rows are compared with the wanted set
// computed independently (test/nodes/sandboxes.tsx).
import { hashIdentifier } from '../../core/identifiers';
import { buildLinkConfig, LinkConfigError, linkIdOf, type LinkConfigInput } from '../../core/link/config';
import { stateKey } from '../../core/state/syncState';
import { runSync, SyncSetupError } from '../../core/sync/run';
import { sessionKind, newSessionId } from '../../core/sync/sessions';
import { coreClients } from '../support/coreClients';
import { byId, createMetaAudience, metaMembers, metaUploads, startSandboxes, VIP, wantedRows, type RawProfile, type Sandboxes } from '../nodes/sandboxes';

jest.setTimeout(60_000);

let s: Sandboxes;

const clients = () => coreClients(s);

function configFor(audienceId: string, extra: Partial<LinkConfigInput> = {}) {
	return buildLinkConfig({
		actito: { entity: 'acme', table: 'Customers', segmentation: VIP },
		meta: { adAccountId: 'act_100000000000001', audienceId },
		defaultCountry: 'BE',
		...extra,
	});
}

async function profiles(): Promise<RawProfile[]> {
	return (await s.actitoControl('GET', 'profiles')).profiles;
}

async function expectExact(audienceId: string) {
	const members = await metaMembers(s, audienceId);
	const wanted = wantedRows(await profiles());
	expect(members.schema).toEqual(['EXTERN_ID', 'EMAIL', 'PHONE']);
	expect(members.rows.slice().sort(byId)).toEqual(wanted);
	return wanted;
}

beforeAll(async () => {
	s = await startSandboxes();
	await s.actitoControl('POST', 'seed', {
		profiles: 500,
		seed: 3,
		segmentations: [{ category: 'Audiences', name: 'VIP', members: 250 }],
		consent: { true: 0.6, false: 0.25, absent: 0.15 },
	});
});
afterAll(async () => s?.close());
afterEach(async () => s.metaControl('DELETE', 'faults'));

describe('link configuration', () => {
	it('always puts EXTERN_ID = profileId first, in Meta key order, and lists every problem', () => {
		const config = configFor('1', { identifiers: [{ key: 'PHONE', field: 'gsmNumber' }, { key: 'EMAIL', field: 'emailAddress' }] });
		expect(config.identifiers.map((m) => m.key)).toEqual(['EXTERN_ID', 'EMAIL', 'PHONE']);
		expect(config.identifiers[0].field).toBe('profileId');
		expect(() =>
			buildLinkConfig({ actito: { entity: '', table: '', segmentation: 'VIP' }, meta: { adAccountId: 'x', audienceId: 'y' }, identifiers: [{ key: 'EXTERN_ID', field: 'emailAddress' }] }),
		).toThrow(LinkConfigError);
		try {
			buildLinkConfig({ actito: { entity: '', table: 'T', segmentation: 'VIP' }, meta: { adAccountId: 'x', audienceId: 'y' }, identifiers: [{ key: 'EXTERN_ID', field: 'emailAddress' }] });
		} catch (error) {
			expect((error as LinkConfigError).problems.length).toBeGreaterThanOrEqual(5);
		}
	});
	it('tags session ids by kind', () => {
		for (let i = 0; i < 50; i++) {
			const h = newSessionId('hourly');
			expect(Number.isSafeInteger(h)).toBe(true);
			expect(sessionKind(h)).toBe('hourly');
			expect(sessionKind(newSessionId('items'))).toBe('items');
		}
		expect(sessionKind('7306312345')).toBe('other');
	});
});

describe('runSync', () => {
	let audienceId: string;
	const bucket: Record<string, unknown> = {};
	beforeAll(async () => {
		audienceId = await createMetaAudience(s, 'core run');
	});

	it('first run: exact, hashed, state without PII, one details record', async () => {
		const { actito, meta } = clients();
		const out = await runSync({ config: configFor(audienceId), actito, meta, bucket });
		expect(out.error).toBeNull();
		const wanted = await expectExact(audienceId);
		expect(out.details).toMatchObject({ status: 'success', mode: 'full', memberCount: wanted.length });
		expect(out.details.sent.add).toBe(wanted.length);
		const text = JSON.stringify(bucket);
		for (const p of await profiles()) if (typeof p.attributes.emailAddress === 'string' && p.attributes.emailAddress.length > 4) expect(text.includes(p.attributes.emailAddress as string)).toBe(false);
		const uploads = await metaUploads(s);
		expect(uploads.every((u) => u.rows! <= 10_000)).toBe(true);
	});

	it('a second run with no change sends nothing', async () => {
		const { actito, meta } = clients();
		await s.metaControl('POST', 'requests/clear');
		const out = await runSync({ config: configFor(audienceId), actito, meta, bucket });
		expect(out.details).toMatchObject({ status: 'success', mode: 'incremental' });
		expect(await metaUploads(s)).toHaveLength(0);
	});

	it('leavers, a withdrawal and a changed e-mail: removals go first, Meta exact, refusal reported by id', async () => {
		const list = await profiles();
		const wanted = new Set(wantedRows(list).map((r) => r[0]));
		const inVip = list.filter((p) => wanted.has(p.profileId) && hashIdentifier('EMAIL', p.attributes.emailAddress));
		const [a, b, c, d] = inVip.map((p) => p.profileId);
		await s.actitoControl('POST', 'profiles/changes', [
			{ profileId: a, leave: [VIP] },
			{ profileId: b, leave: [VIP] },
			{ profileId: c, attributes: { marketingConsent: false } },
			{ profileId: d, attributes: { emailAddress: `changed.${d}@example.org` } },
		]);
		await s.metaControl('POST', 'requests/clear');
		const { actito, meta } = clients();
		const out = await runSync({ config: configFor(audienceId), actito, meta, bucket, changeSetLimit: 100 });
		expect(out.details.status).toBe('success');
		expect(out.details.sent).toEqual({ add: 1, remove: 4, replace: 0 });
		const ops = (await metaUploads(s)).map((u) => u.operation);
		expect(ops[0]).toBe('remove');
		await expectExact(audienceId);
		expect(out.refused).toEqual([{ profileId: c, reason: 'consent_negative' }]);
		expect(JSON.stringify(out.changes)).not.toMatch(/@/);
		expect((bucket[stateKey(linkIdOf(configFor(audienceId)))] as { pendingRefusals: unknown[] }).pendingRefusals).toHaveLength(1);
	});

	it('a changed default country replaces on purpose once, then no churn', async () => {
		const { actito, meta } = clients();
		// Same rows whatever the default country for e-mails; phones change: a deliberate replace.
		const config = configFor(audienceId, { defaultCountry: 'NL' });
		await s.metaControl('POST', 'requests/clear');
		const out = await runSync({ config, actito, meta, bucket });
		expect(out.details.replace).toBe(true);
		expect(out.details.notes.join(' ')).toMatch(/hashed rows changed/);
		await s.metaControl('POST', 'requests/clear');
		const again = await runSync({ config, actito, meta, bucket });
		expect(again.details.replace).toBe(false);
		expect(await metaUploads(s)).toHaveLength(0);
		// And back, so the other tests compare against BE.
		await runSync({ config: configFor(audienceId), actito, meta, bucket });
		await expectExact(audienceId);
	});

	it('the mass-removal guard stops an emptied segmentation before any removal, and goes on when allowed', async () => {
		const { actito, meta } = clients();
		const config = configFor(audienceId, { limits: { minRemovalsForGuard: 10 }, fullReconcileEveryHours: 0 });
		const before = await metaMembers(s, audienceId);
		const list = await profiles();
		const vip = list.filter((p) => p.segments.includes(VIP));
		await s.actitoControl('POST', 'profiles/changes', vip.map((p) => ({ profileId: p.profileId, leave: [VIP] })));
		await s.metaControl('POST', 'requests/clear');
		const out = await runSync({ config, actito, meta, bucket });
		expect(out.details.status).toBe('blocked');
		expect(out.error).toBeTruthy();
		expect(out.details.removalsHeld).toBeGreaterThan(10);
		expect((await metaUploads(s)).filter((u) => u.operation === 'remove')).toHaveLength(0);
		expect((await metaMembers(s, audienceId)).rows.length).toBe(before.rows.length);
		const st = bucket[stateKey(linkIdOf(config))] as Record<string, any>;
		expect(st.guard.removals).toBe(out.details.removalsHeld);
		expect(st.runs.at(-1).status).toBe('blocked');
		// Again: still blocked (the watermark did not move).
		expect((await runSync({ config, actito, meta, bucket })).details.status).toBe('blocked');
		const allowed = await runSync({ config, actito, meta, bucket, allowMassRemoval: true });
		expect(allowed.details.status).toBe('success');
		expect((await metaMembers(s, audienceId)).rows).toHaveLength(0);
		await s.actitoControl('POST', 'profiles/changes', vip.map((p) => ({ profileId: p.profileId, join: [VIP] })));
		await runSync({ config, actito, meta, bucket });
		await expectExact(audienceId);
	});

	it('a corrupt state stops with what is wrong and how to reset, and is never reset silently', async () => {
		const { actito, meta } = clients();
		const key = stateKey(linkIdOf(configFor(audienceId)));
		const good = bucket[key] as Record<string, unknown>;
		for (const bad of [
			{ ...good, members: '' },
			{ ...good, version: '1' },
			{ ...good, runs: 'x' },
			{ ...good, runs: [null] },
			{ ...good, members: 42 },
			{ ...good, watermark: '2099-01-01T00:00:00Z' },
			{ ...good, watermark: 'yesterday' },
		]) {
			const copy: Record<string, unknown> = { [key]: bad };
			await expect(runSync({ config: configFor(audienceId), actito, meta, bucket: copy })).rejects.toThrow(SyncSetupError);
			await expect(runSync({ config: configFor(audienceId), actito, meta, bucket: copy })).rejects.toThrow(/Discard Stored State/);
			expect(copy[key]).toBe(bad);
		}
	});

	it('a killed run (unknown hourly session) triggers a replace; a real-time (items) session does not', async () => {
		const { actito, meta } = clients();
		const list = await profiles();
		const outsider = list.find((p) => !p.segments.includes(VIP) && p.attributes.marketingConsent === true && hashIdentifier('EMAIL', p.attributes.emailAddress))!;
		const row = [outsider.profileId, hashIdentifier('EMAIL', outsider.attributes.emailAddress), ''];
		// The real-time flow adds an outsider (as if it had joined and left again since).
		await meta.upload({ audienceId, operation: 'add', schema: ['EXTERN_ID', 'EMAIL', 'PHONE'], rows: [row], session: { sessionId: newSessionId('items'), batchSeq: 1, lastBatchFlag: true } });
		await s.actitoControl('POST', 'profiles/changes', [{ profileId: outsider.profileId, attributes: { firstName: 'Touched' } }]);
		const out = await runSync({ config: configFor(audienceId), actito, meta, bucket });
		expect(out.details.replace).toBe(false);
		expect(out.details.notes.join(' ')).toMatch(/real-time flow/);
		await expectExact(audienceId);
		// A killed hourly run's stray upload.
		await meta.upload({ audienceId, operation: 'add', schema: ['EXTERN_ID', 'EMAIL', 'PHONE'], rows: [row], session: { sessionId: newSessionId('hourly'), batchSeq: 1, lastBatchFlag: true } });
		const rec = await runSync({ config: configFor(audienceId), actito, meta, bucket });
		expect(rec.details.replace).toBe(true);
		await expectExact(audienceId);
		// The replace accounted for the stray session: the next run does not replace again.
		expect((await runSync({ config: configFor(audienceId), actito, meta, bucket })).details.replace).toBe(false);
	});

	it('a recovery check that fails is said in the run and on the state', async () => {
		const { actito, meta } = clients();
		await s.metaControl('POST', 'faults', { match: { method: 'GET', pathRegex: '/sessions' }, count: 1, error: { code: 100, message: 'Unsupported get request' } });
		const out = await runSync({ config: configFor(audienceId), actito, meta, bucket });
		expect(out.details.status).toBe('partial');
		expect(out.details.notes.join(' ')).toMatch(/check for uploads the state does not know failed/);
		const st = bucket[stateKey(linkIdOf(configFor(audienceId)))] as Record<string, any>;
		expect(st.recoveryCheck.ok).toBe(false);
	});

	it('recovery with an empty wanted set still empties the audience', async () => {
		const { actito, meta } = clients();
		const config = configFor(audienceId, { limits: { minRemovalsForGuard: 100000 } });
		const list = await profiles();
		await s.actitoControl('POST', 'profiles/changes', list.filter((p) => p.segments.includes(VIP)).map((p) => ({ profileId: p.profileId, attributes: { marketingConsent: false } })));
		const stray = list.find((p) => p.segments.includes(VIP) && hashIdentifier('EMAIL', p.attributes.emailAddress))!;
		await meta.upload({ audienceId, operation: 'add', schema: ['EXTERN_ID', 'EMAIL', 'PHONE'], rows: [[stray.profileId, hashIdentifier('EMAIL', stray.attributes.emailAddress), '']], session: { sessionId: newSessionId('hourly'), batchSeq: 1, lastBatchFlag: true } });
		const out = await runSync({ config, actito, meta, bucket });
		expect(out.details.replace).toBe(true);
		expect(out.error).toBeNull();
		expect((await metaMembers(s, audienceId)).rows).toHaveLength(0);
		await s.actitoControl('POST', 'profiles/changes', list.filter((p) => p.segments.includes(VIP)).map((p) => ({ profileId: p.profileId, attributes: { marketingConsent: p.attributes.marketingConsent ?? null } })));
	});
});

describe('forcing a full reconcile without editing the workflow', () => {
	it('the tag [actito-meta: reconcile] in the Meta audience description makes the next run full, then goes', async () => {
		const audienceId = await createMetaAudience(s, 'tagged');
		const bucket: Record<string, unknown> = {};
		const { actito, meta } = clients();
		await runSync({ config: configFor(audienceId), actito, meta, bucket });
		expect((await runSync({ config: configFor(audienceId), actito, meta, bucket })).details.mode).toBe('incremental');
		const a = await meta.getAudience(audienceId, ['description']);
		await meta.updateAudience(audienceId, { description: `${a.description} [actito-meta: reconcile]` });
		const out = await runSync({ config: configFor(audienceId), actito, meta, bucket });
		expect(out.details.mode).toBe('full');
		const after = await meta.getAudience(audienceId, ['description']);
		expect(after.description).not.toMatch(/reconcile/);
		expect(after.description).toContain('[actito-meta link:');
		expect((await runSync({ config: configFor(audienceId), actito, meta, bucket })).details.mode).toBe('incremental');
	});
});
