'use strict';
// n8n 2.41.1 in queue mode: one main (`n8n start`, which owns the Schedule Triggers and puts
// their runs on the Bull queue in Redis) and N workers (`n8n worker`, which run them), all on one
// PostgreSQL database, one encryption key, and the packed package installed in each process's
// own user folder as a user installs it. Built on scripts/lib/n8nHost.js (environment, CLI,
// package install) and ./services.js (PostgreSQL, Redis). Plain Node, no dependencies.
const { spawn } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { N8nHost, packPackage, freePort, residentBytes } = require('../lib/n8nHost');
const { startServices } = require('./services');
const reaper = require('./reaper');

const REPO = path.join(__dirname, '..', '..');
const MAIN_READY = 'Editor is now accessible via:';
const WORKER_READY = 'n8n worker is now ready';

// Processes still running when this process exits would outlive a crashed test run.
const liveProcesses = new Set();
process.once('exit', () => {
	for (const proc of liveProcesses) proc.signal('SIGKILL');
});
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
	process.once(signal, () => {
		for (const proc of liveProcesses) proc.signal('SIGKILL');
		process.exit(128 + (signal === 'SIGINT' ? 2 : signal === 'SIGTERM' ? 15 : 1));
	});
}

function pgroupOf(pid) {
	const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
	return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[2]);
}

/** One long-running n8n process (main or worker) in its own process group. */
class N8nProcess {
	constructor(host, role, args, readyLine) {
		this.host = host;
		this.role = role;
		this.args = args;
		this.readyLine = readyLine;
		this.child = null;
		this.exit = null;
		this.peakRssBytes = 0;
		this.starts = 0;
		this._rssTimer = null;
	}

	get running() {
		return Boolean(this.child && this.child.exitCode === null && this.child.signalCode === null);
	}

	async start({ timeoutMs = 180000 } = {}) {
		if (this.running) throw new Error(`${this.role} already running`);
		const env = { ...this.host.env, N8N_RUNNERS_BROKER_PORT: String(await freePort()) };
		const started = Date.now();
		this.host._append(`\n$ n8n ${this.args.join(' ')}  (${this.role})\n`);
		const child = spawn(this.host.nodeBin, [this.host.n8nBin, ...this.args], {
			cwd: this.host.userFolder,
			env,
			stdio: ['ignore', 'pipe', 'pipe'],
			detached: true,
		});
		this.child = child;
		this.starts++;
		this.log = '';
		liveProcesses.add(this);
		reaper.register('pgid', child.pid);
		this.exit = new Promise((resolve) => {
			child.on('exit', (code, signal) => {
				liveProcesses.delete(this);
				// The group may still hold n8n's task runner: kill it before forgetting the group.
				try {
					process.kill(-child.pid, 'SIGKILL');
				} catch {
					// Already gone.
				}
				reaper.unregister('pgid', child.pid);
				clearInterval(this._rssTimer);
				resolve({ code, signal });
			});
		});
		this._rssTimer = setInterval(() => this._sampleRss(), 1000);
		this._rssTimer.unref();
		return await new Promise((resolve, reject) => {
			let settled = false;
			let tail = '';
			const settle = (fn, value) => {
				if (settled) return;
				settled = true;
				clearTimeout(timer);
				fn(value);
			};
			const onData = (chunk) => {
				const text = String(chunk);
				this.log += text;
				this.host._append(text);
				if (settled) return;
				tail = (tail + text).slice(-4096);
				if (tail.includes(this.readyLine)) {
					this.startToReadyMs = Date.now() - started;
					settle(resolve, this.startToReadyMs);
				}
			};
			child.stdout.setEncoding('utf8');
			child.stderr.setEncoding('utf8');
			child.stdout.on('data', onData);
			child.stderr.on('data', onData);
			const timer = setTimeout(
				() => settle(reject, new Error(`${this.role} not ready within ${timeoutMs} ms; see ${this.host.logPath}`)),
				timeoutMs,
			);
			child.on('error', (error) => settle(reject, error));
			this.exit.then(({ code, signal }) =>
				settle(reject, new Error(`${this.role} exited before ready (code ${code}, signal ${signal}); see ${this.host.logPath}`)),
			);
		});
	}

	_sampleRss() {
		if (!this.running) return;
		const group = this.child.pid;
		const total = residentBytes((pid) => pgroupOf(pid) === group);
		if (total > this.peakRssBytes) this.peakRssBytes = total;
	}

	signal(signal) {
		if (!this.running) return;
		try {
			process.kill(-this.child.pid, signal);
		} catch {
			// Already gone.
		}
	}

	/** SIGTERM (n8n finishes or hands back its jobs), SIGKILL after the grace period. */
	async stop({ graceMs = 30000 } = {}) {
		if (!this.running) return null;
		this.signal('SIGTERM');
		let timer;
		const timeout = new Promise((resolve) => {
			timer = setTimeout(() => resolve('timeout'), graceMs);
		});
		let outcome = await Promise.race([this.exit, timeout]);
		clearTimeout(timer);
		if (outcome === 'timeout') {
			this.signal('SIGKILL');
			outcome = await this.exit;
		}
		return outcome;
	}

	/** SIGKILL to the whole process group: no shutdown, no hand-back of running jobs. */
	async kill() {
		if (!this.running) return null;
		this.signal('SIGKILL');
		return await this.exit;
	}
}

class QueueCluster {
	/**
	 * @param {{workers?: number, concurrency?: number, version?: string, env?: Record<string,string>}} [options]
	 * concurrency: jobs one worker runs at once (n8n's `--concurrency`).
	 */
	constructor({ workers = 2, concurrency = 1, version = '2.41.1', env = {} } = {}) {
		this.workerCount = workers;
		this.concurrency = concurrency;
		this.version = version;
		this.extraEnv = env;
		this.root = null;
		this.services = null;
		this.main = null;
		this.workers = [];
		this.hosts = [];
	}

	async setup() {
		this.root = fs.mkdtempSync(path.join(os.tmpdir(), 'actito-meta-queue-'));
		reaper.register('rm', this.root);
		this.services = await startServices({ baseDir: this.root });
		const mainPort = await freePort();
		// One key for every process: credentials are encrypted by one process and read by the others.
		const key = `queue-test-key-${path.basename(this.root)}`;
		const common = {
			...this.services.n8nEnv(),
			N8N_ENCRYPTION_KEY: key,
			// The main's URL, also for webhooks registered by the workers' runs.
			N8N_PORT: String(mainPort),
			WEBHOOK_URL: `http://127.0.0.1:${mainPort}/`,
			// Workers run without a health server (it would take port 5678 in each).
			QUEUE_HEALTH_CHECK_ACTIVE: 'false',
			// Keep (soft-deleted) execution rows: the test reads their start and stop times.
			EXECUTIONS_DATA_PRUNE: 'false',
			N8N_LOG_LEVEL: 'info',
			...this.extraEnv,
		};
		const tarball = packPackage(REPO, path.join(this.root, 'pack'));
		const makeHost = (name) => {
			const host = new N8nHost({ userFolder: path.join(this.root, name), port: mainPort, env: common, version: this.version });
			host.installPackage(tarball);
			this.hosts.push(host);
			return host;
		};
		this.mainHost = makeHost('main');
		this.main = new N8nProcess(this.mainHost, 'main', ['start'], MAIN_READY);
		for (let i = 0; i < this.workerCount; i++) {
			const host = makeHost(`worker${i + 1}`);
			this.workers.push(new N8nProcess(host, `worker${i + 1}`, ['worker', `--concurrency=${this.concurrency}`], WORKER_READY));
		}
		this.baseUrl = this.mainHost.baseUrl;
		return this;
	}

	get pg() {
		return this.services.postgres;
	}

	/** An n8n CLI command against the shared database (the main's user folder). */
	cli(args, options) {
		return this.mainHost._cliOk(args, options);
	}

	async importCredentials(credentials) {
		const run = await this.mainHost.importCredentials(credentials);
		this.watchExecutions();
		return run;
	}

	/** Imports workflows (no `staticData` key: a re-import keeps the stored state). */
	async importWorkflows(workflows) {
		const dir = path.join(this.root, `import-${Date.now()}`);
		fs.mkdirSync(dir);
		for (const wf of workflows) {
			if (!wf.id || String(wf.id).length > 16) throw new Error(`workflow id ${wf.id} must be set and at most 16 characters`);
			fs.writeFileSync(path.join(dir, `${wf.id}.json`), JSON.stringify(wf));
		}
		await this.cli(['import:workflow', '--separate', `--input=${dir}`], { timeoutMs: 300000 });
		this.watchExecutions();
		fs.rmSync(dir, { recursive: true, force: true });
	}

	/**
	 * Publishes (activates) workflows: what `n8n publish:workflow --id=…` does (WorkflowRepository.
	 * publishVersion: active, activeVersionId = current versionId), in one statement instead of a
	 * CLI start-up per workflow. Takes effect when the main (re)starts.
	 */
	publish(ids) {
		const list = ids.map((id) => `'${String(id).replace(/'/g, "''")}'`).join(',');
		const updated = this.pg.rows(
			`UPDATE workflow_entity w SET active = true, "activeVersionId" = w."versionId"
			 WHERE w.id IN (${list}) AND EXISTS (SELECT 1 FROM workflow_history h WHERE h."workflowId" = w.id AND h."versionId" = w."versionId")
			 RETURNING w.id`,
		);
		if (updated.length !== ids.length) throw new Error(`published ${updated.length} of ${ids.length} workflows`);
	}

	/** Starts the workers and the main together; resolves when all are ready. */
	async start() {
		const started = Date.now();
		await Promise.all([...this.workers.map((w) => (w.running ? null : w.start())), this.main.running ? null : this.main.start()]);
		return Date.now() - started;
	}

	/**
	 * Sets up the owner (first call only) and creates an n8n API key for the public API, as a user
	 * does in Settings → n8n API (POST /rest/api-keys of n8n 2.x: label, scopes, expiresAt).
	 * Needs the main running. Returns the raw key.
	 */
	async createApiKey({ label = 'actito-meta link state', scopes = ['workflow:read', 'workflow:list'] } = {}) {
		const headers = { 'content-type': 'application/json', 'browser-id': 'actito-meta-queue-test' };
		const setup = await fetch(`${this.baseUrl}/rest/owner/setup`, {
			method: 'POST',
			headers,
			body: JSON.stringify({ email: 'ops@example.test', firstName: 'Ops', lastName: 'Team', password: 'Sandbox-Pass-1' }),
		});
		if (setup.status !== 200) throw new Error(`owner setup answered HTTP ${setup.status}: ${(await setup.text()).slice(0, 500)}`);
		const cookie = (setup.headers.get('set-cookie') ?? '').split(';')[0];
		this.restCookie = cookie;
		const created = await fetch(`${this.baseUrl}/rest/api-keys`, {
			method: 'POST',
			headers: { ...headers, cookie },
			body: JSON.stringify({ label, scopes, expiresAt: null }),
		});
		const text = await created.text();
		if (created.status !== 200) throw new Error(`POST /rest/api-keys answered HTTP ${created.status}: ${text.slice(0, 500)}`);
		const body = JSON.parse(text);
		const key = (body.data ?? body).rawApiKey;
		if (typeof key !== 'string' || !key) throw new Error(`POST /rest/api-keys gave no rawApiKey: ${text.slice(0, 300)}`);
		return key;
	}

	/**
	 * A call of the main's internal REST API as the owner set up by createApiKey(), logged in again
	 * when the session cookie is refused (e.g. after a restart). Returns the body's `data`.
	 */
	async rest(method, urlPath, body) {
		const headers = { 'content-type': 'application/json', 'browser-id': 'actito-meta-queue-test' };
		for (let attempt = 0; ; attempt++) {
			if (!this.restCookie || attempt > 0) {
				const login = await fetch(`${this.baseUrl}/rest/login`, {
					method: 'POST',
					headers,
					body: JSON.stringify({ emailOrLdapLoginId: 'ops@example.test', password: 'Sandbox-Pass-1' }),
				});
				if (login.status !== 200) throw new Error(`login answered HTTP ${login.status}: ${(await login.text()).slice(0, 300)}`);
				this.restCookie = (login.headers.get('set-cookie') ?? '').split(';')[0];
			}
			const res = await fetch(`${this.baseUrl}/rest${urlPath}`, {
				method,
				headers: { ...headers, cookie: this.restCookie },
				body: body === undefined ? undefined : JSON.stringify(body),
			});
			const text = await res.text();
			if (res.status === 401 && attempt === 0) continue;
			if (res.status !== 200) throw new Error(`${method} /rest${urlPath} answered HTTP ${res.status}: ${text.slice(0, 500)}`);
			const parsed = JSON.parse(text);
			return parsed.data ?? parsed;
		}
	}

	/**
	 * Saves new nodes for workflows of the running main and publishes them, as the editor does
	 * (PATCH /rest/workflows/:id, then POST …/activate with the new version). The hosts run with
	 * N8N_USE_WORKFLOW_PUBLICATION_SERVICE=false (scripts/lib/n8nHost.js), so each activate answers
	 * once the main has re-registered that workflow's triggers. The static data is not sent: it
	 * stays. Returns the time taken (ms).
	 */
	async republish(workflows) {
		const started = Date.now();
		const queue = [...workflows];
		const runOne = async () => {
			for (let wf = queue.shift(); wf; wf = queue.shift()) {
				const saved = await this.rest('PATCH', `/workflows/${wf.id}`, { nodes: wf.nodes, connections: wf.connections });
				if (!saved.versionId) throw new Error(`PATCH of workflow ${wf.id} gave no versionId`);
				const active = await this.rest('POST', `/workflows/${wf.id}/activate`, { versionId: saved.versionId });
				if (active.activeVersionId !== saved.versionId) throw new Error(`workflow ${wf.id}: version ${saved.versionId} saved, ${active.activeVersionId} active`);
			}
		};
		// A few at a time: one at a time is 20 round trips of the main's activation in a row.
		await Promise.all([runOne(), runOne(), runOne(), runOne()]);
		return Date.now() - started;
	}

	/** Stops every n8n process (the services keep running). */
	async stopN8n() {
		await Promise.all([this.main.stop(), ...this.workers.map((w) => w.stop())]);
	}

	/** Static data of a workflow as PostgreSQL holds it. */
	staticData(workflowId) {
		const rows = this.pg.rows(`SELECT "staticData" AS s FROM workflow_entity WHERE id = '${workflowId}'`);
		if (rows.length === 0) throw new Error(`workflow ${workflowId} not in PostgreSQL`);
		const raw = rows[0].s;
		return typeof raw === 'string' ? JSON.parse(raw) : raw;
	}

	/**
	 * Records every insert, update and delete of execution_entity in a table of its own: the
	 * template saves no executions, so n8n deletes each row when its run ends (measured on 2.41.1
	 * with PostgreSQL: no row left), and the test needs their start, stop and status. Idempotent;
	 * needs n8n's tables, i.e. after the first CLI call.
	 */
	watchExecutions() {
		this.pg.sql(`
			CREATE TABLE IF NOT EXISTS qa_execution_log (
				seq bigserial PRIMARY KEY, op text, execution_id text, workflow_id text, status text, mode text,
				started_at timestamptz, stopped_at timestamptz, at timestamptz DEFAULT clock_timestamp());
			CREATE OR REPLACE FUNCTION qa_log_execution() RETURNS trigger AS $$
			DECLARE r execution_entity;
			BEGIN
				IF TG_OP = 'DELETE' THEN r := OLD; ELSE r := NEW; END IF;
				INSERT INTO qa_execution_log (op, execution_id, workflow_id, status, mode, started_at, stopped_at)
				VALUES (TG_OP, r.id::text, r."workflowId", r.status, r.mode, r."startedAt", r."stoppedAt");
				RETURN r;
			END $$ LANGUAGE plpgsql;
			DROP TRIGGER IF EXISTS qa_log_execution ON execution_entity;
			CREATE TRIGGER qa_log_execution AFTER INSERT OR UPDATE OR DELETE ON execution_entity
				FOR EACH ROW EXECUTE FUNCTION qa_log_execution();`);
	}

	/**
	 * Executions created since a moment, from the log of watchExecutions(): [{id, workflowId, mode,
	 * status, startedAt, stoppedAt, createdAt, deleted}]; a run has ended when stoppedAt is set.
	 */
	executions(sinceIso) {
		return this.pg.rows(`
			SELECT execution_id AS id,
				(array_agg(workflow_id ORDER BY seq DESC))[1] AS "workflowId",
				(array_agg(mode ORDER BY seq DESC))[1] AS mode,
				(array_agg(status ORDER BY seq DESC))[1] AS status,
				min(started_at) AS "startedAt", max(stopped_at) AS "stoppedAt",
				min(at) AS "createdAt", bool_or(op = 'DELETE') AS deleted
			FROM qa_execution_log GROUP BY execution_id
			HAVING min(at) >= '${sinceIso || '1970-01-01'}'::timestamptz ORDER BY min(seq)`);
	}

	/** The worker whose log says it started this execution, or null. */
	workerOf(executionId) {
		const line = `Worker started execution ${executionId} `;
		return this.workers.find((w) => (w.log || '').includes(line)) || null;
	}

	/** Peak RSS of each process group so far. */
	rss() {
		const out = { main: this.main.peakRssBytes };
		for (const w of this.workers) out[w.role] = w.peakRssBytes;
		return out;
	}

	async dispose() {
		await Promise.allSettled([this.main?.kill(), ...this.workers.map((w) => w.kill())]);
		if (this.services) await this.services.stop();
		if (this.root) {
			fs.rmSync(this.root, { recursive: true, force: true });
			reaper.unregister('rm', this.root);
		}
	}
}

module.exports = { QueueCluster, N8nProcess };
