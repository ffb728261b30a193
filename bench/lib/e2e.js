'use strict';
// Benchmark 4: end to end in a real n8n (`n8n execute`, mode cli, as the tests run it): the
// bundled template (one streaming Sync step), the previous item-chain design
// (bench/item-chain-workflow.json) and bench/naive-workflow.json, on the same Actito data, each
// into its own Meta audience. Initial run, then a run after 1% churn, side by side.
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { execFile } = require('node:child_process');
const scenario = require('../../scripts/lib/scenario');
const { treeRss } = require('./procRss');
const { startSandboxProcess } = require('./sandboxProcess');
const { log } = require('./util');

const NAIVE_FILE = path.join(__dirname, '..', 'naive-workflow.json');
const NAIVE_ID = 'benchNaive000001';
const CHAIN_FILE = path.join(__dirname, '..', 'item-chain-workflow.json');
const CHAIN_ID = 'benchChain000001';

/**
 * The previous template design (Get Changes → Consent Filter → Hash Identifiers → Sync Members,
 * as templates/actito-meta-hourly-sync.json was before the Sync step), filled in for the
 * scenario's link the way the generator of that time did, with the same settings as the
 * template's Sync step: default country BE, unknown consent allowed, EXTERN_ID + EMAIL + PHONE.
 */
function itemChainWorkflow({ metaAudienceId }) {
	const text = fs
		.readFileSync(CHAIN_FILE, 'utf8')
		.replaceAll('__ACTITO_TABLE__', 'Customers')
		.replaceAll('__SEGMENTATION__', scenario.SEGMENTATION)
		.replaceAll('__META_AD_ACCOUNT__', scenario.AD_ACCOUNT)
		.replaceAll('__META_AUDIENCE_ID__', metaAudienceId)
		.replaceAll('__ACTITO_CREDENTIAL_ID__', 'actitoSandbox001')
		.replaceAll('__ACTITO_CREDENTIAL_NAME__', 'Actito (sandbox)')
		.replaceAll('__META_CREDENTIAL_ID__', 'metaSandbox00001')
		.replaceAll('__META_CREDENTIAL_NAME__', 'Meta (sandbox)');
	return { ...JSON.parse(text), id: CHAIN_ID };
}

/** The naive workflow with its placeholders filled in (as a user would type them in the editor). */
function naiveWorkflow({ actitoUrl, metaUrl, metaAudienceId }) {
	const text = fs
		.readFileSync(NAIVE_FILE, 'utf8')
		.replaceAll('__ACTITO_URL__', actitoUrl)
		.replaceAll('__ACTITO_API_KEY__', 'sandbox-actito-key')
		.replaceAll('__ACTITO_ENTITY__', 'acme')
		.replaceAll('__ACTITO_TABLE__', '16')
		.replaceAll('__SEGMENTATION__', scenario.SEGMENTATION)
		.replaceAll('__META_URL__', metaUrl)
		.replaceAll('__META_AUDIENCE_ID__', metaAudienceId)
		.replaceAll('__META_ACCESS_TOKEN__', 'sandbox-meta-token');
	return { ...JSON.parse(text), id: NAIVE_ID };
}

/**
 * Peak resident memory of the `n8n execute` process of one host and its children (2.x's task
 * runner for Code nodes), sampled from /proc.
 */
function sampleN8nRss(host) {
	let peak = 0;
	const sample = () => {
		const total = treeRss((pid) => {
			const cmd = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8');
			if (!cmd.includes(host.n8nBin) || !cmd.includes('execute')) return false;
			return fs.readFileSync(`/proc/${pid}/environ`, 'utf8').includes(`N8N_USER_FOLDER=${host.userFolder}\0`);
		});
		if (total > peak) peak = total;
	};
	const timer = setInterval(sample, 100);
	return () => {
		clearInterval(timer);
		return peak;
	};
}

async function counters(sb) {
	const [meta, actito] = await Promise.all([scenario.control(sb.meta.url, 'GET', 'counters'), scenario.control(sb.actito.url, 'GET', 'counters')]);
	return { meta, actito };
}

function executionMs(result) {
	const d = result && result.data;
	const start = result && (result.startedAt || (d && d.startedAt));
	const stop = result && (result.stoppedAt || (d && d.stoppedAt));
	if (start && stop) return Date.parse(stop) - Date.parse(start);
	// Fall back to the sum of the nodes' own times.
	const runData = d && d.resultData && d.resultData.runData;
	if (!runData) return null;
	let total = 0;
	for (const runs of Object.values(runData)) for (const r of runs) total += r.executionTime || 0;
	return total;
}

/** Each node's own time in the execution (n8n's `executionTime` summed over its runs), to see where a run spends it. */
function nodeMs(result) {
	const runData = result && result.data && result.data.resultData && result.data.resultData.runData;
	if (!runData) return null;
	const out = {};
	for (const [name, runs] of Object.entries(runData)) out[name] = runs.reduce((sum, r) => sum + (r.executionTime || 0), 0);
	return out;
}

async function execute(host, sb, workflowId, label) {
	log(`e2e: ${label}`);
	const before = await counters(sb);
	const stopSampling = sampleN8nRss(host);
	const run = await host.execute(workflowId, { timeoutMs: 30 * 60_000 });
	const peakRss = stopSampling();
	const after = await counters(sb);
	const error = run.exitCode !== 0 ? scenario.describeRunError(run) : undefined;
	if (error) log(`e2e: ${label} FAILED: ${error}`);
	const uploads = (c) => c.meta.uploads.add + c.meta.uploads.remove + c.meta.uploads.replace;
	return {
		exitCode: run.exitCode,
		error,
		wallMs: run.durationMs,
		executionMs: executionMs(run.result),
		nodeMs: nodeMs(run.result),
		peakRssBytes: peakRss,
		actitoCalls: after.actito.requests - before.actito.requests,
		metaCalls: after.meta.requests - before.meta.requests,
		metaUploadCalls: uploads(after) - uploads(before),
		rowsSent: {
			add: after.meta.rows.add - before.meta.rows.add,
			remove: after.meta.rows.remove - before.meta.rows.remove,
			replace: after.meta.rows.replace - before.meta.rows.replace,
		},
	};
}

function churnFromState(actitoUrl, staticData, tableProfiles) {
	const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-e2e-'));
	const stateFile = path.join(dir, 'static-data.json');
	fs.writeFileSync(stateFile, JSON.stringify(staticData));
	return new Promise((resolve, reject) => {
		execFile(
			process.execPath,
			[path.join(__dirname, 'syncCoreWorker.js'), 'churn', JSON.stringify({ actitoUrl, stateFile, rate: 0.01, seed: 77, tableProfiles })],
			(error, stdout, stderr) => {
				fs.rmSync(dir, { recursive: true, force: true });
				if (error) return reject(new Error(stderr || error.message));
				resolve(JSON.parse(stdout.trim().split('\n').pop()));
			},
		);
	});
}

async function metaCheck(sb, audienceId, wanted) {
	const members = await scenario.metaMembers(sb.meta.url, audienceId);
	const have = new Set(members.rows.map((r) => r.join('|')));
	let missing = 0;
	for (const row of wanted) if (!have.delete(row.join('|'))) missing++;
	return { rows: members.rows.length, wanted: wanted.length, missing, extra: have.size, exact: missing === 0 && have.size === 0 };
}

async function metaIdCheck(sb, audienceId, wanted) {
	// The naive rows are hashed its own way: compare by EXTERN_ID only.
	const members = await scenario.metaMembers(sb.meta.url, audienceId);
	const have = new Set(members.rows.map((r) => r[0]));
	const want = new Set(wanted.map((r) => r[0]));
	let missing = 0;
	for (const id of want) if (!have.delete(id)) missing++;
	return { rows: members.rows.length, wanted: want.size, missingIds: missing, extraIds: have.size };
}

async function seedAudience(sb, name) {
	const seeded = await scenario.control(sb.meta.url, 'POST', 'seed', {
		audiences: [{ adAccountId: scenario.AD_ACCOUNT, name, subtype: 'CUSTOM' }],
	});
	return String(typeof seeded.audiences[0] === 'object' ? seeded.audiences[0].id : seeded.audiences[0]);
}

async function stateOf(host, workflowId) {
	const staticData = await host.readStaticData(workflowId);
	const key = Object.keys((staticData && staticData.global) || {}).find((k) => k.startsWith('actitoMeta:'));
	return { staticData, key, bytes: key ? Buffer.byteLength(JSON.stringify(staticData)) : 0, state: key ? staticData.global[key] : null };
}

async function runE2e({ members, profilesPerMember = 1.25 }) {
	const sb = await startSandboxProcess();
	let host;
	try {
		const tableProfiles = Math.round(members * profilesPerMember);
		log(`e2e: seeding ${tableProfiles.toLocaleString('en')} Actito profiles, ${members.toLocaleString('en')} in the audience`);
		const { audienceId } = await scenario.seedScenario(sb, { profiles: tableProfiles, members, seed: 42 });
		const chainAudienceId = await seedAudience(sb, 'VIP customers (item chain)');
		const naiveAudienceId = await seedAudience(sb, 'VIP customers (naive)');
		// No licence slow-down in the sandbox: otherwise whichever workflow runs later pays for the
		// calls of the others. The package's Actito clients still keep to 100 calls a minute.
		await scenario.control(sb.actito.url, 'POST', 'config', { callsPerMinute: 10_000_000 });
		log('e2e: setting up n8n (pack, install, credentials, workflows)');
		let workflow;
		({ host, workflow } = await scenario.setupN8n(sb, {
			audienceId,
			defaultCountry: 'BE',
			hostOptions: { env: { NODE_FUNCTION_ALLOW_BUILTIN: 'crypto' } },
		}));
		const templateWorkflow = JSON.parse(JSON.stringify(workflow));
		const templateId = templateWorkflow.id;
		const sync = templateWorkflow.nodes.find((n) => n.name === scenario.SYNC_NODE);
		sync.parameters.limits = {
			...sync.parameters.limits,
			// The licence's whole 100 calls a minute (the node's highest setting; default 60).
			callsPerMinute: 100,
			// The sandbox stamps every seeded profile within the last few minutes: the default
			// 5-minute overlap would re-read the whole seeded table on the churn run.
			overlapMinutes: 0,
		};
		await host.importWorkflow(templateWorkflow);
		const chain = scenario.fitToHost(itemChainWorkflow({ metaAudienceId: chainAudienceId }), host);
		const getChanges = chain.nodes.find((n) => n.name === 'Get Changes');
		// The same settings as the Sync step's, and no per-run cap (the Sync step has none).
		getChanges.parameters.syncOptions = { ...getChanges.parameters.syncOptions, callsPerMinute: 100, overlapMinutes: 0, maxChanges: 10_000_000 };
		await host.importWorkflow(chain);
		await host.importWorkflow(naiveWorkflow({ actitoUrl: sb.actito.url, metaUrl: sb.meta.url, metaAudienceId: naiveAudienceId }));

		const runs = {};
		runs.templateInitial = await execute(host, sb, templateId, 'template, initial run');
		runs.chainInitial = await execute(host, sb, CHAIN_ID, 'item chain, initial run');
		runs.naiveInitial = await execute(host, sb, NAIVE_ID, 'naive workflow, initial run');
		const templateState = await stateOf(host, templateId);
		const chainState = await stateOf(host, CHAIN_ID);
		log('e2e: applying 1% churn in Actito');
		const churn = await churnFromState(sb.actito.url, templateState.staticData, tableProfiles);
		runs.templateChurn = await execute(host, sb, templateId, 'template, 1% churn run');
		runs.chainChurn = await execute(host, sb, CHAIN_ID, 'item chain, 1% churn run');
		runs.naiveChurn = await execute(host, sb, NAIVE_ID, 'naive workflow, 1% churn run');
		log('e2e: checking the three Meta audiences against what Actito wants');
		const wanted = await scenario.wantedRows(sb.actito.url, { defaultCountry: 'BE' });
		const templateCheck = await metaCheck(sb, audienceId, wanted);
		const chainCheck = await metaCheck(sb, chainAudienceId, wanted);
		const naiveCheck = await metaIdCheck(sb, naiveAudienceId, wanted);
		const finalState = await stateOf(host, templateId);
		return {
			members,
			tableProfiles,
			churn,
			runs,
			stateBytes: templateState.bytes,
			chainStateBytes: chainState.bytes,
			memberCount: finalState.state ? finalState.state.memberCount : null,
			templateCheck,
			chainCheck,
			naiveCheck,
			n8nVersion: `n8n ${host.version}`,
			nodeVersion: hostNodeVersion(host),
		};
	} finally {
		if (host) await host.dispose();
		await sb.close();
	}
}

function hostNodeVersion(host) {
	try {
		return require('node:child_process').execFileSync(host.nodeBin, ['--version'], { encoding: 'utf8' }).trim();
	} catch {
		return null;
	}
}

module.exports = { runE2e, naiveWorkflow, itemChainWorkflow, execute, counters, hostNodeVersion, sampleN8nRss };
