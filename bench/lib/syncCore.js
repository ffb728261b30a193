'use strict';
// Benchmark 3: planner and sync core in-process against the sandboxes, at each size: the
// initial sync, a run with nothing changed, a run after 1% churn, and one more unchanged run.
// Each run is a fresh process (bench/lib/syncCoreWorker.js); the sandboxes run in another.
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { execFile } = require('node:child_process');
const { startSandboxProcess } = require('./sandboxProcess');
const { control, seedScenario } = require('../../scripts/lib/scenario');
const { log } = require('./util');

const WORKER = path.join(__dirname, 'syncCoreWorker.js');

function worker(phase, args) {
	return new Promise((resolve, reject) => {
		execFile(process.execPath, ['--max-old-space-size=8192', WORKER, phase, JSON.stringify(args)], { maxBuffer: 64 << 20 }, (error, stdout, stderr) => {
			if (error) return reject(new Error(`worker ${phase} failed: ${stderr || error.message}`));
			resolve(JSON.parse(stdout.trim().split('\n').pop()));
		});
	});
}

async function counters(sb) {
	const [meta, actito] = await Promise.all([control(sb.meta.url, 'GET', 'counters'), control(sb.actito.url, 'GET', 'counters')]);
	return { meta, actito };
}

function delta(before, after) {
	return {
		actitoRequests: after.actito.requests - before.actito.requests,
		metaRequests: after.meta.requests - before.meta.requests,
		metaUploads: Object.values(after.meta.uploads).reduce((a, b) => a + b, 0) - Object.values(before.meta.uploads).reduce((a, b) => a + b, 0),
	};
}

async function runSyncCore({ sizes, profilesPerMember = 1.25 }) {
	const results = [];
	for (const members of sizes) {
		const sb = await startSandboxProcess();
		const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-sync-'));
		const stateFile = path.join(dir, 'static-data.json');
		try {
			const tableProfiles = Math.round(members * profilesPerMember);
			log(`sync core ${members.toLocaleString('en')}: seeding ${tableProfiles.toLocaleString('en')} Actito profiles`);
			const { audienceId } = await seedScenario(sb, { profiles: tableProfiles, members, seed: 42 });
			// The sandbox's licence (100 a minute, then slowed down) set out of the way, as the client's.
			await control(sb.actito.url, 'POST', 'config', { callsPerMinute: 10_000_000 });
			const args = { actitoUrl: sb.actito.url, metaUrl: sb.meta.url, audienceId, stateFile };
			const phases = {};
			const phase = async (name, fn) => {
				log(`sync core ${members.toLocaleString('en')}: ${name}`);
				const before = await counters(sb);
				const out = await fn();
				out.sandbox = delta(before, await counters(sb));
				phases[name] = out;
				return out;
			};
			await phase('initial', () => worker('run', args));
			await phase('unchanged', () => worker('run', args));
			log(`sync core ${members.toLocaleString('en')}: applying 1% churn in Actito`);
			const churn = await worker('churn', { actitoUrl: sb.actito.url, stateFile, rate: 0.01, seed: 99, tableProfiles });
			await phase('churn', () => worker('run', args));
			await phase('unchangedAfterChurn', () => worker('run', args));
			results.push({ members, tableProfiles, churn, phases });
		} finally {
			await sb.close();
			fs.rmSync(dir, { recursive: true, force: true });
		}
	}
	return results;
}

module.exports = { runSyncCore };
