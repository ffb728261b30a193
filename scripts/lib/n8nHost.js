'use strict';
// Drives a real n8n (installed once by ../ensure-n8n.js) for the end-to-end tests, the demo and
// the benchmarks. Measured facts behind the choices below: docs/n8n-runtime.md.
// The host version is N8N_VERSION (default 2.41.1 on Node 24; 1.123.81 runs on Node 20).
// Plain CommonJS with no dependencies, so it runs before and without the TypeScript build.
const { spawn, execFileSync } = require('node:child_process');
const fs = require('node:fs');
const net = require('node:net');
const os = require('node:os');
const path = require('node:path');
const { n8nHost: resolveHost, DEFAULT_VERSION } = require('../ensure-n8n');

const READY_LINE = 'Editor is now accessible via:';

// Hosts still running when this process exits would otherwise outlive a crashed test run.
const liveHosts = new Set();
process.once('exit', () => {
	for (const host of liveHosts) host._signalGroup('SIGKILL');
});

// Servers run in their own process group (so that stop() reaches n8n's children), which also
// means Ctrl-C in the terminal does not reach them: pass SIGINT, SIGTERM and SIGHUP on. When no
// other listener takes over the shutdown (the demo has one), exit once the servers are gone.
const SIGNAL_EXIT = { SIGINT: 130, SIGTERM: 143, SIGHUP: 129 };
let signalsInstalled = false;
function passSignalsToServers() {
	if (signalsInstalled) return;
	signalsInstalled = true;
	for (const signal of Object.keys(SIGNAL_EXIT)) {
		process.on(signal, () => {
			for (const host of liveHosts) host._signalGroup('SIGTERM');
			if (process.listenerCount(signal) > 1) return;
			const deadline = Date.now() + 20000;
			const wait = () => {
				if (liveHosts.size === 0 || Date.now() > deadline) {
					for (const host of liveHosts) host._signalGroup('SIGKILL');
					process.exit(SIGNAL_EXIT[signal]);
				}
				setTimeout(wait, 200);
			};
			wait();
		});
	}
}

// Quiet and offline: with these n8n neither starts nor executes with a call to the internet.
const QUIET_ENV = {
	N8N_DIAGNOSTICS_ENABLED: 'false',
	N8N_VERSION_NOTIFICATIONS_ENABLED: 'false',
	N8N_PERSONALIZATION_ENABLED: 'false',
	N8N_TEMPLATES_ENABLED: 'false',
	N8N_HIRING_BANNER_ENABLED: 'false',
	N8N_DYNAMIC_BANNERS_ENABLED: 'false',
	N8N_AI_ENABLED: 'false',
	N8N_VERIFIED_PACKAGES_ENABLED: 'false',
	// A missing community package must never make n8n go to the registry on its own.
	N8N_REINSTALL_MISSING_PACKAGES: 'false',
	N8N_SECURE_COOKIE: 'false',
	N8N_LISTEN_ADDRESS: '127.0.0.1',
	DB_SQLITE_POOL_SIZE: '2',
	GENERIC_TIMEZONE: 'UTC',
	// n8n otherwise warns on every call that its settings file is world-readable.
	N8N_ENFORCE_SETTINGS_FILE_PERMISSIONS: 'true',
};

// Ports for n8n, its task brokers, PostgreSQL and Redis are picked here and bound later by another
// process, sometimes minutes later (createN8nHost's spareBrokerPort). With several test lanes at
// once (scripts/run-tests.js) a port the kernel hands out to one lane could be handed out again to
// another, or to a sandbox's listen(0) or an outgoing connection, before it is bound. So: pick from
// 20000-32767, below the kernel's ephemeral range (32768-60999), which neither listen(0) nor
// connect() ever use; claim the port machine-wide with a file in os.tmpdir() (owner pid; a claim
// whose owner is gone, or older than PORT_CLAIM_TTL_MS, is taken over); check that it binds.
// ACTITO_META_PORT_RANGE=lo-hi changes the range; ACTITO_META_PORT_RANGE=kernel restores listen(0).
const PORT_CLAIMS = path.join(os.tmpdir(), 'actito-meta-port-claims');
const PORT_CLAIM_TTL_MS = 2 * 60 * 60 * 1000;

function pidAlive(pid) {
	if (!Number.isInteger(pid) || pid <= 0) return false;
	try {
		process.kill(pid, 0);
		return true;
	} catch (error) {
		return error.code === 'EPERM';
	}
}

/** True when this process may use `port`: no live process (this one included) claimed it lately. */
function claimPort(port) {
	const file = path.join(PORT_CLAIMS, String(port));
	for (let attempt = 0; attempt < 3; attempt++) {
		try {
			if (!fs.existsSync(PORT_CLAIMS)) {
				fs.mkdirSync(PORT_CLAIMS, { recursive: true });
				fs.chmodSync(PORT_CLAIMS, 0o1777); // Shared by every user's test runs, like /tmp.
			}
			fs.writeFileSync(file, String(process.pid), { flag: 'wx' });
			return true;
		} catch (error) {
			if (error.code !== 'EEXIST') return true; // No usable claim folder: the bind check alone.
		}
		let holder;
		let age;
		try {
			holder = Number(fs.readFileSync(file, 'utf8'));
			age = Date.now() - fs.statSync(file).mtimeMs;
		} catch {
			continue; // Released or taken over meanwhile: try again.
		}
		if (age < PORT_CLAIM_TTL_MS && pidAlive(holder)) return false;
		fs.rmSync(file, { force: true });
	}
	return false;
}

function listenOnce(port) {
	return new Promise((resolve, reject) => {
		const server = net.createServer();
		server.unref();
		server.on('error', reject);
		server.listen(port, '127.0.0.1', () => {
			const bound = server.address().port;
			server.close(() => resolve(bound));
		});
	});
}

/** A loopback port nobody listens on and no other test process has been given (see above). */
async function freePort() {
	const setting = process.env.ACTITO_META_PORT_RANGE || '20000-32767';
	const range = /^(\d+)-(\d+)$/.exec(setting);
	if (setting === 'kernel' || !range) return await listenOnce(0);
	const [low, high] = [Number(range[1]), Number(range[2])];
	for (let attempt = 0; attempt < 200; attempt++) {
		const port = low + Math.floor(Math.random() * (high - low + 1));
		if (!claimPort(port)) continue;
		try {
			return await listenOnce(port);
		} catch {
			// Taken by a process outside this harness; its claim stays, so it is not tried again soon.
		}
	}
	return await listenOnce(0);
}

// `n8n execute` prints JSON.stringify(run, null, 2): only its outermost braces sit alone at the
// start of a line. On failure n8n logs more lines after it, so cut at the first closing brace.
function parseRunJson(stdout) {
	const lines = stdout.split(/\r?\n/);
	const start = lines.findIndex((line) => line.trimEnd() === '{');
	if (start === -1) return null;
	for (let end = start + 1; end < lines.length; end++) {
		if (lines[end].trimEnd() !== '}') continue;
		try {
			return JSON.parse(lines.slice(start, end + 1).join('\n'));
		} catch {
			// Not the outer object after all; keep looking.
		}
	}
	try {
		return JSON.parse(lines.slice(start).join('\n'));
	} catch {
		return null;
	}
}

/** Packs an already built package (no prepack/build scripts run) and returns the tarball path. */
function packPackage(repoDir, outDir) {
	fs.mkdirSync(outDir, { recursive: true });
	const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
	const out = execFileSync(
		npm,
		['pack', '--ignore-scripts', '--json', '--pack-destination', path.resolve(outDir)],
		{ cwd: repoDir, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] },
	);
	const [info] = JSON.parse(out);
	const tarball = path.join(path.resolve(outDir), info.filename);
	if (!fs.existsSync(tarball)) throw new Error(`npm pack reported ${info.filename} but ${tarball} is missing`);
	return tarball;
}

/** Resident memory (bytes) summed over the processes that `matches(pid)` selects, from /proc. */
function residentBytes(matches) {
	let total = 0;
	let entries = [];
	try {
		entries = fs.readdirSync('/proc');
	} catch {
		return 0;
	}
	for (const entry of entries) {
		if (!/^\d+$/.test(entry)) continue;
		try {
			if (!matches(entry)) continue;
			const match = /VmRSS:\s+(\d+)\s+kB/.exec(fs.readFileSync(`/proc/${entry}/status`, 'utf8'));
			if (match) total += Number(match[1]) * 1024;
		} catch {
			// The process ended between readdir and read.
		}
	}
	return total;
}

class N8nHost {
	/**
	 * @param {{userFolder?: string, port?: number, env?: Record<string, string>, version?: string}} [options]
	 * Use createN8nHost() unless you already know a free port.
	 */
	constructor({ userFolder, port, env = {}, version } = {}) {
		const host = resolveHost(version || process.env.N8N_VERSION || DEFAULT_VERSION);
		this.version = host.version;
		this.major = host.major;
		this.n8nHome = host.home;
		this.nodeBin = host.nodeBin;
		this.n8nBin = host.n8nBin;
		this.ownsUserFolder = !userFolder;
		this.userFolder = userFolder || fs.mkdtempSync(path.join(os.tmpdir(), 'n8n-host-'));
		fs.mkdirSync(this.userFolder, { recursive: true });
		this.dataDir = path.join(this.userFolder, '.n8n');
		this.dbPath = path.join(this.dataDir, 'database.sqlite');
		// Outside the user folder, so that it outlives dispose(): errors name it and it must still be
		// there when someone reads the error.
		this.logDir = process.env.ACTITO_META_LOG_DIR || path.join(__dirname, '..', '..', '.tmp', 'n8n-logs');
		fs.mkdirSync(this.logDir, { recursive: true });
		this.logPath = path.join(this.logDir, `n8n-${this.version}-${path.basename(this.userFolder)}.log`);
		this.port = port;
		this.baseUrl = `http://127.0.0.1:${port}`;
		this.server = null;
		this.serverExit = null;
		this.peakRssBytes = 0;
		this._log = '';
		this._rssTimer = null;
		this._tmpCounter = 0;

		// Strip the caller's own n8n settings so that only this host's configuration applies. Jest
		// sets NODE_ENV=test, which makes n8n log nothing (no run JSON on stdout) and skip its
		// sqlite file; n8n was measured with NODE_ENV unset.
		// host.env already holds no npm_config_* and puts the host's Node first on PATH.
		const inherited = {};
		for (const [key, value] of Object.entries(host.env)) {
			if (/^(WEBHOOK_URL$|EXECUTIONS_|QUEUE_|GENERIC_TIMEZONE$|JEST_)/.test(key)) continue;
			inherited[key] = value;
		}
		this.env = {
			...inherited,
			...QUIET_ENV,
			N8N_USER_FOLDER: this.userFolder,
			// Fixed per host: credentials imported into a user folder only decrypt with its key.
			N8N_ENCRYPTION_KEY: `n8n-host-test-key-${path.basename(this.userFolder)}`,
			// 1.x: no task-runner broker, so CLI calls beside a running server do not fight over port
			// 5679 and stdout of `n8n execute` holds the run's JSON alone. 2.x always runs one (see
			// _processEnv) and warns about the variable.
			...(this.major < 2 ? { N8N_RUNNERS_ENABLED: 'false' } : {}),
			// 2.x activates published workflows through a background reconciler by default, after
			// "Editor is now accessible"; off, activation finishes before that line, as on 1.x, so
			// start() can resolve when the workflows are live.
			...(this.major >= 2 ? { N8N_USE_WORKFLOW_PUBLICATION_SERVICE: 'false', N8N_UNVERIFIED_PACKAGES_ENABLED: 'true' } : {}),
			N8N_PORT: String(port),
			N8N_HOST: '127.0.0.1',
			N8N_PROTOCOL: 'http',
			WEBHOOK_URL: `${this.baseUrl}/`,
			...env,
		};
	}

	// ---- logs ---------------------------------------------------------------------------------

	_append(text) {
		this._log += text;
		fs.appendFileSync(this.logPath, text);
	}

	/** Everything the server and the CLI calls printed, in order. */
	logs() {
		return this._log;
	}

	_tmpFile(name) {
		const dir = path.join(this.userFolder, 'tmp');
		fs.mkdirSync(dir, { recursive: true });
		return path.join(dir, `${Date.now()}-${this._tmpCounter++}-${name}`);
	}

	// ---- CLI ----------------------------------------------------------------------------------

	/**
	 * The environment of one n8n process. n8n 2.x always starts a task-runner broker (on 5679 by
	 * default), so every process of a 2.x host gets a free port of its own for it: a CLI call beside a
	 * running server would otherwise fail.
	 */
	async _processEnv() {
		if (this.major < 2) return this.env;
		return { ...this.env, N8N_RUNNERS_BROKER_PORT: String(await freePort()) };
	}

	/** Runs `n8n <args>` to completion; resolves {exitCode, stdout, stderr, durationMs}. */
	async cli(args, { timeoutMs = 180000, stdoutIsRunData = false } = {}) {
		const env = await this._processEnv();
		const started = Date.now();
		this._append(`\n$ n8n ${args.join(' ')}\n`);
		return new Promise((resolve, reject) => {
			// `execute` prints the run's items (what the editor would show) on stdout, megabytes of
			// it, then exits at once: through a pipe the tail is lost. A file keeps all of it. It is
			// returned to the caller, not n8n's log, so it stays out of the log file.
			const outFile = stdoutIsRunData ? this._tmpFile(`run-${Date.now()}.json`) : null;
			const outFd = outFile ? fs.openSync(outFile, 'w') : null;
			const child = spawn(this.nodeBin, [this.n8nBin, ...args], {
				cwd: this.userFolder,
				env,
				stdio: ['ignore', outFd === null ? 'pipe' : outFd, 'pipe'],
			});
			if (outFd !== null) fs.closeSync(outFd);
			let stdout = '';
			let stderr = '';
			child.stderr.setEncoding('utf8');
			if (child.stdout) {
				child.stdout.setEncoding('utf8');
				child.stdout.on('data', (chunk) => {
					stdout += chunk;
					this._append(chunk);
				});
			}
			child.stderr.on('data', (chunk) => {
				stderr += chunk;
				this._append(chunk);
			});
			const timer = setTimeout(() => {
				child.kill('SIGKILL');
				reject(new Error(`n8n ${args[0]} timed out after ${timeoutMs} ms; the full log is ${this.logPath}\n${stdout.slice(-3000)}\n${stderr.slice(-3000)}`));
			}, timeoutMs);
			child.on('error', (error) => {
				clearTimeout(timer);
				reject(error);
			});
			child.on('close', (code, signal) => {
				clearTimeout(timer);
				if (outFile) {
					stdout = fs.readFileSync(outFile, 'utf8');
					fs.rmSync(outFile, { force: true });
				}
				resolve({ exitCode: code === null ? 128 : code, signal, stdout, stderr, durationMs: Date.now() - started });
			});
		});
	}

	async _cliOk(args, options) {
		const run = await this.cli(args, options);
		if (run.exitCode !== 0) {
			throw new Error(
				`n8n ${args.join(' ')} exited ${run.exitCode}; the full log is ${this.logPath}\n${run.stdout.slice(-3000)}\n${run.stderr.slice(-3000)}`,
			);
		}
		return run;
	}

	// ---- package ------------------------------------------------------------------------------

	/**
	 * Installs a packed tarball the way n8n's community-package installer does, so its nodes load
	 * as `<package>.<node>`. Returns {name, version, dir}.
	 */
	installPackage(tarball) {
		const manifest = JSON.parse(
			execFileSync('tar', ['-xzOf', tarball, 'package/package.json'], { encoding: 'utf8' }),
		);
		const { name, version } = manifest;
		const nodesDir = path.join(this.dataDir, 'nodes');
		const dir = path.join(nodesDir, 'node_modules', ...name.split('/'));
		fs.rmSync(dir, { recursive: true, force: true });
		fs.mkdirSync(dir, { recursive: true });
		execFileSync('tar', ['-xzf', path.resolve(tarball), '-C', dir, '--strip-components=1']);

		// n8n's installer drops these before its `npm install`; a peer n8n-workflow would otherwise
		// bring a second copy whose error classes n8n does not recognise.
		const { devDependencies, peerDependencies, optionalDependencies, ...kept } = manifest;
		fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify(kept, null, 2));
		if (kept.dependencies && Object.keys(kept.dependencies).length > 0) {
			// Same flags as n8n's installer; only reached if the package ever gains runtime deps.
			const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
			execFileSync(
				npm,
				['install', '--audit=false', '--fund=false', '--bin-links=false', '--install-strategy=shallow', '--ignore-scripts=true', '--package-lock=false'],
				{ cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] },
			);
		}
		if (fs.existsSync(path.join(dir, 'node_modules', 'n8n-workflow'))) {
			throw new Error(`${name} brought its own n8n-workflow; n8n must use its own copy`);
		}

		const rootManifestPath = path.join(nodesDir, 'package.json');
		const rootManifest = fs.existsSync(rootManifestPath)
			? JSON.parse(fs.readFileSync(rootManifestPath, 'utf8'))
			: { name: 'installed-nodes', private: true, dependencies: {} };
		rootManifest.dependencies = { ...rootManifest.dependencies, [name]: version };
		fs.writeFileSync(rootManifestPath, JSON.stringify(rootManifest, null, 2));
		return { name, version, dir };
	}

	// ---- import / export ----------------------------------------------------------------------

	/** Imports `[{id, name, type, data}]`; plain `data` is encrypted with this host's key. */
	async importCredentials(credentials) {
		const file = this._tmpFile('credentials.json');
		fs.writeFileSync(file, JSON.stringify(credentials, null, 2));
		return await this._cliOk(['import:credentials', `--input=${file}`]);
	}

	/**
	 * Imports one workflow (or an array) and returns its id (or ids). The JSON is written as given,
	 * so a `staticData` key, or its absence, reaches n8n untouched. A missing id gets a 16-character
	 * one: longer ids make n8n silently drop static data.
	 */
	async importWorkflow(workflow) {
		const list = (Array.isArray(workflow) ? workflow : [workflow]).map((wf) => {
			if (wf.id) {
				// 1.x silently drops the static data of longer ids (2.x allows 21).
				if (String(wf.id).length > 16) throw new Error(`workflow id ${wf.id} is longer than 16 characters`);
				return wf;
			}
			return { ...wf, id: Math.random().toString(36).slice(2, 10) + Date.now().toString(36).slice(-8) };
		});
		const file = this._tmpFile('workflow.json');
		fs.writeFileSync(file, JSON.stringify(list, null, 2));
		const run = await this._cliOk(['import:workflow', `--input=${file}`]);
		this.lastImportMs = run.durationMs;
		const ids = list.map((wf) => String(wf.id));
		return Array.isArray(workflow) ? ids : ids[0];
	}

	/** `n8n execute --id` (mode cli; saves static data). Never throws on a failed run. */
	async execute(workflowId, options) {
		const run = await this.cli(['execute', `--id=${workflowId}`], { ...options, stdoutIsRunData: true });
		return { ...run, result: parseRunJson(run.stdout) };
	}

	/** Marks a workflow active; takes effect when the server (re)starts. 2.x calls it publishing. */
	async activate(workflowId) {
		if (this.major >= 2) return await this._cliOk(['publish:workflow', `--id=${workflowId}`]);
		return await this._cliOk(['update:workflow', `--id=${workflowId}`, '--active=true']);
	}

	async deactivate(workflowId) {
		if (this.major >= 2) return await this._cliOk(['unpublish:workflow', `--id=${workflowId}`]);
		return await this._cliOk(['update:workflow', `--id=${workflowId}`, '--active=false']);
	}

	/** The stored workflow, static data included. */
	async exportWorkflow(workflowId) {
		const file = this._tmpFile('export.json');
		await this._cliOk(['export:workflow', `--id=${workflowId}`, `--output=${file}`]);
		const parsed = JSON.parse(fs.readFileSync(file, 'utf8'));
		return Array.isArray(parsed) ? parsed[0] : parsed;
	}

	// ---- database -----------------------------------------------------------------------------

	/** Rows of n8n's database, read with n8n's own sqlite3 build (no CLI start-up cost). */
	async query(sql, params = []) {
		if (!fs.existsSync(this.dbPath)) throw new Error(`no database yet at ${this.dbPath}`);
		const outFile = this._tmpFile('query.json');
		await new Promise((resolve, reject) => {
			const child = spawn(
				this.nodeBin,
				[path.join(__dirname, 'sqliteQuery.js'), this.n8nHome, this.dbPath, sql, JSON.stringify(params), outFile],
				{ env: this.env, stdio: ['ignore', 'ignore', 'pipe'] },
			);
			let stderr = '';
			child.stderr.setEncoding('utf8');
			child.stderr.on('data', (chunk) => (stderr += chunk));
			child.on('error', reject);
			child.on('close', (code) =>
				code === 0 ? resolve() : reject(new Error(`query of ${this.dbPath} failed (exit ${code}): ${stderr.trim()}`)),
			);
		});
		try {
			return JSON.parse(fs.readFileSync(outFile, 'utf8'));
		} finally {
			fs.rmSync(outFile, { force: true });
		}
	}

	/** `{global: {...}, 'node:<name>': {...}}` as stored, or null. Reads the database directly. */
	async readStaticData(workflowId) {
		const rows = await this.query('SELECT staticData FROM workflow_entity WHERE id = ?', [workflowId]);
		if (rows.length === 0) throw new Error(`workflow ${workflowId} not found`);
		const raw = rows[0].staticData;
		if (raw === null || raw === undefined || raw === '') return null;
		return typeof raw === 'string' ? JSON.parse(raw) : raw;
	}

	/**
	 * Saved executions, oldest first: [{id, workflowId, mode, status, finished, startedAt,
	 * stoppedAt, data, workflowData}] with `data`/`workflowData` as the stored text.
	 */
	async listExecutions(workflowId) {
		const where = workflowId === undefined ? '' : 'WHERE e.workflowId = ?';
		return await this.query(
			`SELECT e.id, e.workflowId, e.mode, e.status, e.finished, e.startedAt, e.stoppedAt,
				d.data, d.workflowData
			FROM execution_entity e LEFT JOIN execution_data d ON d.executionId = e.id
			${where} ORDER BY e.id`,
			workflowId === undefined ? [] : [workflowId],
		);
	}

	/** All stored text of the saved executions (of one workflow, or all): for privacy scans. */
	async readExecutions(workflowId) {
		const rows = await this.listExecutions(workflowId);
		return rows.map((row) => `${row.data ?? ''}\n${row.workflowData ?? ''}`).join('\n');
	}

	// ---- server -------------------------------------------------------------------------------

	/** Starts `n8n start`; resolves with the base URL once the editor is up (active workflows too). */
	async start({ timeoutMs = 120000 } = {}) {
		if (this.server) throw new Error('server already started');
		const env = await this._processEnv();
		const started = Date.now();
		this._append(`\n$ n8n start (port ${this.port})\n`);
		// Own process group, so stop() and kill() reach every child n8n forks.
		const child = spawn(this.nodeBin, [this.n8nBin, 'start'], {
			cwd: this.userFolder,
			env,
			stdio: ['ignore', 'pipe', 'pipe'],
			detached: true,
		});
		this.server = child;
		liveHosts.add(this);
		passSignalsToServers();
		this.serverExit = new Promise((resolve) => {
			child.on('exit', (code, signal) => {
				liveHosts.delete(this);
				this._stopRssSampling();
				resolve({ code, signal });
			});
		});
		this._startRssSampling();
		return new Promise((resolve, reject) => {
			let seen = '';
			let settled = false;
			const settle = (fn, value) => {
				if (settled) return;
				settled = true;
				clearTimeout(timer);
				fn(value);
			};
			const onData = (chunk) => {
				const text = String(chunk);
				this._append(text);
				if (settled) return;
				// Keep a short tail so a line split across chunks is still found.
				seen = (seen + text).slice(-4096);
				if (seen.includes(READY_LINE)) {
					this.startToReadyMs = Date.now() - started;
					settle(resolve, this.baseUrl);
				}
			};
			child.stdout.setEncoding('utf8');
			child.stderr.setEncoding('utf8');
			child.stdout.on('data', onData);
			child.stderr.on('data', onData);
			const timer = setTimeout(() => {
				settle(reject, new Error(`n8n did not get ready within ${timeoutMs} ms; see ${this.logPath}`));
			}, timeoutMs);
			child.on('error', (error) => settle(reject, error));
			this.serverExit.then(({ code, signal }) =>
				settle(reject, new Error(`n8n exited before ready (code ${code}, signal ${signal}); see ${this.logPath}`)),
			);
		});
	}

	_signalGroup(signal) {
		if (!this.server || this.server.exitCode !== null || this.server.signalCode !== null) return;
		try {
			process.kill(-this.server.pid, signal);
		} catch {
			// Already gone.
		}
	}

	/** SIGTERM to the server's process group; SIGKILL if it is not gone after the grace period. */
	async stop({ graceMs = 20000 } = {}) {
		if (!this.server) return null;
		this._signalGroup('SIGTERM');
		// A pending grace timer would keep the caller's event loop (and jest) alive after exit.
		let timer;
		const timeout = new Promise((resolve) => {
			timer = setTimeout(() => resolve('timeout'), graceMs);
		});
		let outcome = await Promise.race([this.serverExit, timeout]);
		clearTimeout(timer);
		if (outcome === 'timeout') {
			this._signalGroup('SIGKILL');
			outcome = await this.serverExit;
		}
		this.server = null;
		return outcome;
	}

	/** SIGKILL with no shutdown, for crash tests. */
	async kill() {
		if (!this.server) return null;
		this._signalGroup('SIGKILL');
		const outcome = await this.serverExit;
		this.server = null;
		return outcome;
	}

	/** Production webhook URL for a Webhook node's path. */
	webhookUrl(webhookPath) {
		return `${this.baseUrl}/webhook/${String(webhookPath).replace(/^\/+/, '')}`;
	}

	// /proc reads once a second are cheap; sum the whole process group, not just the parent.
	_startRssSampling() {
		if (process.platform !== 'linux') return;
		const sample = () => {
			if (!this.server) return;
			const group = this.server.pid;
			const total = residentBytes((pid) => {
				const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
				// pgrp is the 3rd field after the parenthesised command name.
				return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[2]) === group;
			});
			if (total > this.peakRssBytes) this.peakRssBytes = total;
		};
		sample();
		this._rssTimer = setInterval(sample, 1000);
		this._rssTimer.unref();
	}

	_stopRssSampling() {
		if (this._rssTimer) clearInterval(this._rssTimer);
		this._rssTimer = null;
	}

	/** Stops the server if needed and removes the temp user folder (kept if the caller gave one). */
	async dispose() {
		if (this.server) await this.stop();
		if (this.ownsUserFolder) fs.rmSync(this.userFolder, { recursive: true, force: true });
	}
}

/** A host on a free loopback port, in a fresh temp user folder unless one is given. */
async function createN8nHost({ userFolder, port, env, version } = {}) {
	const host = new N8nHost({ userFolder, port: port || (await freePort()), env, version });
	// For processes a test starts itself (test/support/n8nProcess.tsx), one at a time per host.
	host.spareBrokerPort = await freePort();
	return host;
}

module.exports = { N8nHost, createN8nHost, packPackage, parseRunJson, freePort, residentBytes, QUIET_ENV };
