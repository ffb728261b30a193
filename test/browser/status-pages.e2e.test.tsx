/**
 * The status pages as a person sees them: a real n8n (createN8nHost, default 2.41.1) with two
 * links of one integration and real hourly runs behind them (sandboxes), opened in headless
 * Chromium from Debian (scripts/install-chromium.sh). What is asserted is what a person reads:
 * the numbers on the page equal the stored state and the Meta sandbox, the stopped link shows its
 * cause and fix, and a request without the credential is refused.
 *
 * Screenshots go to SCREENSHOT_DIR (default .tmp/screenshots); `npm run screenshots` writes
 * docs/status-page.png, docs/overview.png and docs/template-canvas.png from this run.
 * No angle-bracket casts or generic arrows here: the file also compiles if renamed .tsx.
 */
/* eslint-disable @typescript-eslint/no-require-imports */
const fs = require('node:fs');
const path = require('node:path');
const { execFileSync, spawn } = require('node:child_process');
const readline = require('node:readline');
const scenario = require('../../scripts/lib/scenario');
const { buildOverviewWorkflow } = require('../../generator/actito-meta-overview');
const { freePort } = require('../../scripts/lib/n8nHost');

jest.setTimeout(1_200_000);

type Json = Record<string, any>;

const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
const SHOTS = path.resolve(scenario.REPO, process.env.SCREENSHOT_DIR || '.tmp/screenshots');
const SECOND_ACCOUNT = 'act_200000000000002';
const OWNER = { email: 'owner@example.test', firstName: 'Marketing', lastName: 'Ops', password: 'Sandbox-Owner-2026' };

function fmt(n: number): string {
	return n.toLocaleString('en-US');
}

/** The browser, in its own Node process (test/browser/chromiumDriver.js): steps go as source text. */
interface Driver {
	launch(executablePath: string): Promise<unknown>;
	call(fn: (st: Json, a: Json) => Promise<unknown>, arg?: Json): Promise<Json>;
	close(): Promise<void>;
}

function startDriver(): Driver {
	const child = spawn(process.execPath, [path.join(__dirname, 'chromiumDriver.js')], { stdio: ['pipe', 'pipe', 'inherit'] });
	let next = 1;
	const waiting = new Map();
	const exited = new Promise((resolve) => child.on('exit', resolve));
	readline.createInterface({ input: child.stdout }).on('line', (line: string) => {
		let msg: Json;
		try {
			msg = JSON.parse(line);
		} catch {
			return;
		}
		const w = waiting.get(msg.id);
		if (!w) return;
		waiting.delete(msg.id);
		if (msg.ok) w.resolve(msg.value);
		else w.reject(new Error(msg.error));
	});
	child.on('exit', (code: number) => {
		for (const w of waiting.values()) w.reject(new Error(`the Chromium driver exited (${code})`));
		waiting.clear();
	});
	const send = (msg: Json) =>
		new Promise((resolve, reject) => {
			const id = next++;
			waiting.set(id, { resolve, reject });
			child.stdin.write(`${JSON.stringify({ ...msg, id })}\n`);
		});
	return {
		launch: (executablePath: string) => send({ launch: executablePath }),
		call: (fn: (state: Json, arg: Json) => Promise<unknown>, arg: Json = {}) => send({ fn: fn.toString(), arg }) as Promise<Json>,
		async close() {
			if (child.exitCode !== null || child.signalCode !== null) return;
			child.stdin.end();
			const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
			await exited;
			clearTimeout(timer);
		},
	};
}

describe('status pages in a real browser against a running n8n', () => {
	let sandboxes: Json;
	let host: Json;
	let vip: Json;
	let brand: Json;
	let overview: Json;
	let audienceId: string;
	let brandAudienceId: string;
	let driver: Driver;

	const auth = { [scenario.STATUS_HEADER]: scenario.STATUS_KEY };
	// Read through n8n's own CLI export: host.readStaticData loads n8n's sqlite3 build (made for
	// the host's Node 24) into this Node 20 jest worker, which crashed it (SIGSEGV) here. The status
	// branch never writes the state, so one read after the runs holds for every test.
	const states = new Map();
	const stateOf = async (workflowId: string): Promise<Json> => {
		if (!states.has(workflowId)) {
			const raw = (await host.exportWorkflow(workflowId)).staticData;
			const data = typeof raw === 'string' ? JSON.parse(raw) : raw;
			states.set(workflowId, Object.values(data.global as Json)[0]);
		}
		return states.get(workflowId);
	};

	async function hourly(workflowId: string) {
		const result = await host.execute(workflowId);
		return { result, summary: (scenario.nodeOutput(result.result, scenario.SYNC_NODE) ?? [])[0] ?? null };
	}

	beforeAll(async () => {
		execFileSync('sh', [path.join(scenario.REPO, 'scripts', 'install-chromium.sh')], { stdio: 'ignore' });
		fs.mkdirSync(SHOTS, { recursive: true });
		sandboxes = await scenario.startSandboxes();
		({ audienceId } = await scenario.seedScenario(sandboxes, { profiles: 400, members: 150, seed: 12, audienceName: 'VIP customers' }));
		// A second ad account whose Custom Audience terms are not accepted: its link stops.
		const seeded = await scenario.control(sandboxes.meta.url, 'POST', 'seed', {
			adAccounts: [{ id: SECOND_ACCOUNT, name: 'Brand Ads', tosAccepted: false }],
			tokens: [{ token: 'sandbox-meta-token', adAccounts: [scenario.AD_ACCOUNT, SECOND_ACCOUNT] }],
			audiences: [{ adAccountId: SECOND_ACCOUNT, name: 'VIP customers (Brand)', subtype: 'CUSTOM' }],
		});
		brandAudienceId = String(seeded.audiences[0]);
		// The task broker's default port (5679) may be taken by another n8n on this machine.
		const brokerPort = String(await freePort());
		({ host, workflow: vip } = await scenario.setupN8n(sandboxes, { audienceId, workflowOverrides: { 'audience-name': 'VIP customers', 'ad-account-name': 'Sandbox Ads' }, hostOptions: { env: { N8N_RUNNERS_BROKER_PORT: brokerPort } } }));
		({ workflow: brand } = await scenario.setupN8n(sandboxes, {
			audienceId: brandAudienceId,
			host,
			workflowOverrides: { 'ad-account': SECOND_ACCOUNT, 'audience-name': 'VIP customers (Brand)', 'ad-account-name': 'Brand Ads' },
		}));
		overview = scenario.fitToHost(
			buildOverviewWorkflow({
				links: [
					{ name: 'VIP customers', workflowId: vip.id },
					{ name: 'VIP customers (Brand)', workflowId: brand.id },
				],
				'n8n-url': host.baseUrl,
				'status-credential': 'statusAuth000001',
				'status-credential-name': 'Status page',
				'actito-credential': 'actitoSandbox001',
				'actito-credential-name': 'Actito (sandbox)',
			}),
			host,
		);
		await host.importWorkflow(overview);

		// Real runs: a first full run, then members join and leave, then a quiet run.
		const first = await hourly(vip.id);
		if (first.summary?.status !== 'success') throw new Error(`first run: ${scenario.describeRunError(first.result)}`);
		const { profiles } = await scenario.control(sandboxes.actito.url, 'GET', 'profiles');
		const outside = profiles.filter((p: Json) => !p.segments.includes(scenario.SEGMENTATION) && p.attributes.marketingConsent === true).slice(0, 12);
		const inside = profiles.filter((p: Json) => p.segments.includes(scenario.SEGMENTATION)).slice(0, 5);
		await scenario.control(sandboxes.actito.url, 'POST', 'profiles/changes', [
			...outside.map((p: Json) => ({ profileId: p.profileId, join: [scenario.SEGMENTATION] })),
			...inside.map((p: Json) => ({ profileId: p.profileId, leave: [scenario.SEGMENTATION] })),
		]);
		expect((await hourly(vip.id)).summary?.status).toBe('success');
		expect((await hourly(vip.id)).summary?.status).toBe('success');
		await hourly(brand.id); // fails: terms not accepted (recorded in the link's state)

		await host.activate(vip.id);
		await host.activate(brand.id);
		await host.activate(overview.id);
		await host.start();

		driver = startDriver();
		await driver.launch(CHROMIUM);
		// The status credential is a header (Header Auth), sent by the browser context on every request.
		await driver.call(
			async (st, a) => {
				st.contexts.main = await st.browser.newContext({ viewport: { width: 1280, height: 900 }, extraHTTPHeaders: a.headers });
			},
			{ headers: auth },
		);
	});

	afterAll(async () => {
		await driver?.close();
		await host?.dispose();
		await sandboxes?.close();
	});

	test('without the credential, both pages are refused', async () => {
		const seen = await driver.call(
			async (st, a) => {
				const context = await st.browser.newContext();
				try {
					const page = await context.newPage();
					const first = await page.goto(a.page);
					const html = await page.content();
					const second = await page.goto(a.overview);
					return { page: first.status(), overview: second.status(), html };
				} finally {
					await context.close();
				}
			},
			{ page: host.webhookUrl(`actito-meta-status/${vip.id}`), overview: host.webhookUrl(`actito-meta-overview/${overview.id}`) },
		);
		expect([401, 403]).toContain(seen.page);
		expect([401, 403]).toContain(seen.overview);
		expect(seen.html).not.toContain('Nb members');
	});

	test('the status page shows what the state and the Meta sandbox hold', async () => {
		const seen = await driver.call(
			async (st, a) => {
				const page = await st.contexts.main.newPage();
				const answer = await page.goto(a.url);
				const text = async (id: string) => ((await page.getByTestId(id).first().textContent()) || '').trim();
				const out: Record<string, unknown> = { status: answer.status(), contentType: answer.headers()['content-type'] };
				for (const id of ['name', 'members', 'state-text', 'synced-on', 'def-table', 'def-entity', 'meta-name', 'meta-size']) out[id] = await text(id);
				out.tooSmall = await page.getByTestId('too-small').count();
				const rows = page.locator('[data-testid="runs"] tbody tr');
				const cells = [];
				for (let i = 0; i < (await rows.count()); i++) cells.push((await rows.nth(i).locator('td').allTextContents()).map((c: string) => c.trim()));
				out.rows = cells;
				out.circles = await page.locator('svg circle').count();
				out.html = await page.content();
				await page.screenshot({ path: a.shot, fullPage: true });
				// A phone-sized window: the page itself does not scroll sideways.
				await page.setViewportSize({ width: 390, height: 844 });
				out.overflow = await page.evaluate('document.documentElement.scrollWidth - document.documentElement.clientWidth');
				await page.close();
				return out;
			},
			{ url: host.webhookUrl(`actito-meta-status/${vip.id}`), shot: path.join(SHOTS, 'status-page.png') },
		);
		const state = await stateOf(vip.id);
		const members = await scenario.metaMembers(sandboxes.meta.url, audienceId);
		expect(seen.status).toBe(200);
		expect(seen.contentType).toMatch(/text\/html/);
		expect(seen.name).toBe(scenario.SEGMENTATION);
		expect(seen.members).toBe(fmt(state.memberCount));
		expect(state.memberCount).toBe(members.count);
		expect(seen['state-text']).toMatch(/^Synchronized (just now|\d+ minutes? ago)\.$/);
		expect(seen['synced-on']).toBe(`${state.syncedAt.slice(0, 10)} ${state.syncedAt.slice(11, 16)} UTC`);
		expect(seen['def-table']).toBe('Customers');
		expect(seen['def-entity']).toBe('acme');
		expect(seen['meta-name']).toBe('VIP customers');

		// Meta's estimate as the sandbox reports it through the Graph API.
		const graph = (await (
			await fetch(`${sandboxes.meta.url}/v26.0/${audienceId}?fields=approximate_count_lower_bound,approximate_count_upper_bound&access_token=sandbox-meta-token`)
		).json()) as Json;
		const lo = graph.approximate_count_lower_bound;
		const hi = graph.approximate_count_upper_bound;
		expect(seen['meta-size']).toBe(lo !== hi ? `${fmt(lo)} – ${fmt(hi)}` : fmt(hi));
		expect(seen.tooSmall).toBe(hi < 1000 ? 1 : 0);

		// One row per kept run, newest first, with each run's adds and removes.
		expect(seen.rows).toHaveLength(state.runs.length);
		const newestFirst = [...state.runs].reverse();
		newestFirst.forEach((run: Json, i: number) => {
			expect(seen.rows[i][1]).toBe(run.status);
			expect(seen.rows[i][3]).toBe(fmt(run.added));
			expect(seen.rows[i][4]).toBe(fmt(run.removed));
		});
		expect(state.runs[1].added).toBeGreaterThan(0);
		expect(seen.rows[0][8]).toBe(fmt(state.memberCount));
		expect(seen.circles).toBe(state.runs.length);

		expect(seen.html).not.toMatch(/[^\s@<>"']+@[^\s@<>"']+\.[a-z]/i);
		expect(seen.html).not.toContain('sandbox-meta-token');
		expect(seen.html).not.toContain(scenario.STATUS_KEY);
		expect(seen.html).not.toContain(audienceId);
		expect(seen.overflow).toBeLessThanOrEqual(0);
	});

	test('the profile check says is member / is synchronized / why not, from a profile id', async () => {
		const { profiles } = await scenario.control(sandboxes.actito.url, 'GET', 'profiles');
		const wanted = new Set((await scenario.wantedRows(sandboxes.actito.url)).map((r: string[]) => r[0]));
		const refused = profiles.find((p: Json) => p.segments.includes(scenario.SEGMENTATION) && p.attributes.marketingConsent === false);
		const synced = profiles.find((p: Json) => wanted.has(String(p.profileId)));
		const seen = await driver.call(
			async (st, a) => {
				const page = await st.contexts.main.newPage();
				await page.goto(a.url);
				const ask = async (id: string) => {
					await page.fill('#profile', id);
					await Promise.all([page.waitForURL(new RegExp(`profile=${id}$`)), page.click('button[type=submit]')]);
					await page.getByTestId('profile-check').waitFor();
					return {
						check: await page.getByTestId('profile-check').textContent(),
						why: (await page.getByTestId('profile-why').count()) ? await page.getByTestId('profile-why').textContent() : null,
					};
				};
				const synced = await ask(a.synced);
				const refused = await ask(a.refused);
				await page.goto(`${a.url}?profile=${encodeURIComponent('jane@example.com')}`);
				const email = { html: await page.content(), why: await page.getByTestId('profile-why').textContent() };
				await page.close();
				return { synced, refused, email };
			},
			{ url: host.webhookUrl(`actito-meta-status/${vip.id}`), synced: String(synced.profileId), refused: String(refused.profileId) },
		);
		expect(seen.synced.check).toMatch(/Is member \(in Actito\): yes.*Is at Meta: yes.*Is synchronized: yes/s);
		expect(seen.synced.why).toBeNull();
		expect(seen.refused.check).toMatch(/Is at Meta: no.*Is synchronized: yes/s);
		expect(seen.refused.why).toMatch(/refused marketing consent/);
		// An e-mail is neither looked up nor echoed.
		expect(seen.email.html).not.toContain('jane@example.com');
		expect(seen.email.why).toMatch(/never an e-mail/);
	});

	test('the stopped link shows its cause and fix', async () => {
		const seen = await driver.call(
			async (st, a) => {
				const page = await st.contexts.main.newPage();
				await page.goto(a.url);
				const out = {
					code: await page.getByTestId('state').getAttribute('data-state'),
					text: await page.getByTestId('state-text').textContent(),
					fix: await page.getByTestId('state-fix').textContent(),
					href: await page.getByTestId('state-fix').locator('a').getAttribute('href'),
				};
				await page.close();
				return out;
			},
			{ url: host.webhookUrl(`actito-meta-status/${brand.id}`) },
		);
		expect(seen.code).toBe('stopped');
		expect(seen.text).toContain('Stopped: Meta’s Custom Audience terms are not accepted');
		expect(seen.fix).toMatch(/Accept them/);
		expect(seen.href).toBe('https://business.facebook.com/ads/manage/customaudiences/tos/?act=200000000000002');
	});

	test('the overview shows every link with its state at a glance', async () => {
		const seen = await driver.call(
			async (st, a) => {
				const page = await st.contexts.main.newPage();
				const answer = await page.goto(a.url);
				const rows = page.getByTestId('overview-row');
				const list = [];
				for (let i = 0; i < (await rows.count()); i++) {
					const row = rows.nth(i);
					list.push({
						name: ((await row.getByTestId('o-name').textContent()) || '').trim(),
						members: ((await row.getByTestId('o-members').textContent()) || '').trim(),
						status: await row.getByTestId('o-status').textContent(),
						size: ((await row.getByTestId('o-size').textContent()) || '').trim(),
						badges: await row.getByTestId('badge').allTextContents(),
					});
				}
				await page.setViewportSize({ width: 1280, height: 360 });
				await page.screenshot({ path: a.shot, fullPage: true });
				// Each row links to that link's own page.
				await Promise.all([page.waitForURL(a.first), rows.nth(0).locator('a').click()]);
				const landed = { url: page.url(), members: ((await page.getByTestId('members').textContent()) || '').trim() };
				await page.close();
				return { status: answer.status(), list, landed };
			},
			{ url: host.webhookUrl(`actito-meta-overview/${overview.id}`), first: host.webhookUrl(`actito-meta-status/${vip.id}`), shot: path.join(SHOTS, 'overview.png') },
		);
		const state = await stateOf(vip.id);
		expect(seen.status).toBe(200);
		expect(seen.list).toHaveLength(2);
		expect(seen.list[0].name).toBe('VIP customers');
		expect(seen.list[1].name).toBe('VIP customers (Brand)');
		expect(seen.list[0].members).toBe(fmt(state.memberCount));
		expect(seen.list[0].status).toMatch(/^Synchronized/);
		expect(seen.list[0].badges).toContain('in sync');
		expect(seen.list[1].badges).toContain('stopped');
		expect(seen.list[1].status).toMatch(/terms are not accepted/);
		expect(seen.landed.url).toBe(host.webhookUrl(`actito-meta-status/${vip.id}`));
		expect(seen.landed.members).toBe(fmt(state.memberCount));
		const json = (await (await fetch(`${host.webhookUrl(`actito-meta-overview/${overview.id}`)}?format=json`, { headers: auth })).json()) as Json;
		expect(json.links.map((l: Json) => l.view.state.code)).toEqual(['synchronized', 'stopped']);
	});

	test('the JSON answer carries the documented view', async () => {
		const answer = await fetch(host.webhookUrl(`actito-meta-status/${vip.id}`), { headers: { ...auth, accept: 'application/json' } });
		expect(answer.headers.get('content-type')).toMatch(/application\/json/);
		const body = (await answer.json()) as Json;
		const state = await stateOf(vip.id);
		expect(body.memberCount).toBe(state.memberCount);
		expect(body.view.memberCount).toBe(state.memberCount);
		expect(body.view.state.code).toBe('synchronized');
		expect(body.view.runs).toHaveLength(state.runs.length);
		expect(typeof body.view.meta.tooSmall).toBe('boolean');
	});

	test('the hourly template on the n8n canvas', async () => {
		const seen = await driver.call(
			async (st, a) => {
				const context = await st.browser.newContext({ viewport: { width: 1600, height: 900 } });
				try {
					const page = await context.newPage();
					await page.goto(`${a.base}/`);
					await page.waitForLoadState('networkidle').catch(() => undefined);
					const setup = await page.evaluate(
						`fetch('/rest/owner/setup', { method: 'POST', headers: { 'content-type': 'application/json', 'browser-id': localStorage.getItem('n8n-browserId') || '' }, body: ${JSON.stringify(JSON.stringify(a.owner))} }).then((r) => r.status)`,
					);
					await page.goto(`${a.base}/workflow/${a.id}`);
					await page.locator('[data-test-id="canvas-node"]').first().waitFor({ timeout: 60000 });
					// Close the editor's first-visit checklist and fit the whole workflow in view.
					await page.getByText('Production Checklist').locator('xpath=..').locator('button').first().click({ timeout: 3000 }).catch(() => undefined);
					await page.locator('[data-test-id="zoom-to-fit"]').click({ timeout: 3000 }).catch(() => undefined);
					await page.locator('[data-test-id="zoom-out-button"]').click({ timeout: 3000 }).catch(() => undefined);
					await page.waitForTimeout(1500);
					const nodes = await page.locator('[data-test-id="canvas-node"]').count();
					const named = await page.getByText(a.name, { exact: true }).count();
					// A node's name and subtitle sit beside its box, in vue-flow's node element.
					const texts = (await page.locator('.vue-flow__node').allTextContents()).map((t: string) => t.replace(/\s+/g, ' ').trim());
					const runButton = ((await page.locator('[data-test-id="execute-workflow-button"]').first().textContent()) || '').replace(/\s+/g, ' ').trim();
					await page.screenshot({ path: a.shot });
					// The node panel, searched with the words a marketer types. A node with several actions
					// is an "action item" there, one with a single action a "node item".
					await page.locator('[data-test-id="node-creator-plus-button"]').click();
					const bar = page.locator('input[data-test-id="node-creator-search-bar"]');
					await bar.waitFor({ timeout: 10000 });
					const panel: Record<string, unknown> = {};
					for (const words of ['facebook', 'instagram', 'actito']) {
						await bar.fill(words);
						await page.waitForTimeout(1000);
						const items = page.locator('[data-test-id="node-creator-node-item"], [data-test-id="node-creator-action-item"]');
						const found = [];
						for (let i = 0; i < (await items.count()); i++) {
							found.push({
								name: ((await items.nth(i).locator('[data-test-id="node-creator-item-name"]').first().textContent()) || '').trim(),
								text: ((await items.nth(i).textContent()) || '').replace(/\s+/g, ' ').trim(),
							});
						}
						panel[words] = found;
					}
					await page.screenshot({ path: a.panelShot });
					return { setup, nodes, named, texts, runButton, panel };
				} finally {
					await context.close();
				}
			},
			{ base: host.baseUrl, id: vip.id, name: vip.name, owner: OWNER, shot: path.join(SHOTS, 'template-canvas.png'), panelShot: path.join(path.resolve(scenario.REPO, '.tmp'), 'node-panel.png') },
		);
		expect(seen.setup).toBe(200);
		expect(seen.nodes).toBeGreaterThanOrEqual(8);
		// The generator's name: the audience as people call it on both sides, shown in the editor.
		expect(vip.name).toBe('Actito VIP → Meta ‘VIP customers’ (hourly)');
		expect(seen.named).toBeGreaterThan(0);
		// Subtitles in words, under each node of the package, as n8n evaluates them.
		const card = (name: string) => seen.texts.find((t: string) => t.includes(name)) || '';
		expect(card('Sync From Actito Audience')).toMatch(/Sync ?Sync From Actito Audience/);
		expect(card('Get Estimated Size')).toMatch(/Estimated Size ?Get Estimated Size/);
		expect(card('Log Interaction')).toMatch(/Log Negative Consent ?Log Interaction/);
		expect(card('Get Status')).toMatch(/Get Status ?Get Status/);
		expect(seen.texts.join(' ')).not.toMatch(/syncFromActito|getEstimatedSize|logInteraction|getStatus/);
		// The words people type find the Meta node; the Actito card shows its own description.
		for (const words of ['facebook', 'instagram']) expect(seen.panel[words].map((i: Json) => i.name)).toContain('Meta Custom Audience');
		const actito = seen.panel.actito.find((i: Json) => i.name === 'Actito Audience');
		expect(actito?.text).toContain('Read Actito audiences and profiles');
		expect(actito?.text).not.toContain('Starts the workflow');
		// Both Actito triggers have a card of their own, each with its description.
		for (const name of ['Actito Audience Trigger', 'Actito Webhook Trigger']) {
			expect(seen.panel.actito.find((i: Json) => i.name === name)?.text).toMatch(/Starts the workflow when /);
		}
		// n8n preselects the trigger by node type (Form 10, Webhook 9, app triggers 8, Schedule 7,
		// Manual 6: findTriggerNodeToAutoSelect in the editor), so the button offers the Status Page
		// webhook, whatever the nodes' order; the README and the template's note say to pick Try It.
		expect(seen.runButton).toMatch(/^Execute workflow from \S/);
	});
});

export {};
