'use strict';
// Benchmark 3, one hourly run in a fresh process (as `n8n execute` runs one): the streaming sync
// step of the hourly template (`runSync`, core/sync/run.ts, what the Sync node calls) in-process
// against the sandboxes, with the state read from and written to a JSON file that stands for the
// workflow's static data.
//
//   node bench/lib/syncCoreWorker.js run   '<json: {actitoUrl, metaUrl, audienceId, stateFile}>'
//   node bench/lib/syncCoreWorker.js churn '<json: {actitoUrl, stateFile, rate, seed}>'
// Prints one JSON line on stdout.
const fs = require('node:fs');
const core = require('./core');
const { createTransport, sleep } = require('./transport');
const { createRandom, peakRssBytes } = require('./util');
const { control, AD_ACCOUNT } = require('../../scripts/lib/scenario');

const REF = { entity: 'acme', table: '16', segmentation: 'Audiences:VIP' };
const SCHEMA = ['EXTERN_ID', 'EMAIL', 'PHONE'];
const FIELDS = { EXTERN_ID: 'profileId', EMAIL: 'emailAddress', PHONE: 'gsmNumber' };
const DEFAULT_COUNTRY = 'BE';
const UNKNOWN_CONSENT = 'allow';

// Sampled resident memory, on top of the kernel's high-water mark.
let sampledPeak = 0;
function sample() {
	const rss = process.memoryUsage().rss;
	if (rss > sampledPeak) sampledPeak = rss;
}

function readBucket(file) {
	if (!fs.existsSync(file)) return {};
	return JSON.parse(fs.readFileSync(file, 'utf8')).global || {};
}

async function run({ actitoUrl, metaUrl, audienceId, stateFile }) {
	const timer = setInterval(sample, 25);
	const rssAtStart = process.memoryUsage().rss;
	const started = process.hrtime.bigint();
	const transport = createTransport();
	const bucket = readBucket(stateFile);
	sample();

	// Generous limits for a benchmark against the local sandbox (the node default is 60 a minute,
	// Actito's licence 100): what is measured is the core, not the licence's minute budget.
	const actito = new core.ActitoClient({
		credentials: { apiKey: 'sandbox-actito-key', baseUrl: actitoUrl, entity: REF.entity },
		transport,
		sleep,
		callsPerMinute: 100000,
	});
	const meta = new core.MetaClient({
		credentials: { accessToken: 'sandbox-meta-token', apiVersion: 'v26.0', baseUrl: metaUrl },
		transport,
		sleep,
	});
	const config = core.buildLinkConfig({
		actito: { entity: REF.entity, table: REF.table, segmentation: REF.segmentation },
		meta: { adAccountId: AD_ACCOUNT, audienceId },
		identifiers: SCHEMA.map((key) => ({ key, field: FIELDS[key] })),
		defaultCountry: DEFAULT_COUNTRY,
		consent: { source: 'attribute', attribute: 'marketingConsent', unknown: UNKNOWN_CONSENT },
		fullReconcileEveryHours: 24,
		// The sandbox stamps every seeded profile within the last N milliseconds before the first
		// run: a 5-minute overlap would re-read the whole seeded table as "changed".
		limits: { callsPerMinute: 100, overlapMinutes: 0, pageSize: 1000 },
	});
	// The Sync step's own client keeps to the config's calls a minute; this one is the benchmark's.
	const outcome = await core.runSync({ config, actito: new core.ActitoApi(actito), meta, bucket });
	sample();
	if (outcome.error) throw outcome.error;
	const d = outcome.details;
	fs.writeFileSync(stateFile, JSON.stringify({ global: bucket }));
	const wallMs = Number(process.hrtime.bigint() - started) / 1e6;
	sample();
	clearInterval(timer);
	const sent = { add: d.sent.add + d.sent.replace, remove: d.sent.remove };
	return {
		mode: d.mode,
		uploadMode: d.replace ? 'replace' : 'sync',
		wallMs,
		rssAtStartBytes: rssAtStart,
		peakRssSampledBytes: sampledPeak,
		peakRssBytes: peakRssBytes(),
		pagesRead: d.pagesRead,
		profilesRead: d.profilesRead,
		refusedForConsent: d.refusedForConsent,
		invalid: d.invalid,
		sent,
		status: d.status,
		minimumUploadCalls: core.minimumUploadCalls(sent.add, sent.remove),
		actitoCalls: actito.stats.requests,
		actitoTokenFetches: actito.stats.tokenFetches,
		metaCalls: meta.stats.requests,
		metaUploadCalls: meta.stats.uploadCalls,
		memberCount: d.memberCount,
		stateBytes: fs.statSync(stateFile).size,
	};
}

/**
 * 1% churn of the audience between two hourly runs: 0.4% of the members leave the segment,
 * 0.4% of the table's other profiles join it (with consent), 0.2% of the members change phone
 * number. (Not e-mail: the sandbox checks a unique attribute by scanning the whole table, which
 * takes minutes for thousands of changes in a million profiles.)
 */
async function churn({ actitoUrl, stateFile, rate = 0.01, seed = 99, tableProfiles }) {
	const bucket = readBucket(stateFile);
	const key = Object.keys(bucket).find((k) => k.startsWith('actitoMeta:'));
	if (!key) throw new Error(`no sync state in ${stateFile}`);
	const open = core.readState(bucket, bucket[key].link);
	const random = createRandom(seed);
	const memberIds = [...open.members.keys()];
	const total = Math.round(memberIds.length * rate);
	const leave = Math.round(total * 0.4);
	const phoneChange = Math.round(total * 0.2);
	const join = total - leave - phoneChange;
	const chosen = new Set();
	const pickMember = () => {
		for (;;) {
			const id = memberIds[Math.floor(random() * memberIds.length)];
			if (!chosen.has(id)) {
				chosen.add(id);
				return id;
			}
		}
	};
	const changes = [];
	for (let i = 0; i < leave; i++) changes.push({ profileId: String(pickMember()), leave: [REF.segmentation] });
	for (let i = 0; i < phoneChange; i++) {
		const id = pickMember();
		changes.push({ profileId: String(id), attributes: { gsmNumber: `+32 49${String(id % 10_000_000).padStart(7, '0')}` } });
	}
	const firstId = 1001;
	let joined = 0;
	while (joined < join) {
		const id = firstId + Math.floor(random() * tableProfiles);
		if (open.members.has(id) || chosen.has(id)) continue;
		chosen.add(id);
		joined++;
		changes.push({ profileId: String(id), join: [REF.segmentation], attributes: { marketingConsent: true } });
	}
	for (let i = 0; i < changes.length; i += 5000) {
		await control(actitoUrl, 'POST', 'profiles/changes', changes.slice(i, i + 5000));
	}
	return { members: memberIds.length, changed: changes.length, leave, join, phoneChange };
}

async function main() {
	const [phase, json] = process.argv.slice(2);
	const args = JSON.parse(json);
	const out = phase === 'run' ? await run(args) : phase === 'churn' ? await churn(args) : null;
	if (!out) throw new Error(`unknown phase ${phase}`);
	process.stdout.write(JSON.stringify(out) + '\n');
	// Keep-alive sockets would hold the process open.
	process.exit(0);
}

main().catch((error) => {
	process.stderr.write(`syncCoreWorker: ${error.stack || error}\n`);
	process.exit(1);
});
