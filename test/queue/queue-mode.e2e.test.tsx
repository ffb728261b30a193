/**
 * Many links of one integration on n8n 2.41.1 in queue mode: PostgreSQL and Redis from Debian's
 * packages (scripts/queue/services.js), a main and two workers (scripts/queue/cluster.js), the
 * packed package in every user folder. Runs go through the queue the way production runs do: the
 * generated workflows are published and their Schedule Trigger fires in the main, which puts the
 * run on the Bull queue; a worker runs it and saves the static data in PostgreSQL.
 *
 * Run with `npm run test:queue` (sets ACTITO_META_QUEUE=1); under plain `jest` it is skipped,
 * because it needs root for apt-get/initdb and takes about 10 minutes (564 s measured on 2 cores).
 */
/* eslint-disable @typescript-eslint/no-require-imports */
const fs = require('node:fs');
const path = require('node:path');
const scenario = require('../../scripts/lib/scenario');
const { QueueCluster } = require('../../scripts/queue/cluster');
const { buildIntegration } = require('../../generator/actito-meta-workflow');

type Json = Record<string, any>;

const RUN = process.env.ACTITO_META_QUEUE === '1';
const maybe = RUN ? describe : describe.skip;
jest.setTimeout(3_600_000);

// 20 links of one integration (entity acme, table Customers ↔ one ad account); sizes 200–5,000.
const SIZES = [200, 5000, 300, 4500, 400, 4000, 500, 3500, 600, 3000, 700, 2500, 800, 2000, 900, 1500, 1000, 1200, 250, 350];
const PROFILES = 12000;
// Links that change between rounds (the others stay put: their runs must find nothing to send).
const CHURNED = new Set([0, 1, 3, 5, 8, 11, 13, 16]);
// The link whose worker is SIGKILLed while it uploads (a large, churned one).
const KILLED = 3;
// Each link's share of the licence's 100 calls a minute is the generator's default for 2 workers
// at concurrency 1 (10 kept for other uses): ⌊90 / 2⌋ = 45, checked below.
const CALLS_PER_MINUTE_SHARE = 45;
// n8n 2.x queue mode: every link's workflow reads its state through n8n's API (this credential).
const STATE_CREDENTIAL = { id: 'n8nStateApi00001', name: 'n8n API (link state)' };
const LICENCE = { maxInFlight: 5, callsPerMinute: 100 };
// The sync minutes of the links, spread over this many minutes: 1 is the worst case, every link
// of the integration in the same minute (spreading over the hour is the generator's job).
const SPREAD_MINUTES = 1;
// Real Actito answers in hundreds of milliseconds; the sandbox on loopback in one, which makes a
// run last half a second and runs of one minute never meet (measured). Every Actito call gets
// this latency (a delay-only fault of the sandbox), held while the call counts as in flight.
const ACTITO_LATENCY = { match: {}, count: 1_000_000_000, delayMs: 1000 };
// Time left between choosing the sync minute and its start, for publishing it to the running main
// (cluster.republish of 20 workflows: 14-16 s measured on 2 busy cores at load 5-8, 28 s at load
// 10), and at least twice the longest publish of this run so far.
const ARM_MARGIN_MS = 45_000;
const FIGURES_FILE = path.join(scenario.REPO, '.tmp', 'queue-figures.json');

const seg = (i: number) => `Audiences:Q${String(i + 1).padStart(2, '0')}`;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** What Meta should hold for one segmentation: the rule of scenario.wantedRows, per link. */
function wantedFor(profiles: Json[], segmentation: string): string[] {
	const { buildMetaRow, parseConsent } = require(path.join(scenario.REPO, 'dist', 'core'));
	const rows: string[][] = [];
	for (const p of profiles) {
		if (p.deleted || !(p.segments || []).includes(segmentation)) continue;
		const a = p.attributes || {};
		if (parseConsent(a.marketingConsent) === false) continue;
		const built = buildMetaRow(
			scenario.SCHEMA,
			{ EXTERN_ID: String(p.profileId), EMAIL: a.emailAddress, PHONE: a.gsmNumber },
			{ defaultCountry: 'BE', country: typeof a.country === 'string' ? a.country : undefined },
		);
		if (built.hasMatchKey) rows.push(built.row);
	}
	return scenario.sortRows(rows);
}

/** Peak concurrent requests and peak calls in any rolling 60 s, from the sandbox's request log. */
function licenceUse(requests: Json[]) {
	const events: [number, number][] = [];
	const starts: number[] = [];
	for (const r of requests) {
		const t = Date.parse(r.time);
		starts.push(t);
		events.push([t, 1], [t + Math.max(0, r.durationMs), -1]);
	}
	// A call ending in the millisecond another starts does not overlap it.
	events.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
	let inFlight = 0;
	let peakInFlight = 0;
	for (const [, d] of events) {
		inFlight += d;
		peakInFlight = Math.max(peakInFlight, inFlight);
	}
	starts.sort((a, b) => a - b);
	let peakPerMinute = 0;
	let lo = 0;
	for (let hi = 0; hi < starts.length; hi++) {
		while (starts[hi] - starts[lo] >= 60_000) lo++;
		peakPerMinute = Math.max(peakPerMinute, hi - lo + 1);
	}
	return { calls: requests.length, peakInFlight, peakPerMinute };
}

/** Actito calls by method and path (ids as :id): where a round's licence minutes went. */
function byRoute(requests: Json[]): Record<string, number> {
	const out: Record<string, number> = {};
	for (const r of requests) {
		const key = `${r.method} ${String(r.path).replace(/\/\d+(?=\/|$)/g, '/:id')}`;
		out[key] = (out[key] || 0) + 1;
	}
	return out;
}

maybe('many links on n8n queue mode (PostgreSQL, Redis, main + 2 workers)', () => {
	let sandboxes: Json;
	let cluster: Json;
	let links: Json[] = [];
	const lastSnapshot: Record<string, string> = {};
	const figures: Json = { links: SIZES.length, sizes: SIZES, profiles: PROFILES, workers: 2, concurrency: 1, rounds: [] };

	beforeAll(async () => {
		const t0 = Date.now();
		sandboxes = await scenario.startSandboxes();
		await scenario.control(sandboxes.actito.url, 'POST', 'seed', {
			entity: 'acme',
			table: { id: '16', name: 'Customers' },
			profiles: PROFILES,
			seed: 13,
			segmentations: SIZES.map((members, i) => ({ category: 'Audiences', name: seg(i).split(':')[1], members })),
			consent: { true: 0.7, false: 0.2, absent: 0.1 },
			// Profiles changed over the last 30 days, as a live table's are: seeded in one instant,
			// every one falls in the next incremental read's overlap (watermark − 5 min), and each
			// link's read pages through all 12,000 at 1 s a page (229 of round 2's 330 Actito calls,
			// 231 of round 3's 312, measured).
			momentsSpanMs: 30 * 24 * 3_600_000,
		});
		const seeded = await scenario.control(sandboxes.meta.url, 'POST', 'seed', {
			audiences: SIZES.map((_, i) => ({ adAccountId: scenario.AD_ACCOUNT, name: `Queue link ${i + 1}`, subtype: 'CUSTOM' })),
		});
		await scenario.control(sandboxes.actito.url, 'POST', 'faults', ACTITO_LATENCY);
		links = SIZES.map((size, i) => {
			const a = seeded.audiences[i];
			return { index: i, size, segmentation: seg(i), audienceId: String(typeof a === 'object' ? a.id : a) };
		});
		cluster = new QueueCluster({ workers: 2, concurrency: 1 });
		await cluster.setup();
		// One integration: one Actito and one Meta credential shared by all its links.
		await cluster.importCredentials([
			{
				id: 'actitoSandbox001',
				name: 'Actito (sandbox)',
				type: 'actitoApi',
				data: { apiKey: 'sandbox-actito-key', environment: 'custom', baseUrl: sandboxes.actito.url, entity: 'acme' },
			},
			{
				id: 'metaSandbox00001',
				name: 'Meta (sandbox)',
				type: 'metaMarketingApi',
				data: { accessToken: 'sandbox-meta-token', appSecret: '', apiVersion: 'v26.0', baseUrl: sandboxes.meta.url },
			},
			// The status page's Header Auth: n8n 2.x fails every run of a workflow whose node refers to
			// a credential without an id (its pre-execution permission check), the trigger's included.
			{ id: 'statusSandbox001', name: 'Status page (sandbox)', type: 'httpHeaderAuth', data: { name: 'X-Status-Key', value: 'sandbox-status-key' } },
		]);
		figures.setupMs = Date.now() - t0;
	});

	afterAll(async () => {
		if (cluster) figures.peakRssBytes = cluster.rss();
		fs.mkdirSync(path.dirname(FIGURES_FILE), { recursive: true });
		fs.writeFileSync(FIGURES_FILE, JSON.stringify(figures, null, 2));
		process.stdout.write(`queue-mode figures (${FIGURES_FILE}):\n${JSON.stringify(figures, null, 2)}\n`);
		await cluster?.dispose();
		await sandboxes?.close();
	});

	/** Every link's workflow, generated together, with every sync minute set to `minute`. */
	function generate(minute: number): Json[] {
		// The workflows of the integration generated together (licence share, reconcile hours, the
		// state credential); only the sync minute is then set to the worst case for the test.
		const { workflows, share } = buildIntegration(
			{
				table: 'Customers',
				'ad-account': scenario.AD_ACCOUNT,
				'actito-credential': 'actitoSandbox001',
				'actito-credential-name': 'Actito (sandbox)',
				'meta-credential': 'metaSandbox00001',
				'meta-credential-name': 'Meta (sandbox)',
				'status-credential': 'statusSandbox001',
				'status-credential-name': 'Status page (sandbox)',
				'state-credential': STATE_CREDENTIAL.id,
				'state-credential-name': STATE_CREDENTIAL.name,
				workers: '2',
				concurrency: '1',
				entity: 'acme',
				'default-country': 'BE',
			},
			links.map((link) => ({ segmentation: link.segmentation, audience: link.audienceId, size: link.size, ...(link.workflowId ? { id: link.workflowId } : {}) })),
		);
		expect(share).toBe(CALLS_PER_MINUTE_SHARE);
		workflows.forEach((wf: Json, i: number) => {
			const link = links[i];
			const sync = wf.nodes.find((n: Json) => n.name === 'Sync');
			expect(sync.parameters.limits.callsPerMinute).toBe(CALLS_PER_MINUTE_SHARE);
			expect(Object.keys(sync.credentials)).toContain('n8nStateApi');
			const trigger = wf.nodes.find((n: Json) => n.name === 'Every Hour');
			trigger.parameters.rule.interval[0].triggerAtMinute = (minute + (i % SPREAD_MINUTES)) % 60;
			// The UTC hour of the link's daily full reconcile (the generator spreads them over the day).
			link.reconcileHour = Number(/=== (\d+) }}$/.exec(String(sync.parameters.runOptions.forceFullReconcile))![1]);
			if (link.workflowId) expect(wf.id).toBe(link.workflowId);
			link.workflowId = wf.id;
		});
		expect(new Set(workflows.map((w: Json) => w.id)).size).toBe(links.length);
		return workflows;
	}

	/**
	 * Readies a round. With `restart` (the cluster is stopped): regenerates and re-imports every
	 * link's workflow (no staticData key: the state stays) with its sync minute parked half an hour
	 * away, publishes them and starts the cluster. Then, on the running main, sets every sync minute
	 * to the next minute that leaves time to publish them (the links spread over SPREAD_MINUTES; the
	 * Schedule Trigger adds a stable second per workflow) and publishes that version through the
	 * REST API, so that the main re-registers its Schedule Triggers: the wait for the sync minute
	 * is under ARM_MARGIN_MS + 1 min, not a margin for a start under load.
	 */
	async function prepareRound({ restart, afterStart }: { restart: boolean; afterStart?: () => Promise<void> }): Promise<{ fireAt: number; startedAt: string }> {
		let startedAt = new Date().toISOString();
		let startMs: number | null = null;
		if (restart) {
			const workflows = generate((new Date().getUTCMinutes() + 30) % 60);
			await cluster.importWorkflows(workflows);
			cluster.publish(workflows.map((w: Json) => w.id));
		}
		// The state survived the last round's end (with `restart`: the stop of every n8n process and
		// the re-import).
		for (const link of links) {
			if (lastSnapshot[link.workflowId] !== undefined) {
				expect(JSON.stringify(cluster.staticData(link.workflowId))).toBe(lastSnapshot[link.workflowId]);
			}
		}
		if (restart) {
			startedAt = new Date().toISOString();
			await scenario.control(sandboxes.actito.url, 'POST', 'requests/clear');
			startMs = await cluster.start();
			if (afterStart) await afterStart();
		} else {
			startedAt = new Date().toISOString();
			await scenario.control(sandboxes.actito.url, 'POST', 'requests/clear');
		}
		const margin = Math.max(ARM_MARGIN_MS, 2 * Math.max(0, ...(figures.arming ?? []).map((a: Json) => a.armMs as number)));
		const fireAt = Math.ceil((Date.now() + margin) / 60_000) * 60_000;
		const armMs = await cluster.republish(generate(new Date(fireAt).getUTCMinutes()));
		(figures.arming ||= []).push({ restart, startMs, armMs, waitForMinuteMs: fireAt - Date.now() });
		if (Date.now() >= fireAt) throw new Error(`publishing the sync minute took ${armMs} ms: past the sync minute, the runs would wait an hour`);
		// Still intact once the main has activated every workflow (before any run): tells a loss at
		// activation from a loss at run time.
		// (Measured: the main rewrites every workflow's static data when it activates it; only the
		// link's own `global` bucket matters here.)
		const globalOf = (text: string) => JSON.stringify((JSON.parse(text) || {}).global ?? null);
		const changed = links.filter((l) => lastSnapshot[l.workflowId] !== undefined && JSON.stringify(cluster.staticData(l.workflowId)) !== lastSnapshot[l.workflowId]);
		const lostAtStart = changed.filter((l) => globalOf(JSON.stringify(cluster.staticData(l.workflowId))) !== globalOf(lastSnapshot[l.workflowId]));
		(figures.stateAfterStart ||= []).push({
			rewritten: changed.map((l) => l.index),
			globalChanged: lostAtStart.map((l) => l.index),
			keysAfterStart: changed.length ? Object.keys(cluster.staticData(changed[0].workflowId) || {}) : null,
		});
		expect(lostAtStart.map((l) => l.index)).toEqual([]);
		return { fireAt, startedAt };
	}

	/** Waits until every link has one finished execution created since `startedAt`. */
	async function waitForRound(startedAt: string, { allowUnfinished = new Set<string>() } = {}): Promise<Json[]> {
		const deadline = Date.now() + 30 * 60_000;
		for (;;) {
			const rows: Json[] = cluster.executions(startedAt);
			const byWorkflow = new Map<string, Json[]>();
			for (const r of rows) byWorkflow.set(r.workflowId, [...(byWorkflow.get(r.workflowId) || []), r]);
			const done = links.every((l) => {
				const list = byWorkflow.get(l.workflowId) || [];
				return list.length > 0 && list.every((r) => r.stoppedAt || r.deleted || allowUnfinished.has(l.workflowId));
			});
			if (done) return rows;
			if (Date.now() > deadline) throw new Error(`round not finished in 30 min: ${JSON.stringify(rows.slice(-25))}`);
			await sleep(2000);
		}
	}

	/** The runs that did not succeed, with the start of their stored error (no PII: counts and ids only). */
	function failedRuns(rows: Json[]): Json[] {
		return rows
			.filter((r) => r.status !== 'success')
			.map((r) => {
				const data = cluster.pg.rows(`SELECT data FROM execution_data WHERE "executionId" = '${Number(r.id)}'`)[0]?.data ?? '';
				const at = String(data).search(/"message"|NodeOperationError|NodeApiError/);
				return { id: r.id, workflowId: r.workflowId, status: r.status, mode: r.mode, startedAt: r.startedAt, stoppedAt: r.stoppedAt, deleted: r.deleted, error: at >= 0 ? String(data).slice(at, at + 600) : null };
			});
	}

	async function graphAudience(id: string) {
		const res = await fetch(`${sandboxes.meta.url}/v26.0/${id}?fields=id,name,description&access_token=sandbox-meta-token`);
		return (await res.json()) as Json;
	}

	/** Every listed link exact at Meta, its state alone in its own workflow, its marker its own. */
	async function checkLinks(which: Json[]) {
		const { readLinkMarker } = require(path.join(scenario.REPO, 'dist', 'core'));
		const { profiles } = await scenario.control(sandboxes.actito.url, 'GET', 'profiles');
		const audienceIds = links.map((l) => l.audienceId);
		const out: Json = {};
		const mismatches: Json[] = [];
		for (const link of which) {
			const wanted = wantedFor(profiles, link.segmentation);
			const members = await scenario.metaMembers(sandboxes.meta.url, link.audienceId);
			const atMeta = scenario.sortRows(members.rows);
			if (JSON.stringify(atMeta) !== JSON.stringify(wanted)) {
				// Collected for all links before failing: which links, and what their last runs did.
				const st: Json = Object.values(cluster.staticData(link.workflowId)?.global || {})[0] || {};
				const wantedSet = new Set(wanted);
				const metaSet = new Set(atMeta);
				mismatches.push({
					link: link.index, size: link.size, churned: CHURNED.has(link.index), wanted: wanted.length, atMeta: atMeta.length,
					extraAtMeta: atMeta.filter((r: string) => !wantedSet.has(r)).length, missingAtMeta: wanted.filter((r: string) => !metaSet.has(r)).length,
					memberCount: st.memberCount,
					lastRuns: (st.runs || []).slice(-3).map((r: Json) => ({ mode: r.mode, status: r.status, added: r.added, removed: r.removed, unchanged: r.unchanged, error: r.error })),
				});
			}
		}
		if (mismatches.length) (figures.mismatches ||= []).push(...mismatches);
		expect(mismatches).toEqual([]);
		for (const link of which) {
			const wanted = wantedFor(profiles, link.segmentation);
			const data = cluster.staticData(link.workflowId);
			const keys = Object.keys(data?.global || {});
			expect(keys).toHaveLength(1);
			const marker = readLinkMarker((await graphAudience(link.audienceId)).description);
			expect(keys[0]).toBe(`actitoMeta:${marker}`);
			expect(marker).toContain(link.segmentation.split(':')[1]);
			expect(marker).toContain(link.audienceId);
			// Nothing of another link (its audience id, its segmentation) in this link's state.
			const text = JSON.stringify(data);
			for (const other of links) {
				if (other === link) continue;
				expect(text.includes(other.audienceId)).toBe(false);
				expect(text.includes(`:${other.segmentation.split(':')[1]}`)).toBe(false);
			}
			expect(audienceIds.filter((id) => id === link.audienceId)).toHaveLength(1);
			const state = data.global[keys[0]];
			expect(state.memberCount).toBe(wanted.length);
			out[link.index] = { state, members: wanted.length };
		}
		return out;
	}

	async function finishRound(name: string, prepared: Json, rows: Json[], extra: Json = {}) {
		const { requests } = await scenario.control(sandboxes.actito.url, 'GET', 'requests');
		const counters = await scenario.control(sandboxes.actito.url, 'GET', 'counters');
		const use = licenceUse(requests);
		const started = rows.map((r) => Date.parse(r.startedAt || r.createdAt)).filter(Number.isFinite);
		const stopped = rows.map((r) => Date.parse(r.stoppedAt)).filter(Number.isFinite);
		const durations = rows.filter((r) => r.startedAt && r.stoppedAt).map((r) => Date.parse(r.stoppedAt) - Date.parse(r.startedAt));
		// Runs overlap: some run started before another had stopped.
		const sorted = rows.filter((r) => r.startedAt && r.stoppedAt).sort((a, b) => Date.parse(a.startedAt) - Date.parse(b.startedAt));
		let overlapping = 0;
		for (let i = 1; i < sorted.length; i++) {
			if (sorted.slice(0, i).some((p) => Date.parse(p.stoppedAt) > Date.parse(sorted[i].startedAt))) overlapping++;
		}
		const figure = {
			name,
			executions: rows.length,
			statuses: rows.reduce((m: Json, r) => ({ ...m, [r.status]: (m[r.status] || 0) + 1 }), {}),
			modes: [...new Set(rows.map((r) => r.mode))],
			firstStartAfterFireMs: Math.min(...started) - prepared.fireAt,
			wallMs: Math.max(...stopped) - Math.min(...started),
			runMs: { min: Math.min(...durations), median: durations.sort((a, b) => a - b)[Math.floor(durations.length / 2)], max: Math.max(...durations) },
			overlappingRuns: overlapping,
			actito: { ...use, byRoute: byRoute(requests), maxInFlightSeenBySandbox: counters.maxInFlightSeen, rejectedInFlight: counters.rejectedInFlight, slowed: counters.slowed, status429: counters.byStatus['429'] || 0 },
			startToReadyMs: { main: cluster.main.startToReadyMs, workers: cluster.workers.map((w: Json) => w.startToReadyMs) },
			...extra,
		};
		figures.rounds.push(figure);
		// The licence, across all links: never more than 5 in flight nor 100 calls in a minute.
		expect(use.peakInFlight).toBeLessThanOrEqual(LICENCE.maxInFlight);
		expect(use.peakPerMinute).toBeLessThanOrEqual(LICENCE.callsPerMinute);
		expect(counters.rejectedInFlight).toBe(0);
		return figure;
	}

	let broken = false;
	/** One round: skipped once an earlier one failed (each builds on the state of the last). */
	async function round(name: string, body: () => Promise<void>) {
		if (broken) throw new Error(`not run: an earlier round failed`);
		try {
			await body();
		} catch (error) {
			broken = true;
			(figures.errors ||= []).push({ round: name, error: String((error as Error).stack || error).slice(0, 4000) });
			throw error;
		} finally {
			fs.mkdirSync(path.dirname(FIGURES_FILE), { recursive: true });
			fs.writeFileSync(FIGURES_FILE, JSON.stringify(figures, null, 2));
			// A failed round stops the cluster (rounds 1 and 2 share one start).
			if (broken && cluster?.main?.running) figures.stopMs = await endRound({ stop: true });
		}
	}

	/** The state of every link for the next round's check; with `stop`, every n8n process stopped. */
	async function endRound({ stop }: { stop: boolean }) {
		for (const link of links) lastSnapshot[link.workflowId] = JSON.stringify(cluster.staticData(link.workflowId));
		if (!stop) return null;
		const t = Date.now();
		await cluster.stopN8n();
		return Date.now() - t;
	}

	async function churn(indices: number[], fraction: number, salt: string) {
		const { parseConsent } = require(path.join(scenario.REPO, 'dist', 'core'));
		const { profiles } = await scenario.control(sandboxes.actito.url, 'GET', 'profiles');
		const live = profiles.filter((p: Json) => !p.deleted);
		const changes: Json[] = [];
		const touched = new Set<string>();
		// The churn's profiles: none that refused already, and those in the fewest segmentations
		// first. A change to a refused profile, or to one in many segmentations, only makes the
		// refusal log of every link it is in write a record (one Actito call each, at the run's
		// licence share: round 2's licence waits), and moves links that are meant to stay put.
		const pick = (list: Json[]) =>
			list
				.filter((p) => parseConsent((p.attributes || {}).marketingConsent) !== false)
				.map((p, k) => ({ p, k }))
				.sort((a, b) => a.p.segments.length - b.p.segments.length || a.k - b.k)
				.map(({ p }) => p);
		for (const i of indices) {
			const s = links[i].segmentation;
			const members = live.filter((p: Json) => p.segments.includes(s) && !touched.has(String(p.profileId)));
			const inSeg = pick(members);
			const outSeg = pick(live.filter((p: Json) => !p.segments.includes(s) && !touched.has(String(p.profileId))));
			const n = Math.max(3, Math.round(members.length * fraction));
			const take = (list: Json[], k: number, from: number) => list.slice(from, from + k).map((p) => String(p.profileId));
			for (const id of take(inSeg, n, 0)) {
				changes.push({ profileId: id, leave: [s] });
				touched.add(id);
			}
			for (const id of take(outSeg, n, 0)) {
				changes.push({ profileId: id, join: [s], attributes: { marketingConsent: true } });
				touched.add(id);
			}
			for (const id of take(inSeg, Math.ceil(n / 3), n)) {
				changes.push({ profileId: id, attributes: { marketingConsent: false } });
				touched.add(id);
			}
			for (const id of take(inSeg, Math.ceil(n / 3), n + Math.ceil(n / 3))) {
				changes.push({ profileId: id, attributes: { emailAddress: `moved.${salt}.${id}@example.org` } });
				touched.add(id);
			}
		}
		await scenario.control(sandboxes.actito.url, 'POST', 'profiles/changes', changes);
		return changes.length;
	}

	test('round 1: every link syncs in full through the queue, exact at Meta, state in PostgreSQL', async () => {
		await round('1', async () => {
		// An n8n API key (the owner's, scopes workflow:read and workflow:list) in the state credential
		// every workflow refers to: created once the main is up, before the sync minute.
		const prepared = await prepareRound({
			restart: true,
			afterStart: async () => {
				const apiKey = await cluster.createApiKey();
				await cluster.importCredentials([{ ...STATE_CREDENTIAL, type: 'n8nStateApi', data: { baseUrl: cluster.baseUrl, apiKey } }]);
			},
		});
		const rows = await waitForRound(prepared.startedAt);
		expect(failedRuns(rows)).toEqual([]);
		expect(new Set(rows.map((r) => r.mode))).toEqual(new Set(['trigger']));
		const checked = await checkLinks(links);
		for (const link of links) expect(checked[link.index].state.runs.at(-1).status).toBe('success');
		await finishRound('1: initial full sync', prepared, rows, {
			members: Object.values(checked).reduce((n: number, c: Json) => n + c.members, 0),
		});
		expect(figures.rounds.at(-1).overlappingRuns).toBeGreaterThan(0);
		// The cluster goes on into round 2 (round 3 is the one that restarts every process).
		figures.rounds.at(-1).stopMs = await endRound({ stop: false });
		});
	});

	test('round 2: churn on some links, a worker SIGKILLed while one link uploads; the others end exact', async () => {
		await round('2', async () => {
		// 1% of each churned audience: enough changes of every kind (joins, leaves, withdrawals, new
		// e-mails) on 8 links, few enough that the refusal log's one call a withdrawal, at each run's
		// licence share, keeps the round to minutes (3% took 13 minutes, measured).
		const changes = await churn([...CHURNED], 0.01, 'r2');
		const killed = links[KILLED];
		// Hold that link's upload of additions at Meta long enough to kill the worker running it.
		await fetch(`${sandboxes.meta.url}/__sandbox/faults`, {
			method: 'POST',
			headers: { 'content-type': 'application/json' },
			body: JSON.stringify({ match: { method: 'POST', pathRegex: `/${killed.audienceId}/users$` }, count: 1, delayMs: 20_000 }),
		});
		// On the cluster of round 1, still running: only the sync minute is published anew.
		const prepared = await prepareRound({ restart: false });
		// Wait for the held upload, then kill the worker that runs it.
		let victim: Json | null = null;
		let executionId: string | null = null;
		const deadline = Date.now() + 20 * 60_000;
		while (!victim) {
			const { faults } = (await (await fetch(`${sandboxes.meta.url}/__sandbox/faults`)).json()) as Json;
			if (faults.length && faults[0].used > 0) {
				const running = cluster.executions(prepared.startedAt).filter((r: Json) => r.workflowId === killed.workflowId && !r.stoppedAt && !r.deleted);
				executionId = running.length ? String(running[0].id) : null;
				victim = executionId ? cluster.workerOf(executionId) : null;
			}
			if (Date.now() > deadline) throw new Error('the held upload never came');
			if (!victim) await sleep(250);
		}
		const killedAt = Date.now();
		await victim.kill();
		// Back to two workers for the rest of the round.
		await victim.start();
		const rows = await waitForRound(prepared.startedAt, { allowUnfinished: new Set([killed.workflowId]) });
		const others = links.filter((l) => l !== killed);
		const otherIds = new Set(others.map((l) => l.workflowId));
		expect(failedRuns(rows.filter((r) => otherIds.has(r.workflowId)))).toEqual([]);
		const checked = await checkLinks(others);
		for (const link of others) {
			const last = checked[link.index].state.runs.at(-1);
			expect(last.status).toBe('success');
			// The state from round 1 was read back: an incremental run, not a new full sync (full only
			// in the link's own reconcile hour, forced by the generated schedule).
			expect(last.mode).toBe(new Date(last.startedAt).getUTCHours() === link.reconcileHour ? 'full' : 'incremental');
			expect(last.replace ?? false).toBe(false);
		}
		const killedRun = rows.find((r) => String(r.id) === executionId);
		await finishRound('2: churn, worker SIGKILLed', prepared, rows, {
			changes,
			killed: { link: KILLED, size: killed.size, worker: victim.role, executionStatus: killedRun?.status ?? null, killedAfterFireMs: killedAt - prepared.fireAt },
		});
		figures.rounds.at(-1).stopMs = await endRound({ stop: true });
		});
	});

	test('round 3: after a restart of every process, the killed link ends exact; Actito throttling slows, never fails', async () => {
		await round('3', async () => {
		const changes = await churn([0, 5, 13], 0.01, 'r3');
		// Throttling: a low minute budget with a long slow-down, and a few 429s on profile reads.
		await scenario.control(sandboxes.actito.url, 'POST', 'config', { callsPerMinute: 20, slowdownMs: 400 });
		// Faults apply in order: the 429s first, then the latency again.
		await scenario.control(sandboxes.actito.url, 'POST', 'faults/clear');
		await scenario.control(sandboxes.actito.url, 'POST', 'faults', [{ match: { path: '/profiles/v5/*' }, count: 4, status: 429 }, ACTITO_LATENCY]);
		const prepared = await prepareRound({ restart: true });
		const rows = await waitForRound(prepared.startedAt);
		expect(failedRuns(rows)).toEqual([]);
		const checked = await checkLinks(links);
		for (const link of links) expect(checked[link.index].state.runs.at(-1).status).toBe('success');
		const counters = await scenario.control(sandboxes.actito.url, 'GET', 'counters');
		expect(counters.slowed).toBeGreaterThan(0);
		expect(counters.byStatus['429']).toBeGreaterThanOrEqual(4);
		await finishRound('3: restart, recovery, throttled', prepared, rows, { changes, faults429: 4 });
		await scenario.control(sandboxes.actito.url, 'POST', 'config', { callsPerMinute: 100, slowdownMs: 100 });
		figures.rounds.at(-1).stopMs = await endRound({ stop: true });
		});
	});
});
