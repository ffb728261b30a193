#!/usr/bin/env node
'use strict';
// Writes a ready hourly-sync workflow for one audience link, from the bundled template:
//   npx actito-meta-workflow --table Customers --segmentation Audiences:VIP \
//     --ad-account act_123 --audience 2385… --actito-credential <id> --meta-credential <id> [--out file]
// One file per audience. The workflow id is at most 16 characters (n8n silently drops the
// static data of longer ids) and the file has no `staticData` key, so that re-importing an
// updated workflow keeps the audience's sync state.
const crypto = require('node:crypto');
const fs = require('node:fs');
const path = require('node:path');

const TEMPLATE = path.join(__dirname, '..', 'templates', 'actito-meta-hourly-sync.json');

const OPTIONS = {
	table: { required: true, help: 'Actito profile table (name or id), e.g. Customers' },
	segmentation: { required: true, help: 'Actito audience as Category:Name, e.g. Audiences:VIP' },
	'ad-account': { required: true, help: 'Meta ad account, e.g. act_1234567890' },
	audience: { required: true, help: 'Meta customer-list audience id' },
	'actito-credential': { required: true, help: 'id of the Actito API credential in n8n' },
	'actito-credential-name': { help: 'its name (default: Actito API)' },
	'meta-credential': { required: true, help: 'id of the Meta Marketing API credential in n8n' },
	'meta-credential-name': { help: 'its name (default: Meta Marketing API)' },
	name: { help: 'workflow name (default: "Actito <segmentation> → Meta <audience>")' },
	entity: { help: 'Actito entity, only to name the link in the workflow id (default: the credential’s)' },
	'activated-at': { help: 'ISO moment of activation; its minute becomes the sync minute (default: now)' },
	minute: { help: 'sync minute 0-59 (overrides --activated-at)' },
	'default-country': { help: 'ISO code for national phone numbers, e.g. BE' },
	'unknown-consent': { help: 'allow (default) or block' },
	'full-reconcile-hours': { help: 'hours between full reconciles (default 24)' },
	id: { help: 'workflow id, at most 16 characters (default: derived from the link)' },
	out: { help: 'output file (default: standard output)' },
};

function parseArgs(argv) {
	const args = {};
	for (let i = 0; i < argv.length; i++) {
		const arg = argv[i];
		if (arg === '--help' || arg === '-h') return { help: true };
		if (!arg.startsWith('--')) throw new Error(`unexpected argument "${arg}"`);
		const [key, inline] = arg.slice(2).split(/=(.*)/s);
		if (!(key in OPTIONS)) throw new Error(`unknown option --${key}`);
		const value = inline !== undefined ? inline : argv[++i];
		if (value === undefined) throw new Error(`--${key} needs a value`);
		args[key] = value;
	}
	return args;
}

function usage() {
	const lines = Object.entries(OPTIONS).map(
		([k, o]) => `  --${k.padEnd(24)} ${o.help}${o.required ? ' (required)' : ''}`,
	);
	return `usage: actito-meta-workflow [options]\n${lines.join('\n')}\n`;
}

function locator(value) {
	return { __rl: true, mode: 'id', value: String(value) };
}

/** Builds the workflow object; pure, for tests and scripts. */
function buildWorkflow(options) {
	for (const [key, spec] of Object.entries(OPTIONS)) {
		if (spec.required && !options[key]) throw new Error(`--${key} is required`);
	}
	if (!/^[^:]+:.+$/.test(options.segmentation)) throw new Error('--segmentation must be Category:Name');
	const adAccount = String(options['ad-account']).replace(/^(act_)?/, 'act_');
	if (!/^act_\d+$/.test(adAccount)) throw new Error('--ad-account must be digits, optionally after act_');
	if (!/^\d+$/.test(String(options.audience))) throw new Error('--audience must be the numeric audience id');
	let minute;
	if (options.minute !== undefined) {
		minute = Number(options.minute);
		if (!Number.isInteger(minute) || minute < 0 || minute > 59) throw new Error('--minute must be 0-59');
	} else {
		const activated = options['activated-at'] ? new Date(options['activated-at']) : new Date();
		if (Number.isNaN(activated.getTime())) throw new Error('--activated-at is not a date');
		minute = activated.getUTCMinutes();
	}
	const unknownConsent = options['unknown-consent'] || 'allow';
	if (!['allow', 'block'].includes(unknownConsent)) throw new Error('--unknown-consent must be allow or block');
	const defaultCountry = (options['default-country'] || '').toUpperCase();
	if (defaultCountry && !/^[A-Z]{2}$/.test(defaultCountry)) throw new Error('--default-country must be an ISO alpha-2 code');
	const fullHours = options['full-reconcile-hours'] !== undefined ? Number(options['full-reconcile-hours']) : 24;

	const linkName = `${options.entity || ''}/${options.table}/${options.segmentation}→${options.audience}`;
	const id = options.id || 'am' + crypto.createHash('sha256').update(linkName).digest('hex').slice(0, 14);
	if (id.length > 16) throw new Error('--id must be at most 16 characters (n8n drops static data of longer ids)');

	const workflow = JSON.parse(fs.readFileSync(TEMPLATE, 'utf8'));
	delete workflow.staticData;
	workflow.id = id;
	workflow.name = options.name || `Actito ${options.segmentation} → Meta ${options.audience}`;
	const actitoCredential = {
		actitoApi: { id: String(options['actito-credential']), name: options['actito-credential-name'] || 'Actito API' },
	};
	const metaCredential = {
		metaMarketingApi: {
			id: String(options['meta-credential']),
			name: options['meta-credential-name'] || 'Meta Marketing API',
		},
	};
	for (const node of workflow.nodes) {
		const p = node.parameters;
		switch (node.name) {
			case 'Every Hour':
				p.rule.interval[0].triggerAtMinute = minute;
				break;
			case 'Get Changes':
				p.table = locator(options.table);
				p.segmentation = locator(options.segmentation);
				p.metaAudienceId = String(options.audience);
				p.syncOptions = { ...p.syncOptions, defaultCountry, unknownConsent, fullReconcileEveryHours: fullHours };
				// The Meta credential lets the planner notice uploads the state missed (recovery).
				node.credentials = { ...actitoCredential, ...metaCredential };
				break;
			case 'Consent Filter':
				p.unknownConsent = unknownConsent;
				break;
			case 'Hash Identifiers':
				p.defaultCountry = defaultCountry;
				break;
			case 'Sync Members':
			case 'Estimated Size':
				p.adAccount = locator(adAccount);
				p.audience = locator(options.audience);
				node.credentials = metaCredential;
				break;
			case 'Log Negative Consent':
				node.credentials = actitoCredential;
				break;
			case 'Status Page':
				// Webhook paths are global in an n8n instance: one per workflow.
				p.path = `actito-meta-status/${id}`;
				node.webhookId = `${id}-status`;
				break;
			case 'Get Status':
				p.table = locator(options.table);
				p.segmentation = locator(options.segmentation);
				p.metaAudienceId = String(options.audience);
				node.credentials = { ...actitoCredential, ...metaCredential };
				break;
			default:
				break;
		}
	}
	return workflow;
}

module.exports = { buildWorkflow, TEMPLATE };

if (require.main === module) {
	try {
		const args = parseArgs(process.argv.slice(2));
		if (args.help) {
			process.stdout.write(usage());
			process.exit(0);
		}
		const text = JSON.stringify(buildWorkflow(args), null, 2) + '\n';
		if (args.out) {
			fs.writeFileSync(args.out, text);
			process.stderr.write(`wrote ${args.out}\n`);
		} else process.stdout.write(text);
	} catch (error) {
		process.stderr.write(`actito-meta-workflow: ${error.message}\n\n${usage()}`);
		process.exit(2);
	}
}
