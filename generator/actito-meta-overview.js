'use strict';
// Builds the overview workflow of one integration (templates/actito-meta-overview.json): one
// page listing every audience link, from each link's status page. Used by
// generator/actito-meta-workflow.js --overview.
const crypto = require('node:crypto');
const fs = require('node:fs');
const path = require('node:path');

const OVERVIEW_TEMPLATE = path.join(__dirname, '..', 'templates', 'actito-meta-overview.json');

/**
 * `--overview` takes the links as `Name=workflowId` pairs or hourly workflow files, comma-separated:
 * "VIP customers=am1a2b…,Newsletter=am3c4d…" or "vip.json,newsletter.json".
 */
function parseLinks(value) {
	const links = [];
	for (const part of String(value || '').split(',').map((s) => s.trim()).filter(Boolean)) {
		if (part.endsWith('.json') && fs.existsSync(part)) {
			const wf = JSON.parse(fs.readFileSync(part, 'utf8'));
			const sync = (wf.nodes || []).find((n) => n.name === 'Sync');
			const seg = sync && sync.parameters && sync.parameters.segmentation && sync.parameters.segmentation.value;
			links.push({ name: String(seg || wf.name || wf.id), workflowId: String(wf.id) });
			continue;
		}
		const eq = part.lastIndexOf('=');
		if (eq <= 0) throw new Error(`--overview: "${part}" is neither Name=workflowId nor a workflow file`);
		links.push({ name: part.slice(0, eq).trim(), workflowId: part.slice(eq + 1).trim() });
	}
	if (links.length === 0) throw new Error('--overview needs at least one link (Name=workflowId, comma-separated)');
	for (const l of links) if (!/^[A-Za-z0-9]{1,16}$/.test(l.workflowId)) throw new Error(`--overview: "${l.workflowId}" is not a workflow id`);
	return links;
}

function buildOverviewWorkflow(options) {
	const links = Array.isArray(options.links) ? options.links : parseLinks(options.overview);
	// Loopback: the overview asks the pages of the same n8n (N8N_PORT), never a public address.
	const base = String(options['n8n-url'] || 'http://127.0.0.1:5678').replace(/\/+$/, '');
	const id = options.id || 'am' + crypto.randomBytes(7).toString('hex');
	if (!/^[A-Za-z0-9]{1,16}$/.test(id)) throw new Error('--id must be at most 16 letters and digits');
	const workflow = JSON.parse(fs.readFileSync(OVERVIEW_TEMPLATE, 'utf8'));
	workflow.id = id;
	if (options.name) workflow.name = options.name;
	const statusCredential = options['status-credential']
		? { httpHeaderAuth: { id: String(options['status-credential']), name: options['status-credential-name'] || 'Actito-Meta status page' } }
		: null;
	for (const node of workflow.nodes) {
		const p = node.parameters;
		if (node.name === 'Overview') {
			p.path = `actito-meta-overview/${id}`;
			node.webhookId = crypto.randomUUID();
			if (statusCredential) node.credentials = statusCredential;
		} else if (node.name === 'Get Link Status') {
			if (statusCredential) node.credentials = statusCredential;
		} else if (node.name === 'Links') {
			const rows = links.map((l) => ({
				name: l.name,
				url: `${base}/webhook/actito-meta-status/${l.workflowId}`,
				// Relative to the overview's own address (…/webhook/actito-meta-overview/<id>): works behind a proxy.
				href: `../actito-meta-status/${l.workflowId}`,
			}));
			p.jsonOutput = JSON.stringify({ links: rows }, null, 2);
		} else if (node.name === 'Overview Page' && options['actito-credential']) {
			node.credentials = { actitoApi: { id: String(options['actito-credential']), name: options['actito-credential-name'] || 'Actito API' } };
		}
	}
	return workflow;
}

module.exports = { buildOverviewWorkflow, parseLinks, OVERVIEW_TEMPLATE };
