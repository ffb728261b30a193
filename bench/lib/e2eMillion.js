'use strict';
// Benchmark 5: the first sync of a large audience (1,000,000 members in full mode) in ONE run of
// the hourly template, in a running n8n (`n8n start`), fired by the template's own Every Hour
// trigger, with the Actito licence kept (the sandbox's 100 calls a minute and 5 in flight, the
// Sync step at its highest setting of 100 calls a minute). Samples the resident memory of n8n's
// whole process group (main and task runner) from /proc: idle after start, then through the run.
const scenario = require('../../scripts/lib/scenario');
const { groupRss } = require('./procRss');
const { startSandboxProcess } = require('./sandboxProcess');
const { counters, hostNodeVersion } = require('./e2e');
const { log } = require('./util');

const SAMPLE_MS = 250;

/** n8n's sqlite timestamps are UTC without a zone ('2026-12-01 13:05:00.123'). */
function parseDbTime(value) {
	if (value === null || value === undefined) return null;
	if (typeof value === 'number') return value;
	const text = String(value);
	return Date.parse(/[zZ]|[+-]\d\d:?\d\d$/.test(text) ? text : `${text.replace(' ', 'T')}Z`);
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

async function executionsOf(host, workflowId) {
	return host.query('SELECT id, status, mode, startedAt, stoppedAt FROM execution_entity WHERE workflowId = ? ORDER BY id', [workflowId]);
}

async function runE2eMillion({ members, profilesPerMember = 1.25, callsPerMinute = 100 }) {
	const sb = await startSandboxProcess();
	let host;
	let timer = null;
	try {
		const tableProfiles = Math.round(members * profilesPerMember);
		log(`e2e-1m: seeding ${tableProfiles.toLocaleString('en')} Actito profiles, ${members.toLocaleString('en')} in the audience`);
		const { audienceId } = await scenario.seedScenario(sb, { profiles: tableProfiles, members, seed: 42 });
		// The sandbox keeps its licence as Actito does: 100 calls a minute (then slowed down), 5 in
		// flight (the 6th refused). Nothing is raised here.
		log('e2e-1m: setting up n8n (pack, install, credentials, template)');
		let workflow;
		({ host, workflow } = await scenario.setupN8n(sb, { audienceId, defaultCountry: 'BE' }));
		const template = JSON.parse(JSON.stringify(workflow));
		const sync = template.nodes.find((n) => n.name === scenario.SYNC_NODE);
		// The licence's whole 100 calls a minute (the node's highest setting; default 60). Page size
		// stays at the node's default and maximum, 1,000 profiles; no other limit is changed.
		sync.parameters.limits = { ...sync.parameters.limits, callsPerMinute };
		const pageSize = sync.parameters.limits.pageSize || 1000;
		// The sync minute, as the generator's --minute sets it: the next whole minute at least
		// `margin` away, so that n8n has started and idled before its Every Hour trigger fires. On a
		// loaded machine the start can take longer: then n8n is stopped and the next minute tried.
		const everyHour = template.nodes.find((n) => n.name === 'Every Hour');
		await scenario.control(sb.meta.url, 'POST', 'requests/clear');
		const before = await counters(sb);
		let fireAt;
		let t0;
		let readyAt;
		let attempts = 0;
		for (let attempt = 1, margin = 150_000; ; attempt++, margin += 90_000) {
			attempts = attempt;
			fireAt = Math.ceil((Date.now() + margin) / 60_000) * 60_000;
			everyHour.parameters.rule.interval[0].triggerAtMinute = new Date(fireAt).getUTCMinutes();
			await host.importWorkflow(template);
			await host.activate(template.id);
			log(`e2e-1m: starting n8n ${host.version}; the Every Hour trigger fires at ${new Date(fireAt).toISOString()}`);
			t0 = Date.now();
			await host.start({ timeoutMs: margin + 60_000 });
			readyAt = Date.now();
			log(`e2e-1m: n8n ready ${((readyAt - t0) / 1000).toFixed(0)} s after start`);
			if (readyAt < fireAt - 20_000) break;
			if ((await executionsOf(host, template.id)).length) throw new Error('the run started before n8n was ready');
			if (attempt >= 3) throw new Error(`n8n got ready too late for the trigger three times (start to ready ${readyAt - t0} ms)`);
			log(`e2e-1m: n8n got ready ${((readyAt - t0) / 1000).toFixed(0)} s after start, too close to the trigger: again, later`);
			await host.stop();
		}
		const samples = [];
		const pgrp = host.server.pid;
		const sample = () => samples.push({ t: Date.now(), rss: groupRss(pgrp) });
		sample();
		timer = setInterval(sample, SAMPLE_MS);

		let execution = null;
		const deadline = fireAt + 90 * 60_000;
		for (;;) {
			await sleep(5000);
			const rows = await executionsOf(host, template.id);
			const done = rows.find((r) => r.stoppedAt && r.status !== 'running' && r.status !== 'new');
			if (done) {
				execution = done;
				break;
			}
			if (Date.now() > deadline) throw new Error('the scheduled run did not finish within 90 minutes');
			if (rows.length && samples.length % 240 === 0) log(`e2e-1m: running (${rows.length} execution row(s), status ${rows[rows.length - 1].status})`);
		}
		await sleep(2000);
		clearInterval(timer);
		timer = null;
		const after = await counters(sb);
		const startedAt = parseDbTime(execution.startedAt);
		const stoppedAt = parseDbTime(execution.stoppedAt);
		const idleSamples = samples.filter((s) => s.t < startedAt);
		const runSamples = samples.filter((s) => s.t >= startedAt && s.t <= stoppedAt + 1000);
		const idleRss = idleSamples.length ? idleSamples[idleSamples.length - 1].rss : null;
		const peak = runSamples.reduce((m, s) => Math.max(m, s.rss), 0);
		const peakSample = runSamples.find((s) => s.rss === peak);

		// Upload time: what the Meta sandbox logged for each upload call, from the request's
		// arrival to its answer (body read included), summed; the sandbox runs in its own process.
		const { requests } = await scenario.control(sb.meta.url, 'GET', 'requests');
		const uploads = requests.filter((r) => ['add', 'remove', 'replace'].includes(r.operation));
		const uploadMs = uploads.reduce((a, r) => a + (r.durationMs || 0), 0);
		const metaMs = requests.reduce((a, r) => a + (r.durationMs || 0), 0);
		const firstUpload = uploads.length ? Date.parse(uploads[0].time) - uploads[0].durationMs : null;
		const lastUpload = uploads.length ? Date.parse(uploads[uploads.length - 1].time) : null;

		const stored = await host.readStaticData(template.id);
		const key = Object.keys((stored && stored.global) || {}).find((k) => k.startsWith('actitoMeta:'));
		const state = key ? stored.global[key] : null;
		const lastRun = state && state.runs && state.runs[state.runs.length - 1];
		const stopResult = await host.stop();
		log(`e2e-1m: run ${execution.status} in ${((stoppedAt - startedAt) / 1000).toFixed(0)} s; checking the Meta audience`);
		let check;
		try {
			const wanted = await scenario.wantedRows(sb.actito.url, { defaultCountry: 'BE' });
			const have = await scenario.metaMembers(sb.meta.url, audienceId);
			const haveSet = new Set(have.rows.map((r) => r.join('|')));
			let missing = 0;
			for (const row of wanted) if (!haveSet.delete(row.join('|'))) missing++;
			check = { rows: have.rows.length, wanted: wanted.length, missing, extra: haveSet.size, exact: missing === 0 && haveSet.size === 0 };
		} catch (error) {
			log(`e2e-1m: the check failed: ${error.message}`);
			check = { error: String(error.message).slice(0, 300) };
		}
		const actitoCalls = after.actito.requests - before.actito.requests;
		const pages = Math.ceil(members / pageSize);
		return {
			members,
			tableProfiles,
			n8nVersion: `n8n ${host.version}`,
			nodeVersion: hostNodeVersion(host),
			callsPerMinute,
			pageSize,
			pages,
			floorMs: (pages / callsPerMinute) * 60_000,
			startToReadyMs: readyAt - t0,
			startAttempts: attempts,
			idleWindowMs: idleSamples.length ? startedAt - readyAt : 0,
			idleRssBytes: idleRss,
			idleRange: idleSamples.length ? [Math.min(...idleSamples.map((s) => s.rss)), Math.max(...idleSamples.map((s) => s.rss))] : null,
			peakRssBytes: peak,
			peakAtMs: peakSample ? peakSample.t - startedAt : null,
			hostPeakRssBytes: host.peakRssBytes,
			samples: samples.length,
			execution: { id: execution.id, status: execution.status, mode: execution.mode, startedAt: new Date(startedAt).toISOString(), stoppedAt: new Date(stoppedAt).toISOString() },
			executionMs: stoppedAt - startedAt,
			lastRun: lastRun ? { status: lastRun.status, mode: lastRun.mode, added: lastRun.added, removed: lastRun.removed, error: lastRun.error } : null,
			stateBytes: stored ? Buffer.byteLength(JSON.stringify(stored)) : 0,
			memberCount: state ? state.memberCount : null,
			actitoCalls,
			actitoSlowed: (after.actito.slowed || 0) - (before.actito.slowed || 0),
			actitoRefused429: ((after.actito.byStatus || {})['429'] || 0) - ((before.actito.byStatus || {})['429'] || 0),
			maxInFlightSeen: after.actito.maxInFlightSeen,
			metaCalls: after.meta.requests - before.meta.requests,
			metaUploadCalls: uploads.length,
			rowsAdded: after.meta.rows.add - before.meta.rows.add,
			uploadMs,
			metaMs,
			uploadSpanMs: firstUpload === null ? null : lastUpload - firstUpload,
			check,
			stop: stopResult,
		};
	} finally {
		if (timer) clearInterval(timer);
		if (host) await host.dispose();
		await sb.close();
	}
}

module.exports = { runE2eMillion, parseDbTime };
