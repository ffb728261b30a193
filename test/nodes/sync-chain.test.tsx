// The hourly sync, in-process: Get Changes → Consent Filter → Hash Identifiers → Sync Members,
// run after run on one static-data object, against both sandboxes. Meta's exact member rows are
// compared with the wanted set computed here, independently, from the Actito sandbox's raw profiles.
import { NodeApiError, NodeOperationError } from 'n8n-workflow';
import type { IDataObject } from 'n8n-workflow';

import { hashIdentifier } from '../../core/identifiers';
import { ActitoAudience } from '../../nodes/ActitoAudience/ActitoAudience.node';
import { ConsentFilter } from '../../nodes/ConsentFilter/ConsentFilter.node';
import { HashIdentifiers } from '../../nodes/HashIdentifiers/HashIdentifiers.node';
import { MetaCustomAudience } from '../../nodes/MetaCustomAudience/MetaCustomAudience.node';
import { runChain, runNode, type ChainConfig, type StaticData } from '../support/n8nContext';
import {
	createMetaAudience,
	DEFAULT_COUNTRY,
	metaMembers,
	metaUploads,
	outsiders,
	startSandboxes,
	VIP,
	wantedRows,
	wantedWithEmail,
	byId,
	type RawProfile,
	type Sandboxes,
} from './sandboxes';

const NODES = {
	ActitoAudience: new ActitoAudience(),
	ConsentFilter: new ConsentFilter(),
	HashIdentifiers: new HashIdentifiers(),
	MetaCustomAudience: new MetaCustomAudience(),
};


let s: Sandboxes;
let audienceId: string;
let staticData: StaticData;
let link: string;
let key: string;

beforeAll(async () => {
	s = await startSandboxes();
	await s.actitoControl('POST', 'seed', {
		profiles: 600,
		seed: 7,
		segmentations: [{ category: 'Audiences', name: 'VIP', members: 300 }],
		consent: { true: 0.6, false: 0.25, absent: 0.15 },
	});
	audienceId = await createMetaAudience(s, 'VIP from Actito');
	staticData = {};
	link = `actito:acme/Customers/seg:${VIP}→meta:${audienceId}`;
	key = `actitoMeta:${link}`;
});
afterEach(async () => {
	// A test that failed half-way must not leave its faults to the next one.
	await s.metaControl('DELETE', 'faults');
});
afterAll(async () => {
	await s?.close();
});

function config(extra: Partial<ChainConfig> = {}): ChainConfig {
	return {
		actitoCredentials: s.actitoCredentials,
		metaCredentials: s.metaCredentials,
		staticData,
		metaAudienceId: audienceId,
		defaultCountry: DEFAULT_COUNTRY,
		...extra,
	};
}

async function profiles(): Promise<RawProfile[]> {
	return (await s.actitoControl('GET', 'profiles')).profiles;
}




async function expectMetaEqualsWanted() {
	const members = await metaMembers(s, audienceId);
	const wanted = wantedRows(await profiles());
	expect(members.schema).toEqual(['EXTERN_ID', 'EMAIL', 'PHONE']);
	expect(members.rows.slice().sort(byId)).toEqual(wanted);
	return wanted;
}

function state(): IDataObject {
	return (staticData.global as IDataObject)[key] as IDataObject;
}

async function uploadRows() {
	const uploads = await metaUploads(s);
	const rows = { add: 0, remove: 0, replace: 0 } as Record<string, number>;
	for (const u of uploads) if (u.status === 200) rows[u.operation!] += u.rows ?? 0;
	return { uploads, rows };
}



describe('the hourly sync chain', () => {
	it('run 1: Meta holds exactly the wanted profiles, hashed', async () => {
		const result = await runChain(NODES, config());
		const wanted = await expectMetaEqualsWanted();
		expect(wanted.length).toBeGreaterThan(100);
		expect(result.synced).not.toBeNull();
		const [details] = result.synced!;
		expect(details.json).toMatchObject({ status: 'success', link, memberCount: wanted.length });
		expect(details.json.syncedAt).toEqual(expect.any(String));
		const st = state();
		expect(st).toMatchObject({ version: 1, link, memberCount: wanted.length, candidateWatermark: null });
		expect(st.watermark).toEqual(expect.any(String));
		expect(st.lastFullReconcileAt).toEqual(expect.any(String));
		expect(st.syncedAt).toEqual(expect.any(String));
		expect((st.runs as IDataObject[]).at(-1)).toMatchObject({ status: 'success', mode: 'full', added: wanted.length, removed: expect.any(Number) });
		// The first run does not log (nor remove) every refusing member: a full read stays quiet about them.
		expect(result.changes.every((c) => c.json.action === 'add' && c.json.reason === 'joined')).toBe(true);
	});

	it('the state holds no e-mail, phone or name of any profile', async () => {
		const text = JSON.stringify(staticData);
		const leaks: string[] = [];
		for (const p of await profiles()) {
			const email = p.attributes.emailAddress;
			const phone = p.attributes.gsmNumber;
			const candidates = [email, phone];
			if (typeof email === 'string') candidates.push(email.trim().toLowerCase());
			if (typeof phone === 'string') candidates.push(phone.replace(/\D/g, ''));
			if (typeof phone === 'string') candidates.push(hashIdentifier('PHONE', phone, { defaultCountry: DEFAULT_COUNTRY }));
			if (typeof email === 'string') candidates.push(hashIdentifier('EMAIL', email));
			for (const c of candidates) if (typeof c === 'string' && c.length >= 6 && text.includes(c)) leaks.push(c);
			for (const name of [p.attributes.firstName, p.attributes.lastName]) {
				// Short names could occur by chance inside the base64 member list; look for them as JSON strings.
				if (typeof name === 'string' && text.includes(JSON.stringify(name))) leaks.push(name);
			}
		}
		expect(leaks).toEqual([]);
	});

	it('run 2 without changes: no item, no Meta upload call', async () => {
		await s.metaControl('POST', 'requests/clear');
		const before = state();
		const result = await runChain(NODES, config());
		expect(result.changes.map((c) => c.json)).toEqual([]);
		expect(result.synced).toBeNull();
		expect(await metaUploads(s)).toEqual([]);
		expect((await metaUploads(s)).length).toBe(0);
		// The run closed by itself (nothing downstream ran) and stays synchronized.
		const st = state();
		expect((st.runs as IDataObject[]).at(-1)).toMatchObject({ status: 'success', added: 0, removed: 0 });
		expect(st.syncedAt).toEqual(expect.any(String));
		expect(st.members).toBe(before.members);
		await expectMetaEqualsWanted();
	});

	it('run 3 sends exactly the joins, leaves, consent withdrawal, e-mail change and deletion', async () => {
		const list = await profiles();
		const present = wantedWithEmail(list);
		const joiners = outsiders(list).slice(0, 3);
		const leavers = present.slice(0, 3);
		const withdrawers = present.slice(3, 5);
		const mover = present[5];
		const deleted = present[6];
		expect(joiners).toHaveLength(3);
		for (const p of joiners) await s.actitoControl('POST', `profiles/${p.profileId}`, { join: [VIP] });
		for (const p of leavers) await s.actitoControl('POST', `profiles/${p.profileId}`, { leave: [VIP] });
		for (const p of withdrawers) await s.actitoControl('POST', `profiles/${p.profileId}`, { attributes: { marketingConsent: false } });
		await s.actitoControl('POST', `profiles/${mover.profileId}`, { attributes: { emailAddress: `moved.${mover.profileId}@new-domain.example` } });
		await s.actitoControl('DELETE', `profiles/${deleted.profileId}`);
		await s.metaControl('POST', 'requests/clear');

		const result = await runChain(NODES, config({ syncOptions: { forceFullReconcile: true }, logBlocked: true }));

		const byAction = (action: string) =>
			result.hashed
				.filter((h) => h.json.action === action)
				.map((h) => String(h.json.profileId))
				.sort();
		const ids = (ps: RawProfile[]) => ps.map((p) => p.profileId).sort();
		expect(byAction('remove')).toEqual(ids([...leavers, ...withdrawers, mover, deleted]));
		expect(byAction('add')).toEqual(ids([...joiners, mover]));
		const reasons = Object.fromEntries(result.changes.filter((c) => c.json.action === 'remove' || c.json.reason !== 'reconcile').map((c) => [`${c.json.profileId}/${c.json.action}`, c.json.reason]));
		for (const p of withdrawers) expect(reasons[`${p.profileId}/add`]).toBe('consent_withdrawn');
		expect(reasons[`${mover.profileId}/remove`]).toBe('identifiers_changed');
		expect(reasons[`${mover.profileId}/add`]).toBe('identifiers_changed');
		// The refusals reached the audit log, once each.
		expect(result.blocked.map((b) => b.json.profileId).sort()).toEqual(ids(withdrawers));
		const records = (await s.actitoControl('GET', 'custom-tables/negative_consent')).records;
		expect(records.length).toBe(2);

		const { rows } = await uploadRows();
		expect(rows).toEqual({ remove: 7, add: 4, replace: 0 });
		await expectMetaEqualsWanted();
		expect(state().syncedAt).toEqual(expect.any(String));
	});

	it('Get Status and Get Profile Status show the link after the syncs', async () => {
		const list = await profiles();
		const atMeta = wantedWithEmail(list)[0];
		const outsider = list.find((p) => !p.deleted && !p.segments.includes(VIP))!;
		const common = {
			credentials: { actitoApi: s.actitoCredentials, metaMarketingApi: s.metaCredentials },
			staticData,
		};
		const base = { resource: 'audience', linkSource: 'audience', table: { __rl: true, mode: 'id', value: 'Customers' }, segmentation: { __rl: true, mode: 'id', value: VIP }, metaAudienceId: audienceId };
		const [[status]] = await runNode(NODES.ActitoAudience, { ...common, parameters: { ...base, operation: 'getStatus' } });
		const wanted = wantedRows(list).length;
		expect(status.json).toMatchObject({
			link,
			actito: { entity: 'acme', table: 'Customers', segmentation: VIP },
			metaAudienceId: audienceId,
			memberCount: wanted,
			pending: false,
			syncedAt: expect.any(String),
			activatedAt: expect.any(String),
			lastMemberUpdateAt: expect.any(String),
			meta: { name: 'VIP from Actito', tooSmall: true, deliveryStatus: { code: 300 }, createdAt: expect.stringMatching(/^20\d\d-/) },
		});
		const runs = status.json.lastRuns as IDataObject[];
		expect(runs[0]).toMatchObject({ status: 'success', added: 4, removed: 7, mode: 'full' });
		expect(runs.length).toBe(3);

		const profileStatus = async (profileId: string) =>
			(await runNode(NODES.ActitoAudience, { ...common, parameters: { ...base, operation: 'getProfileStatus', profileId } }))[0][0].json;
		expect(await profileStatus(atMeta.profileId)).toMatchObject({ found: true, isMember: true, wanted: true, atMeta: true, synchronized: true, profileId: atMeta.profileId });
		expect(await profileStatus(outsider.profileId)).toMatchObject({ found: true, isMember: false, wanted: false, atMeta: false, synchronized: true });
		// A change not yet synchronized shows as such.
		await s.actitoControl('POST', `profiles/${atMeta.profileId}`, { attributes: { emailAddress: `again.${atMeta.profileId}@new-domain.example` } });
		expect(await profileStatus(atMeta.profileId)).toMatchObject({ wanted: true, atMeta: true, synchronized: false });
		await runChain(NODES, config());
		expect(await profileStatus(atMeta.profileId)).toMatchObject({ synchronized: true });
		await expectMetaEqualsWanted();
	});

	it('a fault half-way: state keeps exactly the accepted batches, the watermark stays, the next run finishes', async () => {
		const list = await profiles();
		const leavers = wantedWithEmail(list).slice(0, 2);
		const joiners = outsiders(list).slice(0, 3);
		for (const p of leavers) await s.actitoControl('POST', `profiles/${p.profileId}`, { leave: [VIP] });
		for (const p of joiners) await s.actitoControl('POST', `profiles/${p.profileId}`, { join: [VIP] });
		const before = JSON.parse(JSON.stringify(state()));
		// The add session hits an HTML 502 from a proxy; removals went through first.
		await s.metaControl('POST', 'faults', { match: { method: 'POST', path: `/${audienceId}/users` }, count: 20, html5xx: 502 });
		await s.metaControl('POST', 'requests/clear');

		const error = await runChain(NODES, config({ metaOptions: { maxWaitMinutes: 0 } })).catch((e) => e);
		expect(error).toBeInstanceOf(NodeApiError);
		expect(error.message).toMatch(/HTTP 502/);
		expect(error.message).toMatch(/after 2 removals and 0 additions were accepted/);

		const st = state();
		expect(st.watermark).toBe(before.watermark);
		expect(st.syncedAt).toBeNull();
		expect(st.memberCount).toBe((before.memberCount as number) - 2);
		expect((st.runs as IDataObject[]).at(-1)).toMatchObject({ status: 'error', removed: 2, added: 0, error: expect.stringMatching(/502/) });
		// members = before minus exactly the two leavers: read it back the way the product does.
		const { readState } = await import('../../core/state/syncState');
		const { decodeMembers } = await import('../../core/state/memberCodec');
		const beforeMembers = decodeMembers(before.members as string);
		const now = readState(staticData.global as Record<string, unknown>, link)!.members;
		for (const p of leavers) beforeMembers.delete(Number(p.profileId));
		expect([...now.entries()].sort()).toEqual([...beforeMembers.entries()].sort());
		// And Meta agrees with the state: the leavers are gone, the joiners not there yet.
		const metaIds = new Set((await metaMembers(s, audienceId)).rows.map((r) => r[0]));
		for (const p of leavers) expect(metaIds.has(p.profileId)).toBe(false);
		for (const p of joiners) expect(metaIds.has(p.profileId)).toBe(false);

		await s.metaControl('DELETE', 'faults');
		await s.metaControl('POST', 'requests/clear');
		await runChain(NODES, config());
		const { rows } = await uploadRows();
		expect(rows.add).toBe(3);
		expect(rows.remove).toBe(0);
		expect(state().syncedAt).toEqual(expect.any(String));
		await expectMetaEqualsWanted();
	});

	it('the change cap leaves work for the next run: syncedAt stays empty until nothing is left', async () => {
		const joiners = outsiders(await profiles()).slice(0, 5);
		expect(joiners).toHaveLength(5);
		for (const p of joiners) await s.actitoControl('POST', `profiles/${p.profileId}`, { join: [VIP] });
		await s.metaControl('POST', 'requests/clear');

		const capped = await runChain(NODES, config({ syncOptions: { maxChanges: 2 } }));
		expect(capped.changes).toHaveLength(2);
		expect(capped.synced![0].json.syncedAt).toBeNull();
		expect(state().syncedAt).toBeNull();
		expect((state().runs as IDataObject[]).at(-1)).toMatchObject({ status: 'partial', added: 2, deferred: 3 });
		expect((await uploadRows()).rows.add).toBe(2);

		const rest = await runChain(NODES, config());
		expect(rest.changes.map((c) => c.json.profileId).sort()).toEqual(
			joiners
				.map((p) => p.profileId)
				.filter((id) => !capped.changes.some((c) => c.json.profileId === id))
				.sort(),
		);
		expect(state().syncedAt).toEqual(expect.any(String));
		await expectMetaEqualsWanted();
	});

	it('a manual run computes the changes but leaves the static data untouched', async () => {
		const joiner = outsiders(await profiles())[0];
		await s.actitoControl('POST', `profiles/${joiner.profileId}`, { join: [VIP] });
		const before = JSON.stringify(staticData);
		const result = await runChain(NODES, config({ mode: 'manual', metaOptions: { dryRun: true } }));
		expect(result.changes.map((c) => c.json.profileId)).toEqual([joiner.profileId]);
		expect(JSON.stringify(staticData)).toBe(before);
		await runChain(NODES, config());
		await expectMetaEqualsWanted();
	});

	it('a second link into the same Meta audience stops with a message naming the holder', async () => {
		await s.actitoControl('POST', 'seed', { entity: 'beta', profiles: 40, seed: 3, segmentations: [{ category: 'Audiences', name: 'VIP', members: 20 }], consent: { true: 1 } });
		const other: StaticData = {};
		const metaBefore = await metaMembers(s, audienceId);
		const error = await runChain(NODES, config({ staticData: other, actitoCredentials: { ...s.actitoCredentials, entity: 'beta' } })).catch((e) => e);
		expect(error).toBeInstanceOf(NodeOperationError);
		expect(error.message).toContain(`Meta audience ${audienceId} is already synchronized from another Actito audience (${link})`);
		expect(error.message).toContain(`[actito-meta link: ${link}]`);
		// Nothing was sent to the held audience.
		expect((await metaMembers(s, audienceId)).rows.sort(byId)).toEqual(metaBefore.rows.sort(byId));
		// The holder itself keeps syncing.
		await runChain(NODES, config());
		await expectMetaEqualsWanted();
	});

	it('a corrupted state gives a clear error and is left as it is', async () => {
		const bucket = staticData.global as IDataObject;
		const good = bucket[key] as IDataObject;
		for (const broken of [
			{ ...good, members: good.members + 'AAAA' },
			{ ...good, members: 'not base64 at all!' },
			{ ...good, version: 99 },
			'a string',
		]) {
			bucket[key] = broken as IDataObject;
			const snapshot = JSON.stringify(staticData);
			const error = await runChain(NODES, config()).catch((e) => e);
			expect(error).toBeInstanceOf(NodeOperationError);
			expect(error.message).toContain(link);
			expect(error.message).toMatch(/sync state/);
			expect(error.message).toContain(`deleting the key "${key}"`);
			expect(JSON.stringify(staticData)).toBe(snapshot);
		}
		bucket[key] = good;
		await runChain(NODES, config());
		await expectMetaEqualsWanted();
	});
});
