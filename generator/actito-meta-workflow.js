#!/usr/bin/env node
'use strict';
// Writes a ready workflow for one audience link from the bundled templates:
//   npx actito-meta-workflow --table Customers --segmentation Audiences:VIP \
//     --ad-account act_123 --audience 2385… --actito-credential <id> --meta-credential <id> \
//     --status-credential <id> [--realtime] [--out file]
// All links of one integration at once (sync minutes and full-reconcile hours spread, each link's
// share of the Actito licence written):
//   npx actito-meta-workflow --links links.json --out-dir <folder> --actito-credential <id> \
//     --meta-credential <id> --table Customers --ad-account act_123 [--workers 2 --concurrency 1] \
//     [--state-credential <id>]   (n8n 2.x queue mode: the link state is read through n8n's API)
// The hourly workflow holds the link's whole configuration in one node (Sync); --realtime writes
// the near-real-time companion from the same options, so that both hash the same rows.
// The workflow id is random (the status page's address is not guessable) and at most 16
// characters (n8n 1.x silently drops the static data of longer ids); pass --id to regenerate a
// workflow that exists (re-importing it then keeps its sync state: the file has no staticData key).
const crypto = require('node:crypto');
const fs = require('node:fs');
const path = require('node:path');

const TEMPLATES = path.join(__dirname, '..', 'templates');
const TEMPLATE = path.join(TEMPLATES, 'actito-meta-hourly-sync.json');
const REALTIME_TEMPLATE = path.join(TEMPLATES, 'actito-meta-realtime-push.json');

const OPTIONS = {
	table: { required: true, help: 'Actito profile table (name or id), e.g. Customers' },
	segmentation: { help: 'Actito audience as Category:Name, e.g. Audiences:VIP' },
	'audience-attribute': { help: 'or: the audience is the profiles whose attribute …' },
	'audience-value': { help: '… equals this value' },
	'ad-account': { required: true, help: 'Meta ad account, e.g. act_1234567890' },
	audience: { required: true, help: 'Meta customer-list audience id' },
	'audience-name': { help: 'its name in Meta, e.g. "VIP customers": names the workflow and shows in its pickers' },
	'ad-account-name': { help: 'the ad account\'s name in Meta, shown in the pickers' },
	'actito-credential': { required: true, help: 'id of the Actito API credential in n8n' },
	'actito-credential-name': { help: 'its name (default: Actito API)' },
	'meta-credential': { required: true, help: 'id of the Meta Marketing API credential in n8n' },
	'meta-credential-name': { help: 'its name (default: Meta Marketing API)' },
	'status-credential': { help: 'id of a Header Auth credential that guards the status page (required for the hourly workflow)' },
	'status-credential-name': { help: 'its name (default: Actito-Meta status page)' },
	identifiers: { help: 'Meta key=Actito attribute pairs, e.g. EMAIL=emailAddress,PHONE=gsmNumber (default); EXTERN_ID is always the profile id' },
	'country-attribute': { help: 'attribute with the profile country (default: country; "" for none)' },
	'default-country': { help: 'ISO code for national phone numbers, e.g. BE' },
	'consent-attribute': { help: 'attribute with marketing consent (default: marketingConsent)' },
	'consent-subscription': { help: 'read consent from this subscription instead' },
	'unknown-consent': { help: 'allow (default) or block' },
	'full-reconcile-hours': { help: 'hours between full reconciles (default 24)' },
	'max-removal-percent': { help: 'mass-removal guard: largest share removed in one run (default 20)' },
	'min-removals': { help: 'mass-removal guard: applies from this many removals (default 200)' },
	name: { help: 'workflow name (default: "Actito VIP → Meta ‘VIP customers’ (hourly)", from the segmentation and --audience-name)' },
	entity: { help: 'Actito entity, to name the link in audit records of the real-time flow' },
	'activated-at': { help: 'ISO moment of activation; its minute becomes the sync minute (default: now)' },
	minute: { help: 'sync minute 0-59 (overrides --activated-at)' },
	'reconcile-hour': { help: 'UTC hour 0-23 of the daily full reconcile (with --full-reconcile-hours dividing 24); default: counted from the last one' },
	'calls-per-minute': { help: "this link's share of the Actito licence (Max Actito Calls per Minute); default from the licence, see --links" },
	'state-credential': { help: "id of the 'N8n Link State in Queue Mode API' credential (n8n 2.x queue mode)" },
	'state-credential-name': { help: 'its name (default: n8n API (link state))' },
	links: { help: 'JSON file of all links of one integration: [{"segmentation"|"audienceAttribute"+"audienceValue", "audience", "size"?, "id"?, "name"?}]; writes one workflow each (with --out-dir)' },
	'out-dir': { help: 'folder for the workflows of --links (one <id>.json each)' },
	workers: { help: 'with --links: n8n workers that run these links (default 2)' },
	concurrency: { help: 'with --links: jobs one worker runs at once (default 1)' },
	'licence-calls-per-minute': { help: 'Actito licence calls a minute for the whole customer (default 100)' },
	'licence-in-flight': { help: 'Actito licence requests in flight (default 5)' },
	'reserved-calls-per-minute': { help: "the licence's calls a minute kept for the customer's other uses (default 10)" },
	overview: { help: 'write the overview workflow of these links instead: Name=workflowId pairs or hourly workflow files, comma-separated (with --status-credential, --actito-credential, --n8n-url)' },
	'n8n-url': { help: 'loopback address of this n8n for --overview (default http://127.0.0.1:5678)' },
	realtime: { flag: true, help: 'write the near-real-time push workflow of the link instead of the hourly one' },
	id: { help: 'workflow id, at most 16 characters (default: random)' },
	out: { help: 'output file (default: standard output)' },
};

const META_KEYS = ['EMAIL', 'PHONE', 'GEN', 'DOBY', 'DOBM', 'DOBD', 'LN', 'FN', 'FI', 'CT', 'ST', 'ZIP', 'MADID', 'COUNTRY'];
/** Keys the real-time flow can carry: the fields its trigger reads from a profile. */
const REALTIME_FIELDS = { EMAIL: ['email', 'emailAttribute'], PHONE: ['phone', 'phoneAttribute'], FN: ['firstName', 'firstNameAttribute'], LN: ['lastName', 'lastNameAttribute'] };

function parseArgs(argv) {
	const args = {};
	for (let i = 0; i < argv.length; i++) {
		const arg = argv[i];
		if (arg === '--help' || arg === '-h') return { help: true };
		if (!arg.startsWith('--')) throw new Error(`unexpected argument "${arg}"`);
		const [key, inline] = arg.slice(2).split(/=(.*)/s);
		if (!(key in OPTIONS)) throw new Error(`unknown option --${key}`);
		if (OPTIONS[key].flag) {
			args[key] = inline === undefined ? true : inline !== 'false';
			continue;
		}
		const value = inline !== undefined ? inline : argv[++i];
		if (value === undefined) throw new Error(`--${key} needs a value`);
		args[key] = value;
	}
	return args;
}

function usage() {
	const lines = Object.entries(OPTIONS).map(([k, o]) => `  --${k.padEnd(24)} ${o.help}${o.required ? ' (required)' : ''}`);
	return `usage: actito-meta-workflow [options]\n${lines.join('\n')}\n`;
}

function locator(value) {
	return { __rl: true, mode: 'id', value: String(value) };
}

/**
 * A picker's saved value as the editor's list writes it, so that the field shows the name a
 * marketer knows; without a name, the value is kept "By ID" rather than shown as a bare number.
 */
function picked(value, name, url) {
	if (!name) return locator(value);
	const rl = { __rl: true, mode: 'list', value: String(value), cachedResultName: name };
	if (url) rl.cachedResultUrl = url;
	return rl;
}

/** The pickers of one link, named as the nodes' own list searches name them. */
function pickersOf(link) {
	const account = link.adAccount.replace(/^act_/, '');
	const accountName = link.adAccountName;
	return {
		adAccount: picked(link.adAccount, accountName && `${accountName} (${link.adAccount})`, `https://adsmanager.facebook.com/adsmanager/manage/campaigns?act=${account}`),
		audience: picked(link.audience, link.audienceName && `${link.audienceName} (${link.audience})`, `https://adsmanager.facebook.com/adsmanager/audiences?act=${account}&ids=${link.audience}`),
		// The table list's values are table names: a name is shown as is; a numeric id stays by id.
		table: /^\d+$/.test(link.table) ? locator(link.table) : picked(link.table, link.table),
		segmentation: link.segmentation ? picked(link.segmentation, link.segmentation.replace(':', ' → ')) : undefined,
	};
}

/** "Actito VIP → Meta ‘VIP customers’": the audience as people call it on both sides. */
function linkTitle(link) {
	const actito = link.segmentation ? link.segmentation.slice(link.segmentation.indexOf(':') + 1) : `${link.attribute} = ${link.value}`;
	const meta = link.audienceName ? `‘${link.audienceName}’` : `audience ${link.audience}`;
	return `Actito ${actito} → Meta ${meta}`;
}

function randomId() {
	return 'am' + crypto.randomBytes(7).toString('hex');
}

function uuid() {
	return crypto.randomUUID();
}

/** The one link configuration, from the options: every check the node makes again at run time. */
function linkOptions(options) {
	for (const [key, spec] of Object.entries(OPTIONS)) {
		if (spec.required && !options[key]) throw new Error(`--${key} is required`);
	}
	const byAttribute = options['audience-attribute'] !== undefined;
	if (byAttribute === Boolean(options.segmentation)) throw new Error('give --segmentation, or --audience-attribute with --audience-value (one of them)');
	if (options.segmentation && !/^[^:]+:.+$/.test(options.segmentation)) throw new Error('--segmentation must be Category:Name');
	if (byAttribute && !String(options['audience-value'] ?? '').trim()) throw new Error('--audience-attribute needs --audience-value');
	const adAccount = String(options['ad-account']).replace(/^(act_)?/, 'act_');
	if (!/^act_\d+$/.test(adAccount)) throw new Error('--ad-account must be digits, optionally after act_');
	if (!/^\d+$/.test(String(options.audience))) throw new Error('--audience must be the numeric audience id');
	const unknownConsent = options['unknown-consent'] || 'allow';
	if (!['allow', 'block'].includes(unknownConsent)) throw new Error('--unknown-consent must be allow or block');
	const defaultCountry = (options['default-country'] || '').toUpperCase();
	if (defaultCountry && !/^[A-Z]{2}$/.test(defaultCountry)) throw new Error('--default-country must be an ISO alpha-2 code');
	const mapping = [];
	for (const pair of String(options.identifiers || 'EMAIL=emailAddress,PHONE=gsmNumber').split(',').map((p) => p.trim()).filter(Boolean)) {
		const [key, field] = pair.split('=').map((p) => (p || '').trim());
		if (key === 'EXTERN_ID') throw new Error('EXTERN_ID is always the Actito profile id: leave it out of --identifiers');
		if (!META_KEYS.includes(key)) throw new Error(`--identifiers: "${key}" is not a Meta key (${META_KEYS.join(', ')})`);
		if (!field) throw new Error(`--identifiers: ${key} needs an Actito attribute (${key}=attribute)`);
		if (mapping.some((m) => m.key === key)) throw new Error(`--identifiers: ${key} is given twice`);
		mapping.push({ key, field });
	}
	if (!mapping.length) throw new Error('--identifiers needs at least one Meta key besides EXTERN_ID');
	const number = (name, fallback, min, max) => {
		if (options[name] === undefined) return fallback;
		const n = Number(options[name]);
		if (!Number.isFinite(n) || n < min || n > max) throw new Error(`--${name} must be a number from ${min} to ${max}`);
		return n;
	};
	return {
		table: String(options.table),
		segmentation: options.segmentation,
		attribute: byAttribute ? String(options['audience-attribute']).trim() : undefined,
		value: byAttribute ? String(options['audience-value']).trim() : undefined,
		adAccount,
		audience: String(options.audience),
		audienceName: String(options['audience-name'] ?? '').trim(),
		adAccountName: String(options['ad-account-name'] ?? '').trim(),
		mapping,
		countryAttribute: options['country-attribute'] === undefined ? 'country' : String(options['country-attribute']),
		defaultCountry,
		consentSubscription: options['consent-subscription'] || '',
		consentAttribute: options['consent-attribute'] || 'marketingConsent',
		unknownConsent,
		fullHours: number('full-reconcile-hours', 24, 0, 24 * 365),
		maxRemovalPercent: number('max-removal-percent', 20, 0, 100),
		minRemovals: number('min-removals', 200, 0, 1e9),
	};
}

function syncMinute(options) {
	if (options.minute !== undefined) {
		const minute = Number(options.minute);
		if (!Number.isInteger(minute) || minute < 0 || minute > 59) throw new Error('--minute must be 0-59');
		return minute;
	}
	const activated = options['activated-at'] ? new Date(options['activated-at']) : new Date();
	if (Number.isNaN(activated.getTime())) throw new Error('--activated-at is not a date');
	return activated.getUTCMinutes();
}

function credentialsOf(options) {
	return {
		actito: { actitoApi: { id: String(options['actito-credential']), name: options['actito-credential-name'] || 'Actito API' } },
		meta: { metaMarketingApi: { id: String(options['meta-credential']), name: options['meta-credential-name'] || 'Meta Marketing API' } },
		// n8n 2.x queue mode: the steps that read or write the link state read it through n8n's API.
		state: options['state-credential']
			? { n8nStateApi: { id: String(options['state-credential']), name: options['state-credential-name'] || 'n8n API (link state)' } }
			: {},
	};
}

/** Actito's licence (per customer) and the client's requests in flight per run (core/actito/actitoClient.ts). */
const LICENCE = { callsPerMinute: 100, inFlight: 5, reservedCallsPerMinute: 10 };
const IN_FLIGHT_PER_RUN = 2;

function intOption(options, name, fallback, min, max) {
	if (options[name] === undefined || options[name] === '') return fallback;
	const n = Number(options[name]);
	if (!Number.isInteger(n) || n < min || n > max) throw new Error(`--${name} must be a whole number from ${min} to ${max}`);
	return n;
}

/**
 * Each link's share of the licence: runs of one licence at once (the queue's bound, workers ×
 * concurrency, at most the number of links) × share ≤ calls a minute − reserve. Runs on different
 * workers do not see each other, so the queue must also keep runs at once × 2 in flight ≤ the
 * licence's in-flight limit.
 */
function licenceShare(options, linkCount) {
	const perMinute = intOption(options, 'licence-calls-per-minute', LICENCE.callsPerMinute, 1, 100000);
	const inFlight = intOption(options, 'licence-in-flight', LICENCE.inFlight, 1, 1000);
	const reserved = intOption(options, 'reserved-calls-per-minute', LICENCE.reservedCallsPerMinute, 0, perMinute - 1);
	const slots = intOption(options, 'workers', 2, 1, 1000) * intOption(options, 'concurrency', 1, 1, 1000);
	const runsAtOnce = Math.max(1, Math.min(linkCount, slots));
	if (runsAtOnce * IN_FLIGHT_PER_RUN > inFlight) {
		throw new Error(
			`${runsAtOnce} runs at once × ${IN_FLIGHT_PER_RUN} requests in flight each exceed the licence's ${inFlight} in flight: ` +
				`run these links on at most ${Math.floor(inFlight / IN_FLIGHT_PER_RUN)} job slot(s) (--workers × --concurrency)`,
		);
	}
	const share = Math.min(100, Math.floor((perMinute - reserved) / runsAtOnce));
	if (share < 1) throw new Error('--reserved-calls-per-minute leaves no calls for these links');
	return { share, runsAtOnce, perMinute, reserved, inFlight };
}

/**
 * Slots 0…n−1 for links ordered by size, largest first: the largest goes to slot 0, the next to
 * the middle of the period, and so on alternately, so that the big runs are far apart.
 */
function spreadSlots(n) {
	const half = Math.ceil(n / 2);
	return Array.from({ length: n }, (_, j) => (j % 2 === 0 ? j / 2 : half + (j - 1) / 2));
}

/**
 * The workflows of every link of one integration: sync minutes spread over the hour (⌊slot × 60 /
 * N⌋), daily full reconciles spread over the day (⌊slot × 24 / N⌋ UTC, with a 24 h interval), the
 * licence share on each. `links`: [{segmentation | audienceAttribute + audienceValue, audience,
 * size?, id?, name?}]; `options`: the other options, shared by all links.
 */
function buildIntegration(options, links) {
	if (!Array.isArray(links) || links.length === 0) throw new Error('--links must list at least one link');
	const audiences = new Set();
	for (const [i, l] of links.entries()) {
		if (!l || typeof l !== 'object' || !l.audience) throw new Error(`--links: entry ${i + 1} needs "audience"`);
		if (audiences.has(String(l.audience))) throw new Error(`--links: Meta audience ${l.audience} is given twice (one Meta audience takes one link)`);
		audiences.add(String(l.audience));
	}
	const { share, runsAtOnce } = licenceShare(options, links.length);
	const fullHours = options['full-reconcile-hours'] === undefined ? 24 : Number(options['full-reconcile-hours']);
	const order = links.map((l, i) => ({ i, size: Number(l.size) || 0 })).sort((a, b) => b.size - a.size || a.i - b.i);
	const slots = spreadSlots(links.length);
	const slotOf = new Map(order.map((o, j) => [o.i, slots[j]]));
	const workflows = links.map((l, i) => {
		const slot = slotOf.get(i);
		const own = {
			...options,
			segmentation: l.segmentation,
			'audience-attribute': l.audienceAttribute,
			'audience-value': l.audienceValue,
			audience: String(l.audience),
			id: l.id ?? options.id,
			name: l.name ?? options.name,
			minute: String(Math.floor((slot * 60) / links.length) % 60),
			'calls-per-minute': String(options['calls-per-minute'] ?? share),
		};
		if (fullHours > 0 && 24 % fullHours === 0) own['reconcile-hour'] = String(Math.floor((slot * 24) / links.length) % 24);
		if (!own.segmentation) delete own.segmentation;
		for (const k of ['audience-attribute', 'audience-value', 'id', 'name']) if (own[k] === undefined) delete own[k];
		if (links.length > 1 && own.id !== undefined && options.id !== undefined && l.id === undefined) throw new Error('--id names one workflow: give each link its "id" in --links instead');
		return buildWorkflow(own);
	});
	if (new Set(workflows.map((w) => w.id)).size !== workflows.length) throw new Error('--links: two links have the same "id"');
	return { workflows, share, runsAtOnce };
}

function workflowId(options) {
	const id = options.id || randomId();
	if (id.length > 16) throw new Error('--id must be at most 16 characters (n8n drops static data of longer ids)');
	if (!/^[A-Za-z0-9]+$/.test(id)) throw new Error('--id must be letters and digits');
	return id;
}

/** Builds the hourly workflow object; pure, for tests and scripts. */
function buildWorkflow(options) {
	if (options.overview) return require('./actito-meta-overview').buildOverviewWorkflow(options);
	if (options.realtime) return buildRealtimeWorkflow(options);
	const link = linkOptions(options);
	if (!options['status-credential']) {
		// n8n 2.x checks every credential a workflow refers to before each run, the scheduled ones
		// too: a reference without an id fails them all.
		throw new Error(
			'--status-credential is required: the status page of the hourly workflow is guarded by a Header Auth credential, and n8n fails every run of a workflow ' +
				'that refers to a credential without an id. Create one in n8n (Credentials → Header Auth, a long random value) and pass its id (from its URL).',
		);
	}
	const minute = syncMinute(options);
	const id = workflowId(options);
	const { actito, meta, state } = credentialsOf(options);
	const callsPerMinute = intOption(options, 'calls-per-minute', undefined, 1, 100);
	const fullHours = link.fullHours;
	const reconcileHour = intOption(options, 'reconcile-hour', undefined, 0, 23);
	if (reconcileHour !== undefined && !(fullHours > 0 && 24 % fullHours === 0)) throw new Error('--reconcile-hour needs --full-reconcile-hours dividing 24 (1, 2, 3, 4, 6, 8, 12 or 24)');
	const workflow = JSON.parse(fs.readFileSync(TEMPLATE, 'utf8'));
	delete workflow.staticData;
	workflow.id = id;
	workflow.name = options.name || `${linkTitle(link)} (hourly)`;
	const pick = pickersOf(link);
	for (const node of workflow.nodes) {
		const p = node.parameters;
		switch (node.name) {
			case 'Every Hour':
				// Hours with an interval of exactly 1: n8n's Schedule Trigger then keeps no recurrence
				// record (intervalToRecurrence), so firing never changes the main's in-memory copy of the
				// static data, and the main never saves that (stale) copy over the state a worker wrote.
				p.rule.interval = [{ field: 'hours', hoursInterval: 1, triggerAtMinute: minute }];
				break;
			case 'Sync':
				// The link's one configuration.
				p.adAccount = pick.adAccount;
				p.audience = pick.audience;
				p.table = pick.table;
				if (link.segmentation) {
					p.audienceRule = 'segmentation';
					p.segmentation = pick.segmentation;
				} else {
					p.audienceRule = 'attribute';
					delete p.segmentation;
					p.audienceAttribute = link.attribute;
					p.audienceValue = link.value;
				}
				p.identifiers = { mapping: link.mapping };
				p.countryAttribute = link.countryAttribute;
				p.defaultCountry = link.defaultCountry;
				if (link.consentSubscription) {
					p.consentSource = 'subscription';
					p.consentSubscription = link.consentSubscription;
					delete p.consentAttribute;
				} else {
					p.consentSource = 'attribute';
					p.consentAttribute = link.consentAttribute;
				}
				p.unknownConsent = link.unknownConsent;
				p.limits = { ...p.limits, maxRemovalPercent: link.maxRemovalPercent, minRemovalsForGuard: link.minRemovals };
				if (callsPerMinute !== undefined) p.limits.callsPerMinute = callsPerMinute;
				if (reconcileHour === undefined) p.fullReconcileEveryHours = fullHours;
				else {
					// A phase: the full reconcile runs in the hour given (forced), so that links activated
					// together do not reconcile together for ever; the interval, 2 h longer, catches a
					// forced run that failed.
					p.fullReconcileEveryHours = fullHours + 2;
					p.runOptions = { ...p.runOptions, forceFullReconcile: `={{ $now.toUTC().hour % ${fullHours} === ${reconcileHour % fullHours} }}` };
				}
				node.credentials = { ...meta, ...actito, ...state };
				break;
			case 'Estimated Size':
				// Its ad account and audience come from Sync's output (the template's expressions).
				node.credentials = meta;
				break;
			case 'Log Negative Consent':
				node.credentials = { ...actito, ...state };
				break;
			case 'Status Page':
				// Webhook paths are global in an n8n instance: one per workflow, not guessable.
				p.path = `actito-meta-status/${id}`;
				node.webhookId = uuid();
				node.credentials = options['status-credential']
					? { httpHeaderAuth: { id: String(options['status-credential']), name: options['status-credential-name'] || 'Actito-Meta status page' } }
					: node.credentials;
				break;
			case 'Get Status':
				// Reads this workflow's link (the configuration the Sync step stored): nothing to fill.
				node.credentials = { ...actito, ...meta, ...state };
				break;
			default:
				break;
		}
	}
	return workflow;
}

/** The near-real-time companion of a link, from the same options as its hourly workflow. */
function buildRealtimeWorkflow(options) {
	const link = linkOptions(options);
	const id = workflowId(options);
	const { actito, meta } = credentialsOf(options);
	const workflow = JSON.parse(fs.readFileSync(REALTIME_TEMPLATE, 'utf8'));
	delete workflow.staticData;
	workflow.id = id;
	workflow.name = options.name || `${linkTitle(link)} (real time)`;
	const pick = pickersOf(link);
	const attributes = { countryAttribute: link.countryAttribute || 'country' };
	const mapping = [{ key: 'EXTERN_ID', field: 'profileId' }];
	for (const { key, field } of link.mapping) {
		const known = REALTIME_FIELDS[key];
		if (!known) throw new Error(`--realtime: the real-time flow carries EMAIL, PHONE, FN and LN only, not ${key}`);
		attributes[known[1]] = field;
		mapping.push({ key, field: known[0] });
	}
	if (link.consentSubscription) delete attributes.consentAttribute;
	else attributes.consentAttribute = link.consentAttribute;
	const member = link.segmentation
		? `($json.segments || []).includes(${JSON.stringify(link.segmentation)})`
		: `String(($json.attributes || {})[${JSON.stringify(link.attribute)}] ?? '').trim() === ${JSON.stringify(link.value)}`;
	const linkName = options.entity
		? `actito:${options.entity}/${link.table}/${link.segmentation ? `seg:${link.segmentation}` : `attr:${link.attribute}=${link.value}`}→meta:${link.audience}`
		: `meta:${link.audience}`;
	for (const node of workflow.nodes) {
		const p = node.parameters;
		switch (node.name) {
			case 'Actito Webhook Trigger':
				p.table = pick.table;
				p.attributes = attributes;
				node.webhookId = uuid();
				node.credentials = actito;
				break;
			case 'Add or Remove':
				p.assignments.assignments[0].value = `={{ !$json.deleted && ${member} ? 'add' : 'remove' }}`;
				break;
			case 'Consent Filter':
				if (link.consentSubscription) {
					p.consentSource = 'subscription';
					p.subscriptionName = link.consentSubscription;
					delete p.consentField;
				}
				p.unknownConsent = link.unknownConsent;
				break;
			case 'Hash Identifiers':
				p.identifiers = { mapping };
				p.countryField = 'country';
				p.defaultCountry = link.defaultCountry;
				break;
			case 'Meta Sync Members':
				p.adAccount = pick.adAccount;
				p.audience = pick.audience;
				node.credentials = meta;
				break;
			case 'Log Interaction':
				p.interactionAudience = linkName;
				node.credentials = actito;
				break;
			default:
				break;
		}
	}
	return workflow;
}

module.exports = { buildWorkflow, buildIntegration, buildRealtimeWorkflow, licenceShare, TEMPLATE, REALTIME_TEMPLATE };

if (require.main === module) {
	try {
		const args = parseArgs(process.argv.slice(2));
		if (args.help) {
			process.stdout.write(usage());
			process.exit(0);
		}
		if (args.links !== undefined) {
			if (!args['out-dir']) throw new Error('--links needs --out-dir');
			const links = JSON.parse(fs.readFileSync(args.links, 'utf8'));
			const { workflows, share, runsAtOnce } = buildIntegration(args, links);
			fs.mkdirSync(args['out-dir'], { recursive: true });
			for (const wf of workflows) fs.writeFileSync(path.join(args['out-dir'], `${wf.id}.json`), JSON.stringify(wf, null, 2) + '\n');
			process.stderr.write(
				`wrote ${workflows.length} workflows to ${args['out-dir']} (sync minutes and reconcile hours spread; ${share} Actito calls a minute each, ${runsAtOnce} runs at once)\n`,
			);
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
