// Fault-injected runs of the hourly sync chain, in-process (Get Changes → Consent Filter → Hash
// Identifiers → Sync Members on one static-data object) against both sandboxes. Every scenario
// ends with the Meta sandbox's audience exactly equal to the wanted set, computed here from
// Actito's raw profiles, and checks what the failing run left behind: an error that names the
// cause and the fix, members = exactly the batches Meta accepted, the watermark where it was,
// syncedAt empty.
//
// No test waits for real: n8n-workflow's `sleep` (the only way the nodes wait) is replaced by a
// fake that records the requested waits and returns at once. Runs use small batches, so "mid-run"
// means after some batches were accepted.
import { NodeApiError } from 'n8n-workflow';
import type { IDataObject, INodeType } from 'n8n-workflow';

import { rowFingerprint } from '../../core/identifiers';
import { decodeMembers } from '../../core/state/memberCodec';
import { ActitoAudience } from '../../nodes/ActitoAudience/ActitoAudience.node';
import { ConsentFilter } from '../../nodes/ConsentFilter/ConsentFilter.node';
import { HashIdentifiers } from '../../nodes/HashIdentifiers/HashIdentifiers.node';
import { MetaCustomAudience } from '../../nodes/MetaCustomAudience/MetaCustomAudience.node';
import {
	AD_ACCOUNT,
	byId,
	DEFAULT_COUNTRY,
	metaMembers,
	metaRequests,
	outsiders,
	startSandboxes,
	VIP,
	wantedRows,
	wantedWithEmail,
	type RawProfile,
	type Sandboxes,
} from '../nodes/sandboxes';
import { runChain, runNode, type ChainConfig, type StaticData } from '../support/n8nContext';

const mockSleeps: number[] = [];
jest.mock('n8n-workflow', () => {
	const actual = jest.requireActual('n8n-workflow');
	return {
		...actual,
		// The nodes wait only through this: record the wait, do not spend it.
		sleep: async (ms: number) => {
			mockSleeps.push(ms);
		},
	};
});

const NODES = {
	ActitoAudience: new ActitoAudience(),
	ConsentFilter: new ConsentFilter(),
	HashIdentifiers: new HashIdentifiers(),
	MetaCustomAudience: new MetaCustomAudience(),
};
const BATCH = 25;
const LISTING = '/profiles/v5/entities/acme/profile-tables/16/profiles';


interface Link {
	audienceId: string;
	adAccount: string;
	metaCredentials: Sandboxes['metaCredentials'];
	staticData: StaticData;
	link: string;
	key: string;
}

let s: Sandboxes;

beforeAll(async () => {
	s = await startSandboxes();
	await s.actitoControl('POST', 'seed', {
		profiles: 2000,
		seed: 11,
		segmentations: [{ category: 'Audiences', name: 'VIP', members: 500 }],
		consent: { true: 0.6, false: 0.25, absent: 0.15 },
	});
});
beforeEach(() => {
	mockSleeps.length = 0;
});
afterEach(async () => {
	// A test that failed half-way must not leave its faults to the next one.
	await s.metaControl('DELETE', 'faults');
	await s.actitoControl('POST', 'faults/clear');
});
afterAll(async () => {
	await s?.close();
});

// ---------------------------------------------------------------------------------------------
// The world: links, wanted set, state

async function newLink(options: { adAccount?: string; token?: string } = {}): Promise<Link> {
	const adAccount = options.adAccount ?? AD_ACCOUNT;
	const { audiences } = await s.metaControl('POST', 'seed', { audiences: [{ adAccountId: adAccount, name: `Fault scenario ${Date.now()}` }] });
	const audienceId = String(audiences[0]);
	const link = `actito:acme/Customers/seg:${VIP}→meta:${audienceId}`;
	return {
		audienceId,
		adAccount,
		metaCredentials: { ...s.metaCredentials, accessToken: options.token ?? s.metaCredentials.accessToken },
		staticData: {},
		link,
		key: `actitoMeta:${link}`,
	};
}

function config(l: Link, extra: Partial<ChainConfig> = {}): ChainConfig {
	return {
		actitoCredentials: s.actitoCredentials,
		metaCredentials: l.metaCredentials,
		staticData: l.staticData,
		metaAudienceId: l.audienceId,
		adAccount: l.adAccount,
		defaultCountry: DEFAULT_COUNTRY,
		...extra,
		metaOptions: { batchSize: BATCH, ...extra.metaOptions },
	};
}

async function profiles(): Promise<RawProfile[]> {
	return (await s.actitoControl('GET', 'profiles')).profiles;
}



async function expectMetaEqualsWanted(l: Link) {
	const members = await metaMembers(s, l.audienceId);
	const wanted = wantedRows(await profiles());
	expect(members.schema).toEqual(['EXTERN_ID', 'EMAIL', 'PHONE']);
	expect(members.rows.slice().sort(byId)).toEqual(wanted);
	return wanted;
}

function stateOf(l: Link): IDataObject {
	return (l.staticData.global as IDataObject)[l.key] as IDataObject;
}

function membersOf(l: Link): Map<number, number> {
	return new Map(decodeMembers(stateOf(l).members as string));
}

function lastRun(l: Link): IDataObject {
	return (stateOf(l).runs as IDataObject[]).at(-1)!;
}

/** The state says exactly what Meta holds: same ids, each with the fingerprint of its row at Meta. */
async function expectStateMatchesMeta(l: Link) {
	const meta = await metaMembers(s, l.audienceId);
	const fromMeta = new Map((meta.rows ?? []).map((row) => [Number(row[0]), rowFingerprint(row)] as const));
	const members = membersOf(l);
	expect([...members.entries()].sort((a, b) => a[0] - b[0])).toEqual([...fromMeta.entries()].sort((a, b) => a[0] - b[0]));
	expect(stateOf(l).memberCount).toBe(members.size);
}

/** A link whose first (full) run went through cleanly. */
async function syncedLink(options: { adAccount?: string; token?: string } = {}): Promise<Link> {
	const l = await newLink(options);
	await runChain(NODES, config(l, { metaOptions: { batchSize: 10_000 } }));
	await expectMetaEqualsWanted(l);
	expect(stateOf(l).syncedAt).toEqual(expect.any(String));
	return l;
}



/** Moves `leave` wanted members out of VIP and `join` outsiders into it, in one Actito change. */
async function churn(leave: number, join: number): Promise<{ leavers: string[]; joiners: string[] }> {
	const list = await profiles();
	const leavers = wantedWithEmail(list).slice(0, leave).map((p) => p.profileId);
	const joiners = outsiders(list).slice(0, join).map((p) => p.profileId);
	expect(leavers).toHaveLength(leave);
	expect(joiners).toHaveLength(join);
	await s.actitoControl('POST', 'profiles/changes', [
		...leavers.map((profileId) => ({ profileId, leave: [VIP] })),
		...joiners.map((profileId) => ({ profileId, join: [VIP] })),
	]);
	return { leavers, joiners };
}

/** The upload calls to this audience since the last clear, in order. */
async function uploadsOf(l: Link) {
	const requests = await metaRequests(s);
	// An injected fault answers before routing, so its log entry has no operation: take it from the method.
	return requests
		.filter((r) => r.path.endsWith(`/${l.audienceId}/users`) && (r.method === 'POST' || r.method === 'DELETE'))
		.map((r) => ({ ...r, operation: r.operation ?? (r.method === 'DELETE' ? 'remove' : 'add') }));
}

async function acceptedRows(l: Link) {
	const out = { add: 0, remove: 0 } as Record<string, number>;
	for (const u of await uploadsOf(l)) if (u.status === 200) out[u.operation!] += u.rows ?? 0;
	return out;
}

/** Lets `count` calls of `method` on the audience's users edge through, then applies `fault` to the next ones. */
async function metaFaultAfter(l: Link, method: 'POST' | 'DELETE', pass: number, fault: IDataObject) {
	const match = { method, path: `/${l.audienceId}/users` };
	const faults: IDataObject[] = [];
	// A fault with only a (1 ms) delay answers normally: it stands for "these calls pass".
	if (pass > 0) faults.push({ match, count: pass, delayMs: 1 });
	faults.push({ match, ...fault });
	await s.metaControl('POST', 'faults', faults);
}

function errorText(error: any): string {
	return `${error?.message ?? ''}\n${error?.description ?? ''}`;
}

/** What every failing run must leave behind. */
async function expectCleanFailure(l: Link, before: IDataObject, error: any, accepted: { add: number; remove: number }) {
	expect(error).toBeInstanceOf(NodeApiError);
	const st = stateOf(l);
	expect(st.watermark).toBe(before.watermark);
	expect(st.syncedAt).toBeNull();
	expect(st.candidateWatermark).toEqual(expect.anything()); // kept for the record; not committed
	expect(lastRun(l)).toMatchObject({ status: 'error', added: accepted.add, removed: accepted.remove, error: expect.any(String) });
	// members = the state before, changed by exactly the accepted batches, which is what Meta holds.
	await expectStateMatchesMeta(l);
	expect(await acceptedRows(l)).toEqual(accepted);
	expect(membersOf(l).size).toBe(decodeMembers(before.members as string).size + accepted.add - accepted.remove);
	// No secret in what the user sees.
	expect(errorText(error)).not.toContain(l.metaCredentials.accessToken);
	expect(errorText(error)).not.toContain(s.actitoCredentials.apiKey);
	expect(errorText(error)).not.toMatch(/[0-9a-f]{64}/);
}

function snapshot(l: Link): IDataObject {
	return JSON.parse(JSON.stringify(stateOf(l)));
}

async function followUp(l: Link, extra: Partial<ChainConfig> = {}) {
	await s.metaControl('DELETE', 'faults');
	await s.actitoControl('POST', 'faults/clear');
	await s.metaControl('POST', 'requests/clear');
	const result = await runChain(NODES, config(l, extra));
	expect(lastRun(l).status).toBe('success');
	expect(stateOf(l).syncedAt).toEqual(expect.any(String));
	await expectMetaEqualsWanted(l);
	await expectStateMatchesMeta(l);
	return result;
}

// ---------------------------------------------------------------------------------------------

describe('Meta throttling (80003 / 2446079 with a regain time)', () => {
	const throttle = (regainMinutes: number) => ({
		error: {
			code: 80003,
			error_subcode: 2446079,
			is_transient: true,
			regainMinutes,
			message: 'There have been too many calls to this ad account. Wait a bit and try again.',
		},
	});

	it('past the maximum wait: fails at once after the accepted batches, naming the throttle and the fix; the next run finishes', async () => {
		const l = await syncedLink();
		const before = snapshot(l);
		const { leavers, joiners } = await churn(30, 60);
		await s.metaControl('POST', 'requests/clear');
		// Removals (2 batches) pass, the first add batch passes, then Meta throttles for 30 minutes.
		await metaFaultAfter(l, 'POST', 1, { count: 100, ...throttle(30) });

		const error = await runChain(NODES, config(l, { metaOptions: { maxWaitMinutes: 5 } })).catch((e) => e);
		await expectCleanFailure(l, before, error, { remove: leavers.length, add: BATCH });
		// Nothing was waited for: the regain time alone is past the maximum wait.
		expect(mockSleeps.filter((ms) => ms >= 60_000)).toEqual([]);
		expect(error.message).toMatch(/after 30 removals and 25 additions were accepted/);
		// The fix: raise the maximum wait or let the next run continue.
		expect(errorText(error)).toMatch(/Maximum Wait/);
		expect(errorText(error)).toMatch(/1800 s/);
		expect(joiners).toHaveLength(60);

		await followUp(l);
		expect(await acceptedRows(l)).toEqual({ add: 35, remove: 0 });
	});

	it('past the maximum wait: the error names the cause (Meta throttling, 80003)', async () => {
		const l = await syncedLink();
		await churn(0, 30);
		await metaFaultAfter(l, 'POST', 0, { count: 100, ...throttle(30) });
		const error = await runChain(NODES, config(l, { metaOptions: { maxWaitMinutes: 5 } })).catch((e) => e);
		expect(error).toBeInstanceOf(NodeApiError);
		// Product bug: the RetryBudgetExceededError wrapping Meta's 80003 reaches the user as "The
		// service asked to wait 1800 s more…": it does not say it is Meta throttling the ad account.
		expect(errorText(error)).toMatch(/80003|throttl|rate limit/i);
		await followUp(l);
	});

	it.each([
		['a regain time of 1 minute', 1, 60_000],
		['a regain time of 0 minutes (backoff)', 0, 1],
	])('within the maximum wait (%s): waits as asked, retries, and the run succeeds', async (_name, regain, atLeastMs) => {
		const l = await syncedLink();
		await churn(30, 60);
		await s.metaControl('POST', 'requests/clear');
		await metaFaultAfter(l, 'POST', 1, { count: 1, ...throttle(regain) });

		const result = await runChain(NODES, config(l, { metaOptions: { maxWaitMinutes: 15 } }));
		expect(result.synced![0].json).toMatchObject({ status: 'success', sent: { remove: 30, add: 60 } });
		const uploads = await uploadsOf(l);
		expect(uploads.filter((u) => u.status !== 200).map((u) => u.code)).toEqual([80003]);
		// The wait went through n8n's sleep (faked here): at least the regain time.
		expect(Math.max(...mockSleeps)).toBeGreaterThanOrEqual(atLeastMs);
		expect(mockSleeps.reduce((a, b) => a + b, 0)).toBeLessThanOrEqual(15 * 60_000);
		expect(stateOf(l).syncedAt).toEqual(expect.any(String));
		await expectMetaEqualsWanted(l);
		await expectStateMatchesMeta(l);
		await followUp(l);
	});
});

describe('Meta 5xx with an HTML body', () => {
	it('a few HTML 503s mid-run are retried and the run succeeds', async () => {
		const l = await syncedLink();
		await churn(30, 60);
		await s.metaControl('POST', 'requests/clear');
		await metaFaultAfter(l, 'DELETE', 1, { count: 1, html5xx: 503 });
		await metaFaultAfter(l, 'POST', 2, { count: 2, html5xx: 502 });

		const result = await runChain(NODES, config(l));
		expect(result.synced![0].json).toMatchObject({ status: 'success', sent: { remove: 30, add: 60 } });
		const uploads = await uploadsOf(l);
		expect(uploads.filter((u) => u.status >= 500).map((u) => u.status)).toEqual([503, 502, 502]);
		expect(mockSleeps.length).toBeGreaterThanOrEqual(3);
		await expectMetaEqualsWanted(l);
		await expectStateMatchesMeta(l);
	});

	it('HTML 503s that do not stop: a clear error after the retries, state = accepted batches; the next run finishes', async () => {
		const l = await syncedLink();
		const before = snapshot(l);
		await churn(30, 60);
		await s.metaControl('POST', 'requests/clear');
		await metaFaultAfter(l, 'POST', 2, { count: 100, html5xx: 503 });

		const error = await runChain(NODES, config(l)).catch((e) => e);
		await expectCleanFailure(l, before, error, { remove: 30, add: 50 });
		expect(error.message).toMatch(/HTTP 503/);
		expect(error.message).toMatch(/non-JSON/);
		expect(errorText(error)).toMatch(/Run again later|next run sends the rest/);
		// Retried (6 attempts in all), with backoff through the fake sleep.
		expect((await uploadsOf(l)).filter((u) => u.status === 503)).toHaveLength(6);
		expect(mockSleeps).toHaveLength(5);

		await followUp(l);
		expect(await acceptedRows(l)).toEqual({ add: 10, remove: 0 });
	});
});

describe('Meta token that expires mid-run', () => {
	it('190 after some batches: clear error asking for a new token; a run with a valid token completes', async () => {
		await s.metaControl('POST', 'seed', { tokens: [{ token: 'rotating-token-1', adAccounts: [AD_ACCOUNT] }, { token: 'rotating-token-2', adAccounts: [AD_ACCOUNT] }] });
		const l = await syncedLink({ token: 'rotating-token-1' });
		const before = snapshot(l);
		await churn(30, 60);
		await s.metaControl('POST', 'requests/clear');
		// Meta's own answer to an expired token, from the second add batch on.
		await metaFaultAfter(l, 'POST', 1, {
			count: 100,
			error: { code: 190, error_subcode: 463, message: 'Error validating access token: Session has expired.', type: 'OAuthException' },
		});

		const error = await runChain(NODES, config(l)).catch((e) => e);
		await expectCleanFailure(l, before, error, { remove: 30, add: 25 });
		expect(error.message).toMatch(/190\/463/);
		expect(errorText(error)).toMatch(/token is invalid or expired/);
		expect(errorText(error)).toMatch(/Meta Marketing API credential/);
		// Not retried: an expired token does not come back by waiting.
		expect((await uploadsOf(l)).filter((u) => u.status !== 200)).toHaveLength(1);
		expect(mockSleeps).toEqual([]);

		// The token is now really expired: the next run stops before any upload, state untouched.
		await s.metaControl('DELETE', 'faults');
		await s.metaControl('POST', 'tokens/rotating-token-1/expire');
		await s.metaControl('POST', 'requests/clear');
		const afterFailure = snapshot(l);
		const again = await runChain(NODES, config(l)).catch((e) => e);
		expect(again).toBeInstanceOf(NodeApiError);
		expect(errorText(again)).toMatch(/190/);
		expect(await uploadsOf(l)).toEqual([]);
		expect(stateOf(l).members).toBe(afterFailure.members);
		expect(stateOf(l).watermark).toBe(before.watermark);

		l.metaCredentials = { ...l.metaCredentials, accessToken: 'rotating-token-2' };
		await followUp(l);
		expect(await acceptedRows(l)).toEqual({ add: 35, remove: 0 });
	});
});

describe('Meta Custom Audience terms not accepted', () => {
	it('stops with the acceptance URL of the ad account; after acceptance the next run completes', async () => {
		const account = 'act_100000000000777';
		await s.metaControl('POST', 'seed', {
			adAccounts: [{ id: account, name: 'No terms yet', tosAccepted: false }],
			tokens: [{ token: 'terms-token', adAccounts: [account] }],
		});
		const l = await newLink({ adAccount: account, token: 'terms-token' });
		await s.metaControl('POST', 'requests/clear');

		const error = await runChain(NODES, config(l)).catch((e) => e);
		expect(error).toBeInstanceOf(NodeApiError);
		expect(error.message).toMatch(/200\/1870090/);
		expect(errorText(error)).toContain('https://business.facebook.com/ads/manage/customaudiences/tos/?act=100000000000777');
		expect(errorText(error)).not.toContain('terms-token');
		const st = stateOf(l);
		expect(st.watermark).toBeNull();
		expect(st.syncedAt).toBeNull();
		expect(lastRun(l)).toMatchObject({ status: 'error', added: 0, removed: 0 });
		expect(membersOf(l).size).toBe(0);
		expect((await metaMembers(s, l.audienceId)).rows ?? []).toEqual([]);

		await s.metaControl('POST', 'seed', { adAccounts: [{ id: account, tosAccepted: true }] });
		await followUp(l);
	});
});

describe('Meta refuses a removal as "audience too small" (200 / 1870047)', () => {
	const tooSmall = {
		error: {
			code: 200,
			error_subcode: 1870047,
			message: '(#200) The removal would make this audience too small.',
			error_user_title: 'Audience too small',
			error_user_msg: 'Removing these people would make the audience too small.',
		},
	};

	it('stops the removals, still sends the additions, reports it; the next run sends the removals', async () => {
		const l = await syncedLink();
		const before = snapshot(l);
		await churn(30, 60);
		await s.metaControl('POST', 'requests/clear');
		await metaFaultAfter(l, 'DELETE', 1, { count: 100, ...tooSmall });

		const result = await runChain(NODES, config(l));
		const summary = result.synced![0].json as IDataObject;
		// Contract: "stop removals; report". The run is partial, not an error: additions went out.
		expect(summary.status).toBe('partial');
		expect(summary.removalsRefused).toBe(5);
		expect(summary.sent).toEqual({ remove: 25, add: 60 });
		expect(JSON.stringify(summary.warning)).toMatch(/too small/);
		expect(lastRun(l)).toMatchObject({ status: 'partial', removed: 25, added: 60 });
		// The refused removals wait: the window is read again, and `syncedAt` says it is not done.
		expect(stateOf(l).watermark).toBe(before.watermark);
		expect(stateOf(l).syncedAt).toBeNull();
		await expectStateMatchesMeta(l);

		await followUp(l);
		expect(await acceptedRows(l)).toEqual({ add: 0, remove: 5 });
	});

	it('the additions still go out while Meta refuses every removal', async () => {
		const l = await syncedLink();
		const { joiners } = await churn(10, 20);
		await metaFaultAfter(l, 'DELETE', 0, { count: 100, ...tooSmall });
		const result = await runChain(NODES, config(l));
		expect((result.synced![0].json as IDataObject).status).toBe('partial');
		const atMeta = new Set(((await metaMembers(s, l.audienceId)).rows ?? []).map((r) => r[0]));
		expect(joiners.filter((id) => !atMeta.has(id))).toEqual([]);
		await followUp(l);
	});
});

describe('Actito faults', () => {
	it('429s while listing are backed off (Retry-After honoured) and the run succeeds', async () => {
		const l = await syncedLink();
		await churn(30, 60);
		await s.actitoControl('POST', 'requests/clear');
		await s.actitoControl('POST', 'faults', [
			{ match: { method: 'GET', path: LISTING }, count: 2 },
			{
				match: { method: 'GET', path: LISTING },
				count: 3,
				status: 429,
				headers: { 'retry-after': '7' },
				body: { status: 429, error: 'Too Many Requests', message: 'Too many requests in flight' },
			},
		]);

		const result = await runChain(NODES, config(l, { syncOptions: { pageSize: 200, forceFullReconcile: true } }));
		expect(result.synced![0].json).toMatchObject({ status: 'success', sent: { remove: 30, add: 60 } });
		const { requests } = await s.actitoControl('GET', 'requests');
		expect(requests.filter((r: IDataObject) => r.status === 429)).toHaveLength(3);
		// Retry-After: 7 → at least 7 s asked of the (fake) sleep, three times.
		expect(mockSleeps.filter((ms) => ms >= 7000).length).toBeGreaterThanOrEqual(3);
		expect(lastRun(l)).toMatchObject({ status: 'success', mode: 'full' });
		await followUp(l);
	});

	it('an Actito token that expires mid-read is renewed and the run succeeds', async () => {
		const l = await syncedLink();
		await churn(30, 60);
		await s.actitoControl('POST', 'requests/clear');
		const tokensBefore = (await s.actitoControl('GET', 'counters')).tokensIssued;
		await s.actitoControl('POST', 'faults', [
			{ match: { method: 'GET', path: LISTING }, count: 2 },
			{ match: { method: 'GET', path: LISTING }, count: 1, expireTokens: true },
		]);

		const result = await runChain(NODES, config(l, { syncOptions: { pageSize: 200, forceFullReconcile: true } }));
		expect(result.synced![0].json).toMatchObject({ status: 'success', sent: { remove: 30, add: 60 } });
		const { requests } = await s.actitoControl('GET', 'requests');
		const listing = requests.filter((r: IDataObject) => r.path === LISTING);
		expect(listing.map((r: IDataObject) => r.status).filter((st: number) => st !== 200)).toEqual([401]);
		// One token for the run, one more after the expiry.
		expect((await s.actitoControl('GET', 'counters')).tokensIssued - tokensBefore).toBe(2);
		await expectMetaEqualsWanted(l);
		await followUp(l);
	});

	/** Runs the chain with `victim` deleted in Actito after Get Changes listed it as a joiner. */
	async function runWithDeletionAfterListing(l: Link, victim: string) {
		// Stands in for the moment between Get Changes' listing and the later steps of the same execution.
		const consentFilter = NODES.ConsentFilter as INodeType;
		const hooked = Object.assign(Object.create(consentFilter), {
			async execute(this: unknown) {
				await s.actitoControl('DELETE', `profiles/${victim}`);
				return (consentFilter.execute as (this: unknown) => Promise<unknown>).call(this);
			},
		}) as INodeType;
		return runChain({ ...NODES, ConsentFilter: hooked }, config(l));
	}

	async function profileStatus(l: Link, profileId: string) {
		const [[status]] = await runNode(NODES.ActitoAudience, {
			credentials: { actitoApi: s.actitoCredentials, metaMarketingApi: l.metaCredentials },
			staticData: l.staticData,
			parameters: {
				resource: 'audience',
				operation: 'getProfileStatus',
				linkSource: 'audience',
				table: { __rl: true, mode: 'id', value: 'Customers' },
				segmentation: { __rl: true, mode: 'id', value: VIP },
				metaAudienceId: l.audienceId,
				profileId,
			},
		});
		return status.json;
	}

	it('a profile deleted between the listing and the sync: the state says what Meta holds; the next full reconcile removes it', async () => {
		const l = await syncedLink();
		const { joiners } = await churn(0, 3);
		const victim = joiners[1];
		const result = await runWithDeletionAfterListing(l, victim);
		expect(result.changes.map((c) => c.json.profileId).sort()).toEqual([...joiners].sort());
		// The add went out before anyone knew: Meta and the state both hold the deleted profile.
		const atMeta = new Set(((await metaMembers(s, l.audienceId)).rows ?? []).map((r) => r[0]));
		expect(atMeta.has(victim)).toBe(true);
		expect(membersOf(l).has(Number(victim))).toBe(true);
		await expectStateMatchesMeta(l);
		expect((await profileStatus(l, victim)) as IDataObject).toMatchObject({ found: false, wanted: false });

		// Deleted profiles are not listed (docs/contracts/actito.md): the next full reconcile removes it.
		const next = await followUp(l, { syncOptions: { forceFullReconcile: true } });
		expect(next.changes.map((c) => c.json)).toContainEqual(expect.objectContaining({ profileId: victim, action: 'remove' }));
		expect(await acceptedRows(l)).toEqual({ add: 0, remove: 1 });
		expect(await profileStatus(l, victim)).toMatchObject({ found: false, atMeta: false, synchronized: true });
	});

	it('Get Profile Status of a deleted profile still at Meta says atMeta: true, synchronized: false', async () => {
		const l = await syncedLink();
		const { joiners } = await churn(0, 2);
		const victim = joiners[0];
		await runWithDeletionAfterListing(l, victim);
		expect(membersOf(l).has(Number(victim))).toBe(true);
		// nodes/ActitoAudience/resources/audience/getStatus.ts looks the member up by the id of the
		// profile it read; a 404 leaves no id, so a deleted profile at Meta reads as "not at Meta, synchronized".
		expect(await profileStatus(l, victim)).toMatchObject({ found: false, isMember: false, wanted: false, atMeta: true, synchronized: false });
		await followUp(l, { syncOptions: { forceFullReconcile: true } });
	});
});

describe('the change cap', () => {
	it('leaves work for the next run: syncedAt stays empty and the watermark stays until nothing is left', async () => {
		const l = await syncedLink();
		const before = snapshot(l);
		await churn(30, 60);
		await s.metaControl('POST', 'requests/clear');

		const capped = await runChain(NODES, config(l, { syncOptions: { maxChanges: 50 } }));
		expect(capped.changes).toHaveLength(50);
		expect(capped.synced![0].json).toMatchObject({ status: 'success', syncedAt: null });
		expect(lastRun(l)).toMatchObject({ status: 'partial', deferred: 40 });
		expect(stateOf(l).syncedAt).toBeNull();
		expect(stateOf(l).watermark).toBe(before.watermark);
		await expectStateMatchesMeta(l);
		const first = await acceptedRows(l);
		expect(first.add + first.remove).toBe(50);

		await s.metaControl('POST', 'requests/clear');
		const rest = await runChain(NODES, config(l, { syncOptions: { maxChanges: 50 } }));
		expect(rest.changes).toHaveLength(40);
		expect(lastRun(l)).toMatchObject({ status: 'success', deferred: 0 });
		expect(stateOf(l).syncedAt).toEqual(expect.any(String));
		expect(stateOf(l).watermark).not.toBe(before.watermark);
		await expectMetaEqualsWanted(l);
		await expectStateMatchesMeta(l);

		await followUp(l);
		expect(await acceptedRows(l)).toEqual({ add: 0, remove: 0 });
	});
});
