import { buildStatusView, renderOverviewPage, renderStatusPage, statusAnswer, wantsJson, askedProfileId, scrub } from '../../core/status';

const NOW = '2026-12-01T14:19:00.000Z';

function status(over: Record<string, unknown> = {}): Record<string, unknown> {
	return {
		link: 'actito:acme/Customers/seg:Audiences:VIP→meta:2385000000000001',
		actito: { entity: 'acme', table: 'Customers', segmentation: 'Audiences:VIP' },
		metaAudienceId: '2385000000000001',
		activatedAt: '2026-11-30T10:07:00.000Z',
		memberCount: 1200,
		lastMemberUpdateAt: '2026-12-01T14:07:30.000Z',
		syncedAt: '2026-12-01T14:07:40.000Z',
		pending: false,
		lastFullReconcileAt: '2026-12-01T10:07:00.000Z',
		configuration: { audience: { segmentation: 'Audiences:VIP' } },
		guard: null,
		lastError: null,
		refusalsToLog: 0,
		lastRuns: [
			{ startedAt: '2026-12-01T14:07:00.000Z', finishedAt: '2026-12-01T14:07:40.000Z', status: 'success', mode: 'incremental', added: 30, removed: 10, unchanged: 1180, invalid: 2, blockedForConsent: 1, deferred: 0 },
			{ startedAt: '2026-12-01T13:07:00.000Z', finishedAt: '2026-12-01T13:07:40.000Z', status: 'success', mode: 'full', added: 1180, removed: 0, unchanged: 0, invalid: 2, blockedForConsent: 1, deferred: 0 },
		],
		meta: { name: 'VIP <customers>', lowerBound: 800, upperBound: 960, tooSmall: true, checkedAt: NOW },
		...over,
	};
}

describe('status page renderer', () => {
	test('says the state in words, with the next run', () => {
		expect(buildStatusView(status(), { now: NOW }).state.text).toBe('Synchronized 11 minutes ago.');
		const waiting = buildStatusView(status({ syncedAt: null, lastRuns: [{ ...(status().lastRuns as any[])[0], deferred: 3 }] }), { now: NOW });
		expect(waiting.state.text).toBe('3 changes wait for the next run at 15:07 UTC.');
		const terms = buildStatusView(status({ lastError: 'Meta refused: terms. Accept the Custom Audience terms at https://business.facebook.com/ads/manage/customaudiences/tos/?act=100000000000001' }), { now: NOW });
		expect(terms.state.code).toBe('stopped');
		expect(terms.state.fixUrl).toBe('https://business.facebook.com/ads/manage/customaudiences/tos/?act=100000000000001');
		const guard = buildStatusView(status({ guard: { blockedAt: NOW, removals: 400, memberCount: 1200, share: 0.33 } }), { now: NOW });
		expect(guard.state.text).toMatch(/mass-removal guard.*400 members \(33%/);
		expect(guard.state.fix).toMatch(/Allow Mass Removal/);
	});

	test('members after each run are derived backwards from today', () => {
		expect(buildStatusView(status(), { now: NOW }).runs.map((r) => r.membersAfter)).toEqual([1200, 1180]);
	});

	test('escapes everything and shows no id, e-mail or token', () => {
		const html = renderStatusPage(buildStatusView(status({ lastError: 'bad <script>alert(1)</script> jane@example.com token=abc' }), { now: NOW }));
		expect(html).not.toContain('<script>');
		expect(html).toContain('VIP &lt;customers&gt;');
		expect(html).not.toContain('jane@example.com');
		expect(html).not.toContain('token=abc');
		expect(html).not.toContain('2385000000000001');
		expect(html).toContain('too small');
		expect(html).not.toMatch(/<link|src=|https?:\/\/(?!business\.facebook\.com)/);
	});

	test('HTML for browsers, JSON on request or without a preference', () => {
		expect(wantsJson({ headers: { accept: 'text/html,application/xhtml+xml' } })).toBe(false);
		expect(wantsJson({ headers: { accept: 'application/json' } })).toBe(true);
		expect(wantsJson({ headers: { accept: 'text/html' }, query: { format: 'json' } })).toBe(true);
		expect(wantsJson({ headers: { accept: '*/*' } })).toBe(true);
		const json = JSON.parse(statusAnswer(status(), { query: { format: 'json' } }, { now: NOW }).body);
		expect(json.memberCount).toBe(1200);
		expect(json.view.state.code).toBe('synchronized');
	});

	test('a profile check takes digits only', () => {
		expect(askedProfileId({ query: { profile: '1042' } })).toEqual({ id: '1042', asked: true });
		expect(askedProfileId({ query: { profile: 'jane@example.com' } })).toEqual({ id: null, asked: true });
		const view = buildStatusView(status(), { now: NOW, profile: { found: true, isMember: true, marketingConsent: false, wanted: false, whyNot: 'consent_negative', atMeta: false, synchronized: true } });
		expect(view.profile?.reason).toBe('consent');
	});

	test('overview badges', () => {
		const html = renderOverviewPage(
			[
				{ name: 'VIP', href: '../actito-meta-status/am1', view: buildStatusView(status(), { now: NOW }), problem: null },
				{ name: 'Other', href: null, view: null, problem: 'its page answered 500' },
			],
			{ now: NOW },
		);
		expect(html).toContain('in sync');
		expect(html).toContain('too small');
		expect(html).toContain('unavailable');
	});

	test('scrub hides long tokens and phone numbers but keeps moments', () => {
		expect(scrub('at 2026-12-01T14:07:00Z call +32 470 12 34 56 key EAABsbCS1iHgBAK1234567890abcdefghijklmnop')).toBe('at 2026-12-01T14:07:00Z call [hidden] key [hidden]');
	});
});
