#!/usr/bin/env node
'use strict';
// Installs n8n once into a cache folder outside the repository and reuses it.
// Recipe and pitfalls: ../shared/n8n-runtime.md (xlsx override, --ignore-scripts, sqlite3 rebuild).
const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const N8N_VERSION = process.env.N8N_VERSION || '1.123.81';

function cacheRoot() {
	return process.env.ACTITO_META_CACHE || path.join(os.homedir(), '.cache', 'n8n-nodes-actito-meta');
}

function n8nHome(version = N8N_VERSION) {
	return path.join(cacheRoot(), `n8n-${version}`);
}

function n8nBin(version = N8N_VERSION) {
	return path.join(n8nHome(version), 'node_modules', 'n8n', 'bin', 'n8n');
}

function ensureN8n({ version = N8N_VERSION, log = (m) => process.stderr.write(m + '\n') } = {}) {
	const home = n8nHome(version);
	if (fs.existsSync(path.join(home, '.ready'))) return home;
	const tmp = `${home}.partial-${process.pid}`;
	fs.rmSync(tmp, { recursive: true, force: true });
	fs.mkdirSync(tmp, { recursive: true });
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
	const started = Date.now();
	log(`installing n8n ${version} into ${home} (once; about 5 minutes on a cold npm cache)`);
	// isolated-vm does not build on Node 20 and would roll back the whole tree: skip scripts,
	// then build the one native module n8n needs here (sqlite3).
	const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
	execFileSync(npm, ['install', '--ignore-scripts', '--no-audit', '--no-fund', '--loglevel=error'], {
		cwd: tmp,
		stdio: ['ignore', 'inherit', 'inherit'],
	});
	execFileSync(npm, ['rebuild', 'sqlite3', '--loglevel=error'], { cwd: tmp, stdio: ['ignore', 'inherit', 'inherit'] });
	fs.writeFileSync(path.join(tmp, '.ready'), new Date().toISOString() + '\n');
	fs.rmSync(home, { recursive: true, force: true });
	fs.renameSync(tmp, home);
	log(`n8n ${version} installed in ${Math.round((Date.now() - started) / 1000)} s`);
	return home;
}

module.exports = { ensureN8n, n8nHome, n8nBin, N8N_VERSION, cacheRoot };

if (require.main === module) {
	process.stdout.write(ensureN8n() + '\n');
}
