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
const { execFileSync } = require('node:child_process');
const scenario = require('../../scripts/lib/scenario');
const { buildOverviewWorkflow } = require('../../bin/actito-meta-overview');

jest.setTimeout(1_200_000);

type Json = Record<string, any>;

const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
const SHOTS = path.resolve(scenario.REPO, process.env.SCREENSHOT_DIR || '.tmp/screenshots');
const SECOND_ACCOUNT = 'act_200000000000002';
const OWNER = { email: 'owner@example.test', firstName: 'Marketing', lastName: 'Ops', password: 'Sandbox-Owner-2026' };

function fmt(n: number): string {
	return n.toLocaleString('en-US');
}

describe('status pages in a real browser against a running n8n', () => {
	let sandboxes: Json;
	let host: Json;
	let vip: Json;
	let brand: Json;
	let overview: Json;
	let audienceId: string;
	let brandAudienceId: string;
	let browser: Json;
	let context: Json;

	const auth = { [scenario.STATUS_HEADER]: scenario.STATUS_KEY };
	const stateOf = async (workflowId: string) => Object.values((await host.readStaticData(workflowId)).global as Json)[0] as Json;

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
		({ host, workflow: vip } = await scenario.setupN8n(sandboxes, { audienceId }));
		({ workflow: brand } = await scenario.setupN8n(sandboxes, {
			audienceId: brandAudienceId,
			host,
			workflowOverrides: { 'ad-account': SECOND_ACCOUNT, name: 'Actito VIP → Meta VIP customers (Brand)' },
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

		const { chromium } = require('playwright-core');
		// playwright-core gives every launch a fresh, empty user-data-dir of its own (and --headless).
		browser = await chromium.launch({
			executablePath: CHROMIUM,
			headless: true,
			args: [
				'--no-sandbox',
				'--disable-gpu',
				'--disable-quic',
				'--no-first-run',
				'--disable-background-networking',
				'--disable-component-update',
				'--disable-sync',
			],
		});
		// The status credential is a header (Header Auth), sent by the browser context on every request.
		context = await browser.newContext({ viewport: { width: 1280, height: 900 }, extraHTTPHeaders: auth });
	});

	afterAll(async () => {
		await context?.close().catch(() => undefined);
		await browser?.close().catch(() => undefined);
		await host?.dispose();
		await sandboxes?.close();
	});

	test('without the credential, both pages are refused', async () => {
		const anonymous = await browser.newContext();
		try {
			const page = await anonymous.newPage();
			const a = await page.goto(host.webhookUrl(`actito-meta-status/${vip.id}`));
			expect([401, 403]).toContain(a.status());
			expect(await page.content()).not.toContain('Nb members');
			const b = await page.goto(host.webhookUrl(`actito-meta-overview/${overview.id}`));
			expect([401, 403]).toContain(b.status());
		} finally {
			await anonymous.close();
		}
	});

	test('the status page shows what the state and the Meta sandbox hold', async () => {
		const page = await context.newPage();
		const answer = await page.goto(host.webhookUrl(`actito-meta-status/${vip.id}`));
		expect(answer.status()).toBe(200);
		expect(answer.headers()['content-type']).toMatch(/text\/html/);
		const state = await stateOf(vip.id);
		const members = await scenario.metaMembers(sandboxes.meta.url, audienceId);
		const text = async (id: string) => ((await page.getByTestId(id).first().textContent()) ?? '').trim();

		expect(await text('name')).toBe(scenario.SEGMENTATION);
		expect(await text('members')).toBe(fmt(state.memberCount));
		expect(state.memberCount).toBe(members.count);
		expect(await text('state-text')).toMatch(/^Synchronized (just now|\d+ minutes? ago)\.$/);
		expect(await text('synced-on')).toBe(`${state.syncedAt.slice(0, 10)} ${state.syncedAt.slice(11, 16)} UTC`);
		expect(await text('def-table')).toBe('Customers');
		expect(await text('def-entity')).toBe('acme');
		expect(await text('meta-name')).toBe('VIP customers');

		// Meta's estimate as the sandbox reports it (the fields Meta's API gives).
		const graph = (await (
			await fetch(`${sandboxes.meta.url}/v26.0/${audienceId}?fields=approximate_count_lower_bound,approximate_count_upper_bound&access_token=sandbox-meta-token`)
		).json()) as Json;
		const lo = graph.approximate_count_lower_bound;
		const hi = graph.approximate_count_upper_bound;
		expect(await text('meta-size')).toBe(lo !== hi ? `${fmt(lo)} – ${fmt(hi)}` : fmt(hi));
		expect(await page.getByTestId('too-small').count()).toBe(hi < 1000 ? 1 : 0);

		// One row per kept run, newest first, with the adds and removes of the state's runs.
		const rows = page.locator('[data-testid="runs"] tbody tr');
		expect(await rows.count()).toBe(state.runs.length);
		const newest = state.runs[state.runs.length - 1];
		const cells = (await rows.first().locator('td').allTextContents()).map((s: string) => s.trim());
		expect(cells[1]).toBe(newest.status);
		expect(cells[3]).toBe(fmt(newest.added));
		expect(cells[4]).toBe(fmt(newest.removed));
		const second = state.runs[1];
		const secondCells = (await rows.nth(state.runs.length - 2).locator('td').allTextContents()).map((s: string) => s.trim());
		expect(secondCells[3]).toBe(fmt(second.added));
		expect(secondCells[4]).toBe(fmt(second.removed));
		expect(second.added).toBeGreaterThan(0);
		expect(await page.locator('svg circle').count()).toBe(state.runs.length);

		const html = await page.content();
		expect(html).not.toMatch(/[^\s@<>"']+@[^\s@<>"']+\.[a-z]/i);
		expect(html).not.toContain('sandbox-meta-token');
		expect(html).not.toContain(scenario.STATUS_KEY);
		expect(html).not.toContain(audienceId);
		await page.screenshot({ path: path.join(SHOTS, 'status-page.png'), fullPage: true });

		// A phone-sized window: no horizontal scrolling of the page itself.
		await page.setViewportSize({ width: 390, height: 844 });
		const overflow = await page.evaluate('document.documentElement.scrollWidth - document.documentElement.clientWidth');
		expect(overflow).toBeLessThanOrEqual(0);
		await page.close();
	});

	test('the profile check says is member / is synchronized / why not, from a profile id', async () => {
		const page = await context.newPage();
		await page.goto(host.webhookUrl(`actito-meta-status/${vip.id}`));
		const { profiles } = await scenario.control(sandboxes.actito.url, 'GET', 'profiles');
		const wanted = new Set((await scenario.wantedRows(sandboxes.actito.url)).map((r: string[]) => r[0]));
		const refused = profiles.find((p: Json) => p.segments.includes(scenario.SEGMENTATION) && p.attributes.marketingConsent === false);
		const synced = profiles.find((p: Json) => wanted.has(String(p.profileId)));

		await page.fill('#profile', String(synced.profileId));
		await Promise.all([page.waitForURL(new RegExp(`profile=${synced.profileId}$`)), page.click('button[type=submit]')]);
		const check = page.getByTestId('profile-check');
		await check.waitFor();
		expect(await check.textContent()).toMatch(/Is member \(in Actito\): yes.*Is at Meta: yes.*Is synchronized: yes/s);

		await page.fill('#profile', String(refused.profileId));
		await Promise.all([page.waitForURL(new RegExp(`profile=${refused.profileId}$`)), page.click('button[type=submit]')]);
		await page.getByTestId('profile-check').waitFor();
		expect(await page.getByTestId('profile-check').textContent()).toMatch(/Is synchronized: yes/);
		expect(await page.getByTestId('profile-why').textContent()).toMatch(/refused marketing consent/);

		// An e-mail is neither looked up nor echoed.
		const answer = await page.goto(`${host.webhookUrl(`actito-meta-status/${vip.id}`)}?profile=${encodeURIComponent('jane@example.com')}`);
		expect(answer.status()).toBe(200);
		expect(await page.content()).not.toContain('jane@example.com');
		expect(await page.getByTestId('profile-why').textContent()).toMatch(/never an e-mail/);
		await page.close();
	});

	test('the stopped link shows its cause and fix', async () => {
		const page = await context.newPage();
		await page.goto(host.webhookUrl(`actito-meta-status/${brand.id}`));
		expect(await page.getByTestId('state').getAttribute('data-state')).toBe('stopped');
		expect(await page.getByTestId('state-text').textContent()).toContain('Stopped: Meta’s Custom Audience terms are not accepted');
		const link = page.getByTestId('state-fix').locator('a');
		expect(await link.getAttribute('href')).toBe('https://business.facebook.com/ads/manage/customaudiences/tos/?act=200000000000002');
		await page.close();
	});

	test('the overview shows every link with its state at a glance', async () => {
		const page = await context.newPage();
		const answer = await page.goto(host.webhookUrl(`actito-meta-overview/${overview.id}`));
		expect(answer.status()).toBe(200);
		const rows = page.getByTestId('overview-row');
		expect(await rows.count()).toBe(2);
		const state = await stateOf(vip.id);
		const first = rows.nth(0);
		expect((await first.getByTestId('o-name').textContent())?.trim()).toBe(scenario.SEGMENTATION);
		expect((await first.getByTestId('o-members').textContent())?.trim()).toBe(fmt(state.memberCount));
		expect(await first.getByTestId('o-status').textContent()).toMatch(/^Synchronized/);
		expect(await first.getByTestId('badge').allTextContents()).toContain('in sync');
		const second = rows.nth(1);
		expect(await second.getByTestId('badge').allTextContents()).toContain('stopped');
		expect(await second.getByTestId('o-status').textContent()).toMatch(/terms are not accepted/);
		await page.screenshot({ path: path.join(SHOTS, 'overview.png'), fullPage: true });

		// Each row links to that link's own page.
		await Promise.all([page.waitForURL(host.webhookUrl(`actito-meta-status/${vip.id}`)), first.locator('a').click()]);
		expect(page.url()).toBe(host.webhookUrl(`actito-meta-status/${vip.id}`));
		expect((await page.getByTestId('members').textContent())?.trim()).toBe(fmt(state.memberCount));

		const json = (await (await fetch(`${host.webhookUrl(`actito-meta-overview/${overview.id}`)}?format=json`, { headers: auth })).json()) as Json;
		expect(json.links.map((l: Json) => l.view.state.code)).toEqual(['synchronized', 'stopped']);
		await page.close();
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
		const page = await context.newPage();
		await page.setViewportSize({ width: 1600, height: 900 });
		await page.goto(`${host.baseUrl}/`);
		await page.waitForLoadState('networkidle').catch(() => undefined);
		const setup = await page.evaluate(
			`fetch('/rest/owner/setup', { method: 'POST', headers: { 'content-type': 'application/json', 'browser-id': localStorage.getItem('n8n-browserId') || '' }, body: ${JSON.stringify(JSON.stringify(OWNER))} }).then((r) => r.status)`,
		);
		expect(setup).toBe(200);
		await page.goto(`${host.baseUrl}/workflow/${vip.id}`);
		await page.locator('[data-test-id="canvas-node"]').first().waitFor({ timeout: 60_000 });
		await page.waitForTimeout(1500); // the canvas fits the view after the nodes render
		expect(await page.locator('[data-test-id="canvas-node"]').count()).toBeGreaterThanOrEqual(8);
		await page.screenshot({ path: path.join(SHOTS, 'template-canvas.png') });
		await page.close();
	});
});

export {};
