#!/usr/bin/env node
'use strict';
// `npm test`: every check and every test suite, with independent work overlapped on the machine's
// cores. Plain Node, no dependencies.
//
//   node scripts/run-tests.js [--jobs N] [--only NAME[,NAME…]] [--list]
//
// What runs, and what waits for what:
//   - at once, in the background (mostly downloads and installs, outside the job slots): the two n8n
//     hosts (scripts/ensure-n8n.js, one process per version, 1.123.81 after 2.41.1: each has its
//     own lock and verification) and the Debian packages (Chromium, then PostgreSQL and Redis: apt holds one lock,
//     so one after the other in one task);
//   - in a job slot, one after the other: build, the tarball scan, tsc on the tests, n8n's lint, the
//     dev lint, then the jest suites that need no n8n (test/unit, test/nodes, test/sandbox,
//     test/faults);
//   - in the job slots (--jobs, default 2), each as soon as its host is installed, longest first:
//     every test/e2e file on n8n 2.41.1 and all but the traps again on 1.123.81, test/browser (2.41.1 and Chromium)
//     and test/queue (2.41.1, PostgreSQL, Redis; ACTITO_META_QUEUE=1).
// Every task writes its whole output to .tmp/test-logs/<task>.log; the terminal gets one line per
// start and end and a progress line, then a summary; a failed task's log tail is printed with its
// path. Exit status 1 when anything failed or did not run. Ctrl-C or SIGTERM stops every task (each
// runs in its own process group). Task durations are kept in .tmp/test-logs/durations.json and
// order the next run's jobs.
const { spawn } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { stopWithLauncher } = require('./lib/lifeline');

const REPO = path.resolve(__dirname, '..');
const LOG_DIR = path.join(REPO, '.tmp', 'test-logs');
const DURATIONS_FILE = path.join(LOG_DIR, 'durations.json');
const BIN = path.join(REPO, 'node_modules', '.bin');
const NODE = process.execPath;
const HOST_2 = '2.41.1';
const HOST_1 = '1.123.81';

// ---- the tasks ---------------------------------------------------------------------------------

/** Test files under test/ as jest's testMatch in jest.config.js selects them, repo-relative. */
function testFiles(dir = 'test') {
	const out = [];
	for (const entry of fs.readdirSync(path.join(REPO, dir), { withFileTypes: true })) {
		const rel = path.posix.join(dir, entry.name);
		if (entry.isDirectory()) out.push(...testFiles(rel));
		else if (/\.test\.(tsx|ts|js)$/.test(entry.name)) out.push(rel);
	}
	return out.sort();
}

const jest = (files, env = {}) => ({ cmd: [path.join(BIN, 'jest'), '--runInBand', '--runTestsByPath', ...files], env, files });

// Rough first-run durations (seconds, measured on these machines), replaced by the last run's own.
const ESTIMATES = { queue: 565, browser: 100, e2e: 85 };

function defineTasks() {
	const files = testFiles();
	const under = (...dirs) => files.filter((f) => dirs.some((d) => f.startsWith(`test/${d}/`)));
	const tasks = [
		{ name: `install-n8n-${HOST_2}`, background: true, cmd: [NODE, 'scripts/ensure-n8n.js', '--version', HOST_2] },
		// 1.123.81 after 2.41.1, not beside it: side by side on 2 cores both took longer (7 min 25 s
		// and 9 min 37 s, measured from an empty cache) than one alone (about 5 min), and 2.41.1
		// carries the longest suites (queue, browser, every e2e file), which wait for it.
		{
			name: `install-n8n-${HOST_1}`,
			background: true,
			after: [`install-n8n-${HOST_2}`],
			cmd: [NODE, 'scripts/ensure-n8n.js', '--version', HOST_1],
		},
		{
			name: 'install-debian',
			background: true,
			cmd: ['sh', '-c', 'sh scripts/install-chromium.sh && node scripts/queue/services.js install'],
		},
		// The chain: one step at a time (chain: true), in this order, ahead of every other job.
		{ name: 'build', chain: true, cmd: [path.join(BIN, 'n8n-node'), 'build'] },
		{ name: 'scan', chain: true, after: ['build'], cmd: [NODE, 'scripts/scan-package.js'] },
		{ name: 'tsc', chain: true, cmd: [path.join(BIN, 'tsc'), '--noEmit', '-p', 'tsconfig.jest.json'] },
		{ name: 'lint', chain: true, cmd: [path.join(BIN, 'n8n-node'), 'lint'] },
		{ name: 'lint-dev', chain: true, cmd: [path.join(BIN, 'eslint'), '-c', 'eslint.dev.config.mjs', '.'] },
		{ name: 'jest-no-host', chain: true, after: ['build'], ...jest(under('unit', 'nodes', 'sandbox', 'faults')) },
	];
	for (const [version, install] of [[HOST_2, `install-n8n-${HOST_2}`], [HOST_1, `install-n8n-${HOST_1}`]]) {
		// On 1.123.81 every e2e file but the traps, the longest one: the traps test the sync's own
		// rules (the same core on both hosts), while the others test what differs between n8n 1.x and
		// 2.x (install, CLI, execution, webhooks, kills); the traps file stays in \`npm run test:e2e:1x\`.
		const onHost = version === HOST_1 ? under('e2e').filter((f) => !/hourly-sync-traps/.test(f)) : under('e2e');
		for (const file of onHost) {
			tasks.push({
				name: `e2e-${version}-${path.basename(file).replace(/(\.e2e)?\.test\.(tsx|ts|js)$/, '')}`,
				after: ['build', install],
				estimate: ESTIMATES.e2e,
				...jest([file], { N8N_VERSION: version }),
			});
		}
	}
	tasks.push({
		name: `browser-${HOST_2}`,
		after: ['build', `install-n8n-${HOST_2}`, 'install-debian'],
		estimate: ESTIMATES.browser,
		...jest(under('browser'), { N8N_VERSION: HOST_2 }),
	});
	tasks.push({
		name: `queue-${HOST_2}`,
		after: ['build', `install-n8n-${HOST_2}`, 'install-debian'],
		estimate: ESTIMATES.queue,
		...jest(under('queue'), { N8N_VERSION: HOST_2, ACTITO_META_QUEUE: '1' }),
	});
	// A test file that no task runs would silently drop out of `npm test`.
	const covered = new Set(tasks.flatMap((t) => t.files || []));
	const missing = files.filter((f) => !covered.has(f));
	if (missing.length > 0) {
		throw new Error(`scripts/run-tests.js runs no task for ${missing.join(', ')}: add its folder to a task there`);
	}
	return tasks;
}

/** User + system CPU time (ms) of a task's processes from bash's `times` (second line: children). */
function cpuMsOf(file) {
	let text;
	try {
		text = fs.readFileSync(file, 'utf8');
	} catch {
		return undefined;
	}
	const line = text.trim().split('\n')[1] || '';
	const parts = [...line.matchAll(/(\d+)m([\d.]+)s/g)].map((m) => Number(m[1]) * 60000 + Number(m[2]) * 1000);
	return parts.length === 2 ? Math.round(parts[0] + parts[1]) : undefined;
}

// ---- running -----------------------------------------------------------------------------------

const fmt = (ms) => {
	const s = Math.round(ms / 1000);
	return s < 60 ? `${s} s` : `${Math.floor(s / 60)} min ${String(s % 60).padStart(2, '0')} s`;
};

function parseArgs(argv) {
	const options = { jobs: Number(process.env.ACTITO_META_TEST_JOBS) || 2, only: null, list: false };
	for (let i = 0; i < argv.length; i++) {
		if (argv[i] === '--jobs') options.jobs = Number(argv[++i]);
		else if (argv[i] === '--only') options.only = argv[++i].split(',');
		else if (argv[i] === '--list') options.list = true;
		else throw new Error(`unknown argument ${argv[i]} (use --jobs N, --only NAME[,NAME…], --list)`);
	}
	if (!Number.isInteger(options.jobs) || options.jobs < 1) throw new Error('--jobs needs a whole number ≥ 1');
	return options;
}

/** The tasks `only` names, and everything they wait for. */
function selectTasks(tasks, only) {
	if (!only) return tasks;
	const byName = new Map(tasks.map((t) => [t.name, t]));
	const keep = new Set();
	const add = (name) => {
		const task = byName.get(name);
		if (!task) throw new Error(`no task ${name}; node scripts/run-tests.js --list names them`);
		if (keep.has(name)) return;
		keep.add(name);
		for (const dep of task.after || []) add(dep);
	};
	for (const pattern of only) {
		const matched = tasks.filter((t) => t.name === pattern || t.name.startsWith(`${pattern}-`));
		if (matched.length === 0) add(pattern);
		for (const task of matched) add(task.name);
	}
	return tasks.filter((t) => keep.has(t.name));
}

function main() {
	const options = parseArgs(process.argv.slice(2));
	const tasks = selectTasks(defineTasks(), options.only);
	if (options.list) {
		for (const t of tasks) {
			const kind = t.background ? ' (background)' : t.chain ? ' (chain)' : '';
			process.stdout.write(`${t.name}${kind}${t.after ? `  after ${t.after.join(', ')}` : ''}\n`);
		}
		return;
	}
	fs.mkdirSync(LOG_DIR, { recursive: true });
	for (const entry of fs.readdirSync(LOG_DIR)) if (/\.(log|times)$/.test(entry)) fs.rmSync(path.join(LOG_DIR, entry), { force: true });
	let previous = {};
	try {
		previous = JSON.parse(fs.readFileSync(DURATIONS_FILE, 'utf8'));
	} catch {
		// First run here: the estimates order the jobs.
	}
	for (const t of tasks) {
		t.state = 'waiting';
		t.log = path.join(LOG_DIR, `${t.name}.log`);
		t.times = path.join(LOG_DIR, `${t.name}.times`);
		t.expectedMs = (previous[t.name] || t.estimate || 30) * 1000;
	}
	const byName = new Map(tasks.map((t) => [t.name, t]));
	const started = Date.now();
	const since = () => `[${String(Math.round((Date.now() - started) / 1000)).padStart(5)} s]`;
	const tty = process.stdout.isTTY;
	let statusShown = false;
	const clearStatus = () => {
		if (tty && statusShown) process.stdout.write('\r\x1b[K');
		statusShown = false;
	};
	const say = (line) => {
		clearStatus();
		process.stdout.write(`${since()} ${line}\n`);
	};
	const running = () => tasks.filter((t) => t.state === 'running');
	const statusLine = () => {
		const now = Date.now();
		const done = tasks.filter((t) => ['passed', 'failed', 'skipped'].includes(t.state)).length;
		const list = running().map((t) => `${t.name} ${Math.round((now - t.startedAt) / 1000)}s`).join(', ');
		return `${since()} ${done}/${tasks.length} done · load ${os.loadavg()[0].toFixed(1)} · running: ${list || '-'}`;
	};
	say(`npm test: ${tasks.length} tasks, ${options.jobs} job slots; logs in ${path.relative(REPO, LOG_DIR)}/`);

	let stopping = null;
	let finished = false;
	// Every process group started, by its leader's pid: on a stop, members that outlive their
	// leader (an n8n CLI call that waits out SIGTERM, say) are stopped too.
	const groups = new Set();
	const groupAlive = (pgid) => {
		try {
			process.kill(-pgid, 0);
			return true;
		} catch (error) {
			return error.code === 'EPERM';
		}
	};
	const freeSlots = new Set(Array.from({ length: options.jobs }, (_, i) => i));

	function start(task) {
		task.state = 'running';
		task.startedAt = Date.now();
		if (!task.background) {
			task.slot = Math.min(...freeSlots);
			freeSlots.delete(task.slot);
		}
		const out = fs.openSync(task.log, 'w');
		const shown = task.cmd.map((a) => (path.isAbsolute(a) && a.startsWith(`${REPO}${path.sep}`) ? path.relative(REPO, a) : a));
		fs.writeSync(out, `$ ${shown.join(' ')}\n`);
		if (task.env && Object.keys(task.env).length) fs.writeSync(out, `  with ${Object.entries(task.env).map(([k, v]) => `${k}=${v}`).join(' ')}\n`);
		fs.writeSync(out, `  started ${new Date(task.startedAt).toISOString()}\n\n`);
		let child;
		try {
			// Through bash when there is one, for its `times`: the CPU seconds of the task and of every
			// process under it, so that a run on a busy machine still tells what an idle one needs.
			const [file, ...args] = fs.existsSync('/bin/bash')
				? ['/bin/bash', '-c', 'f=$1; shift; "$@"; rc=$?; times > "$f"; exit $rc', task.name, task.times, ...task.cmd]
				: task.cmd;
			child = spawn(file, args, {
				cwd: REPO,
				env: { ...process.env, ...task.env },
				stdio: ['ignore', out, out],
				// Its own process group: a stop reaches the task's npm, sh and node children too.
				detached: true,
			});
		} catch (error) {
			fs.closeSync(out);
			return finish(task, { code: null, error });
		}
		fs.closeSync(out);
		task.child = child;
		groups.add(child.pid);
		say(`start ${task.name}${task.background ? ' (background)' : ''}`);
		child.on('error', (error) => finish(task, { code: null, error }));
		child.on('exit', (code, signal) => finish(task, { code, signal }));
	}

	function finish(task, { code, signal, error }) {
		if (task.state !== 'running' && task.state !== 'waiting') return;
		task.endedAt = Date.now();
		task.ms = task.endedAt - (task.startedAt || task.endedAt);
		task.state = code === 0 ? 'passed' : 'failed';
		task.why = error ? error.message : code === 0 ? '' : signal ? `killed by ${signal}` : `exit ${code}`;
		if (task.slot !== undefined) freeSlots.add(task.slot);
		task.cpuMs = cpuMsOf(task.times);
		if (error) fs.appendFileSync(task.log, `\n${error.stack || error.message}\n`);
		fs.appendFileSync(task.log, `\n[${task.state} after ${fmt(task.ms)}${task.why ? `: ${task.why}` : ''}]\n`);
		say(`${task.state === 'passed' ? 'ok  ' : 'FAIL'} ${task.name} (${fmt(task.ms)})${task.why ? `: ${task.why}, log ${path.relative(REPO, task.log)}` : ''}`);
		schedule();
	}

	function schedule() {
		if (finished) return;
		if (!stopping) {
			// A task whose dependency failed will not run.
			let changed = true;
			while (changed) {
				changed = false;
				for (const t of tasks) {
					if (t.state !== 'waiting') continue;
					const bad = (t.after || []).map((d) => byName.get(d)).find((d) => d && (d.state === 'failed' || d.state === 'skipped'));
					if (bad) {
						t.state = 'skipped';
						t.why = `${bad.name} ${bad.state}`;
						changed = true;
					}
				}
			}
			const ready = tasks.filter((t) => t.state === 'waiting' && (t.after || []).every((d) => !byName.has(d) || byName.get(d).state === 'passed'));
			for (const t of ready.filter((r) => r.background)) start(t);
			// The chain's next step first (one at a time: the installs have the other core meanwhile),
			// then the longest job.
			const chainBusy = running().some((r) => r.chain);
			const next = chainBusy ? [] : ready.filter((r) => r.chain).slice(0, 1);
			const jobs = ready.filter((r) => !r.background && !r.chain).sort((a, b) => b.expectedMs - a.expectedMs);
			for (const t of [...next, ...jobs]) {
				if (freeSlots.size === 0) break;
				start(t);
			}
		}
		if (running().length === 0 && (stopping ? stopping.groupsGone : !tasks.some((t) => t.state === 'waiting'))) done();
	}

	function done() {
		if (finished) return;
		finished = true;
		clearInterval(ticker);
		clearStatus();
		const total = Date.now() - started;
		for (const t of tasks) if (t.state === 'waiting' || t.state === 'running') t.state = stopping ? 'stopped' : 'not run';
		const width = Math.max(...tasks.map((t) => t.name.length));
		const lines = [
			'',
			`Summary (${os.cpus().length} cores, ${options.jobs} job slots, load average at the end ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}):`,
			`  ${'task'.padEnd(width)}  ${'result'.padEnd(8)}  ${'start'.padStart(7)}  ${'duration'.padStart(12)}  ${'cpu'.padStart(7)}`,
		];
		for (const t of tasks) {
			const at = t.startedAt ? `${Math.round((t.startedAt - started) / 1000)} s` : '';
			const cpu = t.cpuMs !== undefined ? `${Math.round(t.cpuMs / 1000)} s` : '';
			lines.push(`  ${t.name.padEnd(width)}  ${t.state.padEnd(8)}  ${at.padStart(7)}  ${(t.ms !== undefined ? fmt(t.ms) : '').padStart(12)}  ${cpu.padStart(7)}${t.why ? `  (${t.why})` : ''}`);
		}
		const cpuTotal = tasks.reduce((sum, t) => sum + (t.cpuMs || 0), 0);
		lines.push(`  CPU time of all tasks: ${Math.round(cpuTotal / 1000)} s (user + system; on ${options.jobs} idle cores no less than ${Math.round(cpuTotal / 1000 / options.jobs)} s of work)`);
		const bad = tasks.filter((t) => t.state !== 'passed');
		lines.push(`  total: ${fmt(total)} (${Math.round(total / 1000)} s); ${bad.length === 0 ? 'everything passed' : `${bad.length} of ${tasks.length} did not pass`}`);
		for (const t of tasks.filter((x) => x.state === 'failed')) {
			let tail = '';
			try {
				tail = fs.readFileSync(t.log, 'utf8').split('\n').slice(-40).join('\n');
			} catch {
				// No log: the reason above says why.
			}
			lines.push('', `---- ${t.name} failed; the last lines of ${path.relative(REPO, t.log)}:`, tail);
		}
		const report = lines.join('\n') + '\n';
		process.stdout.write(report);
		fs.writeFileSync(path.join(LOG_DIR, 'summary.txt'), report);
		if (!stopping) {
			const durations = { ...previous };
			for (const t of tasks) if (t.state === 'passed' && !t.background) durations[t.name] = Math.round(t.ms / 1000);
			fs.writeFileSync(DURATIONS_FILE, JSON.stringify(durations, null, 2) + '\n');
		}
		process.exitCode = stopping ? stopping.code : bad.length === 0 ? 0 : 1;
		if (stopping) process.exit(stopping.code);
	}

	// The progress line: redrawn each second on a terminal, once a minute into a pipe (CI).
	let lastPrinted = Date.now();
	const ticker = setInterval(() => {
		if (tty) {
			process.stdout.write(`\r\x1b[K${statusLine().slice(0, (process.stdout.columns || 120) - 1)}`);
			statusShown = true;
		} else if (Date.now() - lastPrinted >= 60000) {
			lastPrinted = Date.now();
			process.stdout.write(`${statusLine()}\n`);
		}
	}, 1000);

	function stopAll(signal, code) {
		if (stopping) {
			for (const pgid of groups) killGroup(pgid, 'SIGKILL');
			return;
		}
		stopping = { signal, code };
		say(`${signal}: stopping ${running().map((t) => t.name).join(', ') || 'nothing'} (SIGTERM to each process group; SIGKILL after 30 s; again to kill at once)`);
		for (const pgid of groups) killGroup(pgid, 'SIGTERM');
		// n8nHost gives its servers 20 s to stop; what is left after 30 s is killed.
		const deadline = Date.now() + 30000;
		const check = setInterval(() => {
			const left = [...groups].filter(groupAlive);
			if (left.length > 0 && Date.now() < deadline) return;
			for (const pgid of left) killGroup(pgid, 'SIGKILL');
			clearInterval(check);
			stopping.groupsGone = true;
			schedule();
			setTimeout(() => done(), 3000).unref();
		}, 500);
		schedule();
	}
	function killGroup(pgid, signal) {
		try {
			process.kill(-pgid, signal);
		} catch {
			// Already gone.
		}
	}
	process.on('SIGINT', () => stopAll('SIGINT', 130));
	process.on('SIGTERM', () => stopAll('SIGTERM', 143));
	process.on('SIGHUP', () => stopAll('SIGHUP', 129));
	// npm 11 does not pass SIGTERM on to its script: follow the npm that started this one.
	stopWithLauncher();
	// Last resort if this process dies anyway: no task group outlives it.
	process.on('exit', () => {
		for (const t of running()) killGroup(t.child.pid, 'SIGKILL');
	});

	schedule();
}

try {
	main();
} catch (error) {
	process.stderr.write(`${error.message}\n`);
	process.exit(1);
}
