// The generator's integration mode (generator/actito-meta-workflow.js --links): all links of one
// integration at once, sync minutes and full-reconcile hours spread, each link's licence share,
// the state credential for n8n 2.x queue mode (docs/capacity.md).
import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

/* eslint-disable @typescript-eslint/no-require-imports */
const generator = require('../../generator/actito-meta-workflow');

const BIN = path.join(__dirname, '..', '..', 'generator', 'actito-meta-workflow.js');
const COMMON = { table: 'Customers', 'ad-account': '1234567890', 'actito-credential': 'cred-actito', 'meta-credential': 'cred-meta', 'status-credential': 'cred-status' };
const node = (wf: any, name: string) => wf.nodes.find((n: any) => n.name === name);
const links = (n: number, size = (i: number) => 1000 * (i + 1)) =>
	Array.from({ length: n }, (_, i) => ({ segmentation: `Audiences:L${i}`, audience: String(9000 + i), size: size(i) }));
const minuteOf = (wf: any) => node(wf, 'Every Hour').parameters.rule.interval[0].triggerAtMinute;
const hourOf = (wf: any) => Number(/=== (\d+) }}$/.exec(node(wf, 'Sync').parameters.runOptions.forceFullReconcile)![1]);

describe('actito-meta-workflow --links (one integration)', () => {
	it('spreads 200 links over the hour and the day, the largest far apart', () => {
		const { workflows, share, runsAtOnce } = generator.buildIntegration(COMMON, links(200));
		expect(workflows).toHaveLength(200);
		const perMinute = new Map<number, number>();
		const perHour = new Map<number, number>();
		for (const wf of workflows) {
			perMinute.set(minuteOf(wf), (perMinute.get(minuteOf(wf)) ?? 0) + 1);
			perHour.set(hourOf(wf), (perHour.get(hourOf(wf)) ?? 0) + 1);
		}
		// ⌈200 / 60⌉ = 4 links a minute at most, every minute used; ⌈200 / 24⌉ = 9 reconciles an hour.
		expect(perMinute.size).toBe(60);
		expect(Math.max(...perMinute.values())).toBeLessThanOrEqual(4);
		expect(perHour.size).toBe(24);
		expect(Math.max(...perHour.values())).toBeLessThanOrEqual(9);
		// The two largest links (last two of the list) are half an hour and half a day apart.
		const [a, b] = [workflows[199], workflows[198]];
		expect(Math.abs(minuteOf(a) - minuteOf(b))).toBe(30);
		expect(Math.abs(hourOf(a) - hourOf(b))).toBe(12);
		expect({ share, runsAtOnce }).toEqual({ share: 45, runsAtOnce: 2 });
		expect(new Set(workflows.map((w: any) => w.id)).size).toBe(200);
	});

	it("writes each link's licence share, the reconcile phase and a schedule that never dirties the main's static data", () => {
		const { workflows } = generator.buildIntegration({ ...COMMON, 'state-credential': 'cred-state' }, links(3));
		for (const wf of workflows) {
			const sync = node(wf, 'Sync');
			expect(sync.parameters.limits.callsPerMinute).toBe(45);
			expect(sync.parameters.fullReconcileEveryHours).toBe(26);
			expect(sync.parameters.runOptions.forceFullReconcile).toMatch(/^=\{\{ \$now\.toUTC\(\)\.hour % 24 === \d+ }}$/);
			// Hours, interval 1: n8n's Schedule Trigger keeps no recurrence record for it.
			expect(node(wf, 'Every Hour').parameters.rule.interval).toEqual([{ field: 'hours', hoursInterval: 1, triggerAtMinute: minuteOf(wf) }]);
			for (const name of ['Sync', 'Log Negative Consent', 'Get Status']) {
				expect(node(wf, name).credentials.n8nStateApi).toEqual({ id: 'cred-state', name: 'n8n API (link state)' });
			}
			expect(node(wf, 'Estimated Size').credentials.n8nStateApi).toBeUndefined();
			expect('staticData' in wf).toBe(false);
		}
		// Without --state-credential (regular n8n, 1.x queue mode), no reference to it.
		const plain = generator.buildIntegration(COMMON, links(1)).workflows[0];
		expect(node(plain, 'Sync').credentials.n8nStateApi).toBeUndefined();
	});

	it('the share follows the licence, the reserve and the job slots; too many slots for the in-flight limit is refused', () => {
		expect(generator.licenceShare({}, 20)).toMatchObject({ share: 45, runsAtOnce: 2 });
		expect(generator.licenceShare({}, 1)).toMatchObject({ share: 90, runsAtOnce: 1 });
		expect(generator.licenceShare({ workers: '1', concurrency: '1', 'reserved-calls-per-minute': '40' }, 20)).toMatchObject({ share: 60, runsAtOnce: 1 });
		expect(() => generator.licenceShare({ workers: '3' }, 20)).toThrow(/3 runs at once × 2 requests in flight each exceed the licence's 5 in flight/);
		expect(generator.buildIntegration({ ...COMMON, 'calls-per-minute': '30' }, links(2)).workflows.map((w: any) => node(w, 'Sync').parameters.limits.callsPerMinute)).toEqual([30, 30]);
	});

	it('keeps given ids (a regenerated integration keeps every state) and refuses a Meta audience twice', () => {
		const given = links(2).map((l, i) => ({ ...l, id: `amKeep${i}` }));
		expect(generator.buildIntegration(COMMON, given).workflows.map((w: any) => w.id)).toEqual(['amKeep0', 'amKeep1']);
		expect(() => generator.buildIntegration(COMMON, [links(1)[0], links(1)[0]])).toThrow(/given twice/);
		// A reconcile interval that does not divide the day: counted from the last one, no phase.
		const every36 = generator.buildIntegration({ ...COMMON, 'full-reconcile-hours': '36' }, links(2)).workflows[0];
		expect(node(every36, 'Sync').parameters.fullReconcileEveryHours).toBe(36);
		expect(node(every36, 'Sync').parameters.runOptions?.forceFullReconcile).toBeUndefined();
	});

	it('the bin writes one file per link with --links and --out-dir', () => {
		const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gen-links-'));
		try {
			const file = path.join(dir, 'links.json');
			fs.writeFileSync(file, JSON.stringify(links(4)));
			const out = path.join(dir, 'out');
			execFileSync(process.execPath, [BIN, '--links', file, '--out-dir', out, ...Object.entries(COMMON).flatMap(([k, v]) => [`--${k}`, v])], { encoding: 'utf8', stdio: 'pipe' });
			const files = fs.readdirSync(out);
			expect(files).toHaveLength(4);
			const minutes = files.map((f) => minuteOf(JSON.parse(fs.readFileSync(path.join(out, f), 'utf8')))).sort((x, y) => x - y);
			expect(minutes).toEqual([0, 15, 30, 45]);
			const bad = spawnSync(process.execPath, [BIN, '--links', file, '--out-dir', out, '--workers', '4', ...Object.entries(COMMON).flatMap(([k, v]) => [`--${k}`, v])], { encoding: 'utf8' });
			expect(bad.status).toBe(2);
			expect(bad.stderr).toContain('exceed the licence');
		} finally {
			fs.rmSync(dir, { recursive: true, force: true });
		}
	});
});
