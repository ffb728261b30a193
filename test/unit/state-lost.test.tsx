// The guard against a lost state (core/sync/run.ts, StateLostError): a run handed no state for a
// link whose marker is already in the Meta audience must not act as a first sync (additions only,
// every leaver kept). This is what n8n 2.x queue mode does to every scheduled run without the
// 'N8n Link State in Queue Mode API' credential; the test plays it with an empty bucket.
import { buildLinkConfig, linkIdOf } from '../../core/link/config';
import { stateKey } from '../../core/state/syncState';
import { readLinkMarker } from '../../core/sync/linkMarker';
import { runSync, StateLostError, SyncSetupError } from '../../core/sync/run';
import { coreClients } from '../support/coreClients';
import { byId, createMetaAudience, metaMembers, metaUploads, startSandboxes, VIP, wantedRows, type RawProfile, type Sandboxes } from '../nodes/sandboxes';

jest.setTimeout(60_000);

let s: Sandboxes;

const clients = () => coreClients(s);

const configFor = (audienceId: string) =>
	buildLinkConfig({ actito: { entity: 'acme', table: 'Customers', segmentation: VIP }, meta: { adAccountId: 'act_100000000000001', audienceId }, defaultCountry: 'BE' });

async function profiles(): Promise<RawProfile[]> {
	return (await s.actitoControl('GET', 'profiles')).profiles;
}

async function metaRows(audienceId: string) {
	return (await metaMembers(s, audienceId)).rows.slice().sort(byId);
}

beforeAll(async () => {
	s = await startSandboxes();
	await s.actitoControl('POST', 'seed', {
		profiles: 300,
		seed: 13,
		segmentations: [{ category: 'Audiences', name: 'VIP', members: 150 }],
		consent: { true: 0.7, false: 0.2, absent: 0.1 },
	});
});
afterAll(async () => s?.close());

describe('a run handed no state for a link that has synced before', () => {
	let audienceId: string;
	const good: Record<string, unknown> = {};
	let leavers: string[] = [];

	beforeAll(async () => {
		audienceId = await createMetaAudience(s, 'state lost');
		const { actito, meta } = clients();
		// The first sync of a fresh audience (no marker, no state) is a normal first sync.
		const first = await runSync({ config: configFor(audienceId), actito, meta, bucket: good });
		expect(first.details).toMatchObject({ status: 'success', mode: 'full' });
		expect(await metaRows(audienceId)).toEqual(wantedRows(await profiles()));
		// Two members leave: a first sync from an empty state would keep them at Meta.
		const wanted = wantedRows(await profiles()).map((r) => r[0]);
		leavers = wanted.slice(0, 2);
		await s.actitoControl('POST', 'profiles/changes', leavers.map((profileId) => ({ profileId, leave: [VIP] })));
	});

	it('fails before any Actito read or Meta upload, names the cause and the fix, and writes nothing', async () => {
		const { actito, meta } = clients();
		await s.metaControl('POST', 'requests/clear');
		await s.actitoControl('POST', 'requests/clear');
		const empty: Record<string, unknown> = {};
		let caught: unknown;
		try {
			await runSync({ config: configFor(audienceId), actito, meta, bucket: empty });
		} catch (error) {
			caught = error;
		}
		expect(caught).toBeInstanceOf(StateLostError);
		// A setup error: the node turns it into a NodeOperationError with the hint as description.
		expect(caught).toBeInstanceOf(SyncSetupError);
		const e = caught as StateLostError;
		expect(e.message).toMatch(/n8n handed this run no sync state although the link has synced before/);
		expect(e.message).toContain(audienceId);
		expect(e.hint).toMatch(/'N8n Link State in Queue Mode API' credential on the Sync node/);
		expect(e.hint).toMatch(/README 'Scaling: queue mode'/);
		expect(e.hint).toMatch(/Discard Stored State/);
		// No write: in 2.x queue mode it would be saved over the good state in PostgreSQL.
		expect(empty).toEqual({});
		expect(await metaUploads(s)).toHaveLength(0);
		const { requests } = await s.actitoControl('GET', 'requests');
		expect(requests.filter((r: { path: string }) => r.path.includes('/profiles'))).toHaveLength(0);
		// The leavers are still at Meta (nothing happened), and the marker is untouched.
		const atMeta = (await metaRows(audienceId)).map((r) => r[0]);
		for (const id of leavers) expect(atMeta).toContain(id);
		const described = await meta.getAudience(audienceId, ['description']);
		expect(readLinkMarker(described.description)).toBe(linkIdOf(configFor(audienceId)));
	});

	it('a dry run (an editor test run gets no static data) shows a replace and fails nothing', async () => {
		const { actito, meta } = clients();
		await s.metaControl('POST', 'requests/clear');
		const empty: Record<string, unknown> = {};
		const out = await runSync({ config: configFor(audienceId), actito, meta, bucket: empty, dryRun: true });
		expect(out.error).toBeNull();
		expect(out.details).toMatchObject({ status: 'dry_run', replace: true });
		expect(empty).toEqual({});
		expect(await metaUploads(s)).toHaveLength(0);
	});

	it('with the state handed back, the same run is incremental and removes the leavers', async () => {
		const { actito, meta } = clients();
		const out = await runSync({ config: configFor(audienceId), actito, meta, bucket: good });
		expect(out.details).toMatchObject({ status: 'success', mode: 'incremental', replace: false });
		expect(out.details.sent.remove).toBe(2);
		expect(await metaRows(audienceId)).toEqual(wantedRows(await profiles()));
	});

	it('a state really lost is restarted on purpose with Discard Stored State: one replace, exact', async () => {
		await s.actitoControl('POST', 'profiles/changes', [{ profileId: wantedRows(await profiles())[0][0], leave: [VIP] }]);
		const { actito, meta } = clients();
		const fresh: Record<string, unknown> = {};
		const out = await runSync({ config: configFor(audienceId), actito, meta, bucket: fresh, discardState: true });
		expect(out.details).toMatchObject({ status: 'success', mode: 'full', replace: true });
		expect(await metaRows(audienceId)).toEqual(wantedRows(await profiles()));
		expect(Object.keys(fresh)).toEqual([stateKey(linkIdOf(configFor(audienceId)))]);
	});
});
