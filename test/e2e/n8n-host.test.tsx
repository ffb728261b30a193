// Proves the harness in scripts/lib/n8nHost.js against a real n8n, using n8n-nodes-base nodes
// only, so a failure here points at the harness or at n8n, never at this package's nodes.
import * as fs from 'node:fs';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { createN8nHost } = require('../../scripts/lib/n8nHost') as {
	createN8nHost: (options?: { env?: Record<string, string> }) => Promise<N8nHost>;
};

interface ExecuteResult {
	exitCode: number;
	result: { data?: { resultData?: { runData?: Record<string, unknown> } } } | null;
	stdout: string;
	stderr: string;
	durationMs: number;
}

interface N8nHost {
	userFolder: string;
	peakRssBytes: number;
	startToReadyMs?: number;
	importWorkflow(workflow: object): Promise<string>;
	execute(id: string): Promise<ExecuteResult>;
	activate(id: string): Promise<unknown>;
	exportWorkflow(id: string): Promise<{ staticData?: unknown }>;
	readStaticData(id: string): Promise<{ global?: { count?: number } } | null>;
	listExecutions(id?: string): Promise<Array<{ mode: string; status: string; data: string }>>;
	readExecutions(id?: string): Promise<string>;
	start(): Promise<string>;
	stop(): Promise<unknown>;
	webhookUrl(path: string): string;
	logs(): string;
	logPath: string;
	version: string;
	dispose(): Promise<void>;
}

// The first run of a cold install can take minutes; the suite itself needs about one.
jest.setTimeout(180000);

const COUNTER_ID = 'hostCounter01';
const WEBHOOK_ID = 'hostWebhook01';
const WEBHOOK_PATH = 'n8n-host-echo';

function counterWorkflow(extra: Record<string, unknown> = {}) {
	return {
		id: COUNTER_ID,
		name: 'n8n-host counter',
		active: false,
		settings: { executionOrder: 'v1' },
		connections: { Start: { main: [[{ node: 'Count', type: 'main', index: 0 }]] } },
		nodes: [
			{
				id: 'a1b2c3d4-0000-4000-8000-000000000001',
				name: 'Start',
				type: 'n8n-nodes-base.manualTrigger',
				typeVersion: 1,
				position: [0, 0],
				parameters: {},
			},
			{
				id: 'a1b2c3d4-0000-4000-8000-000000000002',
				name: 'Count',
				type: 'n8n-nodes-base.code',
				typeVersion: 2,
				position: [220, 0],
				parameters: {
					jsCode: [
						"const data = $getWorkflowStaticData('global');",
						'data.count = (data.count || 0) + 1;',
						'return [{ json: { count: data.count } }];',
					].join('\n'),
				},
			},
		],
		...extra,
	};
}

function webhookWorkflow() {
	return {
		id: WEBHOOK_ID,
		name: 'n8n-host webhook',
		active: false,
		settings: { executionOrder: 'v1' },
		connections: { Hook: { main: [[{ node: 'Echo', type: 'main', index: 0 }]] } },
		nodes: [
			{
				id: 'a1b2c3d4-0000-4000-8000-000000000011',
				name: 'Hook',
				type: 'n8n-nodes-base.webhook',
				typeVersion: 2,
				position: [0, 0],
				webhookId: 'a1b2c3d4-0000-4000-8000-0000000000ff',
				parameters: {
					httpMethod: 'POST',
					path: WEBHOOK_PATH,
					responseMode: 'lastNode',
					responseData: 'firstEntryJson',
					options: {},
				},
			},
			{
				id: 'a1b2c3d4-0000-4000-8000-000000000012',
				name: 'Echo',
				type: 'n8n-nodes-base.code',
				typeVersion: 2,
				position: [220, 0],
				parameters: {
					jsCode: "return [{ json: { echo: $input.first().json.body.ping, via: 'n8n-host' } }];",
				},
			},
		],
	};
}

describe('n8nHost against a real n8n', () => {
	let host: N8nHost;
	const timings: Record<string, number> = {};

	beforeAll(async () => {
		host = await createN8nHost();
	});

	afterAll(async () => {
		if (!host) return;
		// Keep the numbers in the test output: they size the other suites' timeouts.
		console.log(`n8n-host timings (ms): ${JSON.stringify(timings)}; peak RSS ${host.peakRssBytes} B`);
		await host.dispose();
	});

	it('imports, executes twice from the CLI and reads static data back', async () => {
		let t = Date.now();
		expect(await host.importWorkflow(counterWorkflow())).toBe(COUNTER_ID);
		timings.firstImport = Date.now() - t;

		const first = await host.execute(COUNTER_ID);
		expect(first.exitCode).toBe(0);
		expect(first.result?.data?.resultData?.runData).toHaveProperty('Count');
		timings.execute1 = first.durationMs;

		const second = await host.execute(COUNTER_ID);
		expect(second.exitCode).toBe(0);
		timings.execute2 = second.durationMs;

		expect(await host.readStaticData(COUNTER_ID)).toEqual({ global: { count: 2 } });
		t = Date.now();
		const exported = await host.exportWorkflow(COUNTER_ID);
		timings.export = Date.now() - t;
		expect(exported.staticData).toEqual({ global: { count: 2 } });

		const executions = await host.listExecutions(COUNTER_ID);
		expect(executions.map((e) => e.mode)).toEqual(['cli', 'cli']);
		expect(await host.readExecutions(COUNTER_ID)).toContain('count');
	});

	it('keeps static data on a re-import without the key and wipes it with "staticData": null', async () => {
		const t = Date.now();
		await host.importWorkflow(counterWorkflow());
		timings.reimport = Date.now() - t;
		expect(await host.readStaticData(COUNTER_ID)).toEqual({ global: { count: 2 } });

		await host.importWorkflow(counterWorkflow({ staticData: null }));
		expect(await host.readStaticData(COUNTER_ID)).toBeNull();

		// And the counter starts over from the wiped state.
		expect((await host.execute(COUNTER_ID)).exitCode).toBe(0);
		expect(await host.readStaticData(COUNTER_ID)).toEqual({ global: { count: 1 } });
	});

	it('serves a production webhook of a workflow activated before start', async () => {
		await host.importWorkflow(webhookWorkflow());
		await host.activate(WEBHOOK_ID);

		const t = Date.now();
		const baseUrl = await host.start();
		timings.startToReady = Date.now() - t;
		expect(baseUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);

		try {
			const response = await fetch(host.webhookUrl(WEBHOOK_PATH), {
				method: 'POST',
				headers: { 'content-type': 'application/json' },
				body: JSON.stringify({ ping: 'pong-42' }),
			});
			const body = await response.text();
			expect({ status: response.status, body: JSON.parse(body) }).toEqual({
				status: 200,
				body: { echo: 'pong-42', via: 'n8n-host' },
			});
		} finally {
			const t2 = Date.now();
			await host.stop();
			timings.stop = Date.now() - t2;
		}
		expect(host.logs()).toContain('Editor is now accessible via:');
	});

	it('names its log file in a failed CLI call, and keeps that file after dispose', async () => {
		const failing = await createN8nHost();
		let message = '';
		try {
			await failing.execute('noSuchWorkflow1');
			await failing.exportWorkflow('noSuchWorkflow1').catch((error: Error) => {
				message = error.message;
			});
		} finally {
			await failing.dispose();
		}
		expect(message).toContain(`the full log is ${failing.logPath}`);
		expect(fs.existsSync(failing.logPath)).toBe(true);
		expect(fs.readFileSync(failing.logPath, 'utf8')).toContain('export:workflow');
	});

	it('runs the n8n version it was asked for', () => {
		expect(host.version).toBe(process.env.N8N_VERSION || '2.41.1');
	});
});
