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
const { buildWorkflow } = require('../../generator/actito-meta-workflow');
const { createN8nHost, packPackage } = require('./n8nHost');

const REPO = path.join(__dirname, '..', '..');
const AD_ACCOUNT = 'act_100000000000001';
const SEGMENTATION = 'Audiences:VIP';
const SCHEMA = ['EXTERN_ID', 'EMAIL', 'PHONE'];

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

async function setupN8n({ meta, actito }, { audienceId, defaultCountry = 'BE', workflowOverrides = {}, hostOptions = {} } = {}) {
	const packDir = fs.mkdtempSync(path.join(os.tmpdir(), 'actito-meta-pack-'));
	const tarball = packPackage(REPO, packDir);
	const host = await createN8nHost(hostOptions);
	host.installPackage(tarball);
	fs.rmSync(packDir, { recursive: true, force: true });
	await host.importCredentials([
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
	]);
	const workflow = buildWorkflow({
		table: 'Customers',
		segmentation: SEGMENTATION,
		'ad-account': AD_ACCOUNT,
		audience: audienceId,
		'actito-credential': 'actitoSandbox001',
		'actito-credential-name': 'Actito (sandbox)',
		'meta-credential': 'metaSandbox00001',
		'meta-credential-name': 'Meta (sandbox)',
		entity: 'acme',
		'default-country': defaultCountry,
		...workflowOverrides,
	});
	await host.importWorkflow(workflow);
	return { host, workflow };
}

/** The Sync Members summary item of an `n8n execute` result, or null when it did not run. */
function nodeOutput(result, nodeName) {
	const runs = result && result.data && result.data.resultData && result.data.resultData.runData;
	const run = runs && runs[nodeName] && runs[nodeName][0];
	const items = run && run.data && run.data.main && run.data.main[0];
	return items ? items.map((i) => i.json) : null;
}

function runError(result) {
	return (result && result.data && result.data.resultData && result.data.resultData.error) || null;
}

module.exports = {
	REPO,
	AD_ACCOUNT,
	SEGMENTATION,
	SCHEMA,
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
};
