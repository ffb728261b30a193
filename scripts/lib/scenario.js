'use strict';
// One audience link end to end, shared by the demo, the end-to-end tests and the benchmarks:
// both sandboxes seeded, a real n8n with the packed package in its nodes folder, the two
// credentials pointing at the sandboxes, and a workflow generated from the bundled template.
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const http = require('node:http');

const { startMetaSandbox } = require('../../sandbox/meta');
const { startActitoSandbox } = require('../../sandbox/actito');
const { buildWorkflow, buildRealtimeWorkflow } = require('../../generator/actito-meta-workflow');
const { createN8nHost, packPackage } = require('./n8nHost');

const REPO = path.join(__dirname, '..', '..');
const AD_ACCOUNT = 'act_100000000000001';
const SEGMENTATION = 'Audiences:VIP';
const SCHEMA = ['EXTERN_ID', 'EMAIL', 'PHONE'];
/** The status page's Header Auth credential (imported into every host). */
const STATUS_HEADER = 'X-Status-Key';
const STATUS_KEY = 'sandbox-status-key-5b0f6c1e9a';
/** The node of the hourly template that holds the link and runs the sync. */
const SYNC_NODE = 'Sync';

/**
 * The templates use the node versions of n8n 2.41.1; n8n 1.123 knows the same nodes one minor
 * version earlier (Schedule Trigger 1.3, Edit Fields 3.4) with the parameters used here unchanged.
 */
const VERSIONS_1X = { 'n8n-nodes-base.scheduleTrigger': 1.3, 'n8n-nodes-base.set': 3.4 };
function fitToHost(workflow, host) {
	if (!host || host.major >= 2) return workflow;
	const copy = JSON.parse(JSON.stringify(workflow));
	for (const node of copy.nodes) if (VERSIONS_1X[node.type] && node.typeVersion > VERSIONS_1X[node.type]) node.typeVersion = VERSIONS_1X[node.type];
	return copy;
}

function core() {
	// The built pure core (npm run build): the same code the package ships.
	return require(path.join(REPO, 'dist', 'core'));
}

function control(baseUrl, method, route, body) {
	return new Promise((resolve, reject) => {
		const data = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
		const req = http.request(
			`${baseUrl}/__sandbox/${route.replace(/^\//, '')}`,
			{ method, headers: data ? { 'content-type': 'application/json', 'content-length': data.length } : {} },
			(res) => {
				const chunks = [];
				res.on('data', (c) => chunks.push(c));
				res.on('end', () => {
					const text = Buffer.concat(chunks).toString('utf8');
					if (res.statusCode >= 400) return reject(new Error(`${method} ${route}: ${res.statusCode} ${text.slice(0, 300)}`));
					try {
						resolve(text ? JSON.parse(text) : null);
					} catch {
						resolve(text);
					}
				});
			},
		);
		req.on('error', reject);
		if (data) req.write(data);
		req.end();
	});
}

async function startSandboxes() {
	const meta = await startMetaSandbox({ port: 0 });
	const actito = await startActitoSandbox({ port: 0, allowLoopbackWebhooks: true });
	return { meta, actito, close: () => Promise.allSettled([meta.close(), actito.close()]) };
}

async function seedScenario({ meta, actito }, { profiles = 20000, members = 5000, seed = 42, audienceName = 'VIP customers' } = {}) {
	await control(actito.url, 'POST', 'seed', {
		entity: 'acme',
		table: { id: '16', name: 'Customers' },
		profiles,
		seed,
		segmentations: [{ category: 'Audiences', name: 'VIP', members }],
		consent: { true: 0.7, false: 0.2, absent: 0.1 },
	});
	const seeded = await control(meta.url, 'POST', 'seed', {
		audiences: [{ adAccountId: AD_ACCOUNT, name: audienceName, subtype: 'CUSTOM' }],
	});
	const audience = seeded.audiences[0];
	return { audienceId: String(typeof audience === 'object' ? audience.id : audience) };
}

/** What Meta should hold, computed from Actito's raw profiles by the rules of docs/DESIGN.md. */
async function wantedRows(actitoUrl, { defaultCountry = 'BE', unknownConsent = 'allow' } = {}) {
	const { buildMetaRow, parseConsent } = core();
	const { profiles } = await control(actitoUrl, 'GET', 'profiles');
	const rows = [];
	for (const p of profiles) {
		if (p.deleted || !(p.segments || []).includes(SEGMENTATION)) continue;
		const a = p.attributes || {};
		const consent = parseConsent(a.marketingConsent);
		if (consent === false || (consent === null && unknownConsent === 'block')) continue;
		const built = buildMetaRow(
			SCHEMA,
			{ EXTERN_ID: String(p.profileId), EMAIL: a.emailAddress, PHONE: a.gsmNumber },
			{ defaultCountry, country: typeof a.country === 'string' ? a.country : undefined },
		);
		if (built.hasMatchKey) rows.push(built.row);
	}
	return rows;
}

async function metaMembers(metaUrl, audienceId) {
	return control(metaUrl, 'GET', `audiences/${audienceId}/members`);
}

function sortRows(rows) {
	return rows.map((r) => r.join('|')).sort();
}

/** Upload calls the Meta sandbox logged since the last clear. */
async function metaUploads(metaUrl) {
	const { requests } = await control(metaUrl, 'GET', 'requests');
	return requests.filter((r) => r.operation && ['add', 'remove', 'replace'].includes(r.operation));
}

const CREDENTIALS = (meta, actito) => [
	{
		id: 'actitoSandbox001',
		name: 'Actito (sandbox)',
		type: 'actitoApi',
		data: { apiKey: 'sandbox-actito-key', environment: 'custom', baseUrl: actito.url, entity: 'acme' },
	},
	{
		id: 'metaSandbox00001',
		name: 'Meta (sandbox)',
		type: 'metaMarketingApi',
		data: { accessToken: 'sandbox-meta-token', appSecret: '', apiVersion: 'v26.0', baseUrl: meta.url },
	},
	{ id: 'statusAuth000001', name: 'Status page', type: 'httpHeaderAuth', data: { name: STATUS_HEADER, value: STATUS_KEY } },
];

/** The generator's options for the scenario's link. */
function linkOptions(audienceId, defaultCountry, overrides = {}) {
	return {
		table: 'Customers',
		segmentation: SEGMENTATION,
		'ad-account': AD_ACCOUNT,
		audience: audienceId,
		'actito-credential': 'actitoSandbox001',
		'actito-credential-name': 'Actito (sandbox)',
		'meta-credential': 'metaSandbox00001',
		'meta-credential-name': 'Meta (sandbox)',
		'status-credential': 'statusAuth000001',
		'status-credential-name': 'Status page',
		entity: 'acme',
		'default-country': defaultCountry,
		...overrides,
	};
}

async function setupN8n({ meta, actito }, { audienceId, defaultCountry = 'BE', workflowOverrides = {}, hostOptions = {}, host: given } = {}) {
	let host = given;
	if (!host) {
		const packDir = fs.mkdtempSync(path.join(os.tmpdir(), 'actito-meta-pack-'));
		const tarball = packPackage(REPO, packDir);
		host = await createN8nHost(hostOptions);
		host.installPackage(tarball);
		fs.rmSync(packDir, { recursive: true, force: true });
		await host.importCredentials(CREDENTIALS(meta, actito));
	}
	const workflow = fitToHost(buildWorkflow(linkOptions(audienceId, defaultCountry, workflowOverrides)), host);
	await host.importWorkflow(workflow);
	return { host, workflow };
}

/** The near-real-time companion of the same link, imported into the same host. */
async function setupRealtime(host, { audienceId, defaultCountry = 'BE', workflowOverrides = {} } = {}) {
	const workflow = fitToHost(buildRealtimeWorkflow(linkOptions(audienceId, defaultCountry, workflowOverrides)), host);
	await host.importWorkflow(workflow);
	return workflow;
}

/** GET of the status page, authenticated as the template asks (header auth). */
async function fetchStatus(host, workflowId, { key = STATUS_KEY } = {}) {
	const headers = key === null ? {} : { [STATUS_HEADER]: key };
	return fetch(host.webhookUrl(`actito-meta-status/${workflowId}`), { headers });
}

/** The items of one output of a node in an `n8n execute` result, or null when it did not run. */
function nodeOutput(result, nodeName, outputIndex = 0) {
	const runs = result && result.data && result.data.resultData && result.data.resultData.runData;
	const run = runs && runs[nodeName] && runs[nodeName][0];
	const items = run && run.data && run.data.main && run.data.main[outputIndex];
	return items ? items.map((i) => i.json) : null;
}

/** A failed `n8n execute` in one line: the error's message and description, or stderr. */
function describeRunError(run) {
	const e = runError(run && run.result);
	if (!e) return `exit ${run && run.exitCode}; stderr: ${String((run && run.stderr) || '').slice(-400)}; stdout: ${String((run && run.stdout) || '').slice(-400)}`;
	return `${e.message}${e.description ? ` — ${e.description}` : ''}`.slice(0, 800);
}

function runError(result) {
	return (result && result.data && result.data.resultData && result.data.resultData.error) || null;
}

module.exports = {
	REPO,
	AD_ACCOUNT,
	SEGMENTATION,
	SCHEMA,
	SYNC_NODE,
	STATUS_HEADER,
	STATUS_KEY,
	fitToHost,
	linkOptions,
	setupRealtime,
	fetchStatus,
	control,
	startSandboxes,
	seedScenario,
	wantedRows,
	metaMembers,
	metaUploads,
	sortRows,
	setupN8n,
	nodeOutput,
	runError,
	describeRunError,
};
