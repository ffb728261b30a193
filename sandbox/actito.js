'use strict';
/*
 * Actito sandbox: a local HTTP server that follows docs/contracts/actito.md strictly, so
 * tests, benchmarks and the demo can run without the real service. Plain Node, no dependencies.
 *
 *   const { startActitoSandbox } = require('./sandbox/actito');
 *   const sandbox = await startActitoSandbox({ port: 0, allowLoopbackWebhooks: true });
 *   // sandbox.url, sandbox.state (live internal state), await sandbox.whenDeliveriesSettled(),
 *   // await sandbox.close()
 *
 * Default state (at start and after POST /__sandbox/reset):
 *   API key `sandbox-actito-key`; entity `acme`; profile table id `16` named `Customers` with
 *   attributes emailAddress (unique), gsmNumber, marketingConsent, firstName, lastName,
 *   birthDate, sex, country, creationMoment, updateMoment, and the segmentation
 *   Audiences:VIP; no profiles; custom table `negative_consent`; no webhook subscriptions.
 *   Tokens live 900 s; licence: 5 requests in flight (the 6th gets 429), 100 calls a minute
 *   (past that each answer is delayed by `slowdownMs`, default 100 ms).
 *
 * The service API (contract paths only): GET /auth/token; GET /entities/v5/entities;
 * GET /profile-table-structure/v5/entities/{e}/profile-tables;
 * GET /profiles/v5/entities/{e}/profile-tables/{t}/profiles[/{id | attr=value}];
 * /webhooks/v4/entity/{e}/webhookSubscription[/{id}];
 * /custom-data/v4/entity/{e}/customTable/{table}/record[/{businessKey}].
 * Unknown query parameters or bad values → 400 naming them; unknown entity/table → 404.
 *
 * Control API under /__sandbox/ (JSON, no auth, not counted against the licence, not logged).
 * Routes act on entity `acme`, table `16` unless `?entity=&table=` (or body fields) say otherwise.
 *   POST reset
 *   POST seed      {entity:'acme', table:{id:'16',name:'Customers'}, profiles:20000, seed:42,
 *                   segmentations:[{category:'Audiences',name:'VIP',members:5000}],
 *                   consent:{true:0.7,false:0.2,absent:0.1}, momentsSpanMs:0}   replaces the table's profiles
 *   GET  profiles  → {profiles:[{profileId, attributes:{…}, subscriptions, segments:['Audiences:VIP'],
 *                   deleted, creationMoment, updateMoment}]}  (deleted ones included)
 *   POST profiles  {attributes:{emailAddress:'a@b.c'}, join:['Audiences:VIP'], subscriptions:{Newsletter:true}}
 *   POST profiles/<id>  {attributes:{gsmNumber:'+32…', marketingConsent:null}, join:[…], leave:[…],
 *                   subscriptions:{Newsletter:false}}  (top-level attribute names work too; null removes)
 *   POST profiles/changes [{profileId:'1042', join:['Audiences:VIP']}, …]  several changes at once
 *                   (their events leave together when bulkDelivery is on)
 *   DELETE profiles/<id>
 *   GET  requests  → {requests:[{method, path, query, status, time, durationMs}]};  POST requests/clear
 *   GET  counters
 *   POST faults    {match:{method?, path?}, count:1, status?:503, body?:'<html>…', delayMs?, expireTokens?}
 *                   path is exact, or a prefix when it ends with `*`; faults apply in order, each
 *                   `count` times. expireTokens invalidates every issued token, then the request goes on
 *                   (so it gets 401). POST faults/clear drops them; GET faults lists them.
 *   POST config    {tokenLifetimeSeconds, callsPerMinute, slowdownMs, maxInFlight, deleteEvents,
 *                   bulkDelivery, repeatDeliveries, allowLoopbackWebhooks, apiKey, pagingFault};  GET config
 *                   pagingFault (null by default) makes the profile listing page without end:
 *                   'same-page' repeats the first page under a fresh token each time, 'repeat-token'
 *                   hands back the token it was given, 'empty-next' answers empty pages with a
 *                   fresh token, 'new-token' walks the real pages but never ends (fresh tokens,
 *                   empty pages after the last one).
 *                   A listing page answered 200 with HTML, `{}` or a renamed list is a fault:
 *                   {match:{path:'/profiles/v5/…/profiles'}, status:200, body:'<html>…' | {} | {items:[]}}
 *   POST custom-tables {name}  creates a custom table;  GET custom-tables/<name> lists its records
 *   GET  webhooks/deliveries → {pending, deliveries:[{deliveryId, eventId, subscriptionId, eventType,
 *                   targetUrl, events, status, error?, time}]}
 *   POST webhooks/redeliver {eventId}  sends that delivery again, same event id
 */
const http = require('node:http');
const https = require('node:https');
const crypto = require('node:crypto');
const { generateProfiles } = require('./seed');

const DEFAULT_API_KEY = 'sandbox-actito-key';
const EVENT_TYPES = ['CREATE', 'UPDATE', 'UPDATED_SUBSCRIPTION', 'UPDATED_SEGMENT', 'DELETE'];
const PREDEFINED_ATTRIBUTES = [
	{ name: 'emailAddress', type: 'EMAIL_ADDRESS', unique: true },
	{ name: 'gsmNumber', type: 'PHONE_NUMBER' },
	{ name: 'marketingConsent', type: 'BOOLEAN' },
	{ name: 'firstName', type: 'STRING' },
	{ name: 'lastName', type: 'STRING' },
	{ name: 'birthDate', type: 'DATE' },
	{ name: 'sex', type: 'SEX' },
	{ name: 'country', type: 'STRING' },
	{ name: 'creationMoment', type: 'DATE_TIME' },
	{ name: 'updateMoment', type: 'DATE_TIME' },
];
const MAX_LOG = 50_000;
const MAX_DELIVERIES = 5_000;

class HttpError extends Error {
	constructor(status, message, extra) {
		super(message);
		this.status = status;
		this.extra = extra;
	}
}

function defaultConfig(options) {
	return {
		apiKey: options.apiKey ?? DEFAULT_API_KEY,
		tokenLifetimeSeconds: options.tokenLifetimeSeconds ?? 900,
		callsPerMinute: options.callsPerMinute ?? 100,
		slowdownMs: options.slowdownMs ?? 100,
		maxInFlight: options.maxInFlight ?? 5,
		deleteEvents: options.deleteEvents ?? false,
		bulkDelivery: options.bulkDelivery ?? false,
		repeatDeliveries: options.repeatDeliveries ?? 0,
		allowLoopbackWebhooks: options.allowLoopbackWebhooks ?? false,
		pagingFault: options.pagingFault ?? null,
	};
}

function newTable(id, name) {
	return {
		id: String(id),
		name,
		attributes: PREDEFINED_ATTRIBUTES.map((a) => ({ ...a })),
		segmentations: [{ category: 'Audiences', name: 'VIP' }],
		profiles: new Map(),
		// Ids only grow, so insertion order is id order: paging walks this array.
		order: [],
		nextId: 1001,
	};
}

function newEntity(name) {
	const entity = {
		name,
		tables: new Map(),
		customTables: new Map(),
		webhooks: new Map(),
		nextWebhookId: 77,
	};
	entity.tables.set('16', newTable('16', 'Customers'));
	entity.customTables.set('negative_consent', { name: 'negative_consent', records: new Map(), nextKey: 1 });
	return entity;
}

function createState(options) {
	return {
		config: defaultConfig(options),
		entities: new Map([['acme', newEntity('acme')]]),
		tokens: new Map(),
		faults: [],
		requests: [],
		deliveries: [],
		counters: {
			requests: 0,
			byStatus: {},
			tokensIssued: 0,
			rejectedInFlight: 0,
			slowed: 0,
			faultsApplied: 0,
			deliveries: 0,
			deliveriesFailed: 0,
			maxInFlightSeen: 0,
		},
		inFlight: 0,
		recentCalls: [],
		lastMoment: 0,
	};
}

async function startActitoSandbox(options = {}) {
	const { port = 0, host = '127.0.0.1' } = options;
	let state = createState(options);
	let pendingDeliveries = 0;
	let idleWaiters = [];
	let bulkQueue = new Map();
	let bulkFlushScheduled = false;

	// Strictly increasing per sandbox, so watermarks never see two changes at one moment.
	function nextMoment(floorMs) {
		const ms = Math.max(Date.now(), state.lastMoment + 1, floorMs ?? 0);
		state.lastMoment = ms;
		return ms;
	}

	// ---------- helpers ----------

	function entityOr404(name) {
		const entity = state.entities.get(name);
		if (!entity) {
			throw new HttpError(404, `Entity '${name}' does not exist. Existing entities: ${[...state.entities.keys()].join(', ')}`);
		}
		return entity;
	}

	function tableOr404(entity, id) {
		const table = entity.tables.get(String(id)) ?? [...entity.tables.values()].find((t) => t.name === id);
		if (!table) {
			throw new HttpError(404, `Profile table '${id}' does not exist in entity '${entity.name}'. Existing tables: ${[...entity.tables.values()].map((t) => `${t.id} (${t.name})`).join(', ')}`);
		}
		return table;
	}

	function customTableOr404(entity, name) {
		const table = entity.customTables.get(name);
		if (!table) throw new HttpError(404, `Custom table '${name}' does not exist in entity '${entity.name}'`);
		return table;
	}

	function checkQuery(query, allowed) {
		const unknown = [...query.keys()].filter((k) => !allowed.includes(k));
		if (unknown.length) {
			throw new HttpError(400, `Unknown query parameter(s): ${unknown.join(', ')}. Allowed: ${allowed.join(', ') || 'none'}`, { parameters: unknown });
		}
		for (const key of new Set(query.keys())) {
			if (query.getAll(key).length > 1) throw new HttpError(400, `Query parameter '${key}' given more than once`, { parameters: [key] });
		}
	}

	function apiProfile(table, profile) {
		const attributes = [];
		for (const [name, value] of Object.entries(profile.attributes)) {
			if (value !== undefined && value !== null) attributes.push({ name, value });
		}
		attributes.push({ name: 'creationMoment', value: profile.creationMoment });
		attributes.push({ name: 'updateMoment', value: new Date(profile.updateMomentMs).toISOString() });
		return {
			profileId: profile.profileId,
			attributes,
			subscriptions: profile.subscriptions.map((s) => ({ ...s })),
			segmentations: table.segmentations.map((s) => ({
				belongs: profile.segments.has(`${s.category}:${s.name}`),
				segmentation: { category: s.category, name: s.name },
			})),
		};
	}

	function rawProfile(profile) {
		return {
			profileId: profile.profileId,
			attributes: { ...profile.attributes },
			subscriptions: profile.subscriptions.map((s) => ({ ...s })),
			segments: [...profile.segments],
			deleted: profile.deleted,
			creationMoment: profile.creationMoment,
			updateMoment: new Date(profile.updateMomentMs).toISOString(),
		};
	}

	function findByUnique(table, attr, value) {
		const def = table.attributes.find((a) => a.name === attr);
		if (!def) throw new HttpError(400, `Unknown attribute '${attr}' in profile key`);
		if (!def.unique) throw new HttpError(400, `Attribute '${attr}' is not unique: it cannot identify a profile`);
		const wanted = String(value).trim().toLowerCase();
		for (const id of table.order) {
			const p = table.profiles.get(id);
			if (!p.deleted && p.attributes[attr] !== undefined && String(p.attributes[attr]).trim().toLowerCase() === wanted) return p;
		}
		return undefined;
	}

	function parseSegmentation(table, text) {
		const colon = text.indexOf(':');
		if (colon <= 0 || colon === text.length - 1) {
			throw new HttpError(400, `Bad value for 'segmentation': '${text}' (expected <category>:<name>)`, { parameters: ['segmentation'] });
		}
		const category = text.slice(0, colon);
		const name = text.slice(colon + 1);
		if (!table.segmentations.some((s) => s.category === category && s.name === name)) {
			throw new HttpError(400, `Bad value for 'segmentation': '${text}' is not a segmentation of table '${table.id}'`, { parameters: ['segmentation'] });
		}
		return `${category}:${name}`;
	}

	const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})$/;

	// ---------- webhook deliveries ----------

	function loopbackHost(hostname) {
		return hostname === '127.0.0.1' || hostname === 'localhost' || hostname === '[::1]' || hostname === '::1';
	}

	function validateTargetUrl(targetUrl) {
		let url;
		try {
			url = new URL(targetUrl);
		} catch {
			throw new HttpError(400, `targetUrl '${targetUrl}' is not a URL`, { fields: ['targetUrl'] });
		}
		if (url.protocol === 'https:') return;
		if (url.protocol === 'http:' && state.config.allowLoopbackWebhooks && loopbackHost(url.hostname)) return;
		throw new HttpError(400, state.config.allowLoopbackWebhooks
			? `targetUrl must be https, or http on 127.0.0.1/localhost: '${targetUrl}'`
			: `targetUrl must be https: '${targetUrl}'`, { fields: ['targetUrl'] });
	}

	function settleIfIdle() {
		if (pendingDeliveries === 0 && !bulkFlushScheduled) {
			const waiters = idleWaiters;
			idleWaiters = [];
			for (const w of waiters) w();
		}
	}

	function post(entity, sub, eventId, data, eventType, events) {
		const payload = JSON.stringify({
			id: eventId,
			data,
			_links: { webhook: { href: `/webhooks/v4/entity/${entity.name}/webhookSubscription/${sub.id}` } },
		});
		const record = {
			deliveryId: crypto.randomUUID(),
			eventId,
			subscriptionId: sub.id,
			eventType,
			targetUrl: sub.targetUrl,
			events,
			status: null,
			time: new Date().toISOString(),
			payload,
			headers: { ...sub.headers },
		};
		send(record);
	}

	function send(record) {
		state.deliveries.push(record);
		if (state.deliveries.length > MAX_DELIVERIES) state.deliveries.splice(0, state.deliveries.length - MAX_DELIVERIES);
		pendingDeliveries++;
		state.counters.deliveries++;
		const finish = (status, error) => {
			if (record.done) return;
			record.done = true;
			record.status = status;
			if (error) {
				record.error = error;
				state.counters.deliveriesFailed++;
			}
			pendingDeliveries--;
			settleIfIdle();
		};
		// Failures of the target are recorded, never thrown: a down receiver must not stop the server.
		try {
			const url = new URL(record.targetUrl);
			const lib = url.protocol === 'https:' ? https : http;
			const req = lib.request(url, {
				method: 'POST',
				headers: { ...record.headers, 'content-type': 'application/json', 'content-length': Buffer.byteLength(record.payload), 'user-agent': 'actito-sandbox-webhooks' },
				timeout: 10_000,
			}, (res) => {
				res.resume();
				res.on('end', () => finish(res.statusCode, res.statusCode >= 400 ? `HTTP ${res.statusCode}` : undefined));
				res.on('error', (e) => finish(res.statusCode, e.message));
			});
			req.on('timeout', () => req.destroy(new Error('timeout')));
			req.on('error', (e) => finish(null, e.message));
			req.end(record.payload);
		} catch (e) {
			finish(null, e.message);
		}
	}

	function deliver(entity, sub, eventType, data) {
		const copies = 1 + Math.max(0, state.config.repeatDeliveries | 0);
		if (state.config.bulkDelivery) {
			// Changes made in the same tick leave in one POST per subscription, like Actito's bulk mode.
			if (!bulkQueue.has(sub)) bulkQueue.set(sub, { entity, eventType, items: [] });
			bulkQueue.get(sub).items.push(data);
			if (!bulkFlushScheduled) {
				bulkFlushScheduled = true;
				setImmediate(() => {
					const queue = bulkQueue;
					bulkQueue = new Map();
					bulkFlushScheduled = false;
					for (const [s, q] of queue) {
						const eventId = crypto.randomUUID();
						for (let i = 0; i < copies; i++) post(q.entity, s, eventId, q.items, q.eventType, q.items.length);
					}
					settleIfIdle();
				});
			}
			return;
		}
		const eventId = crypto.randomUUID();
		for (let i = 0; i < copies; i++) post(entity, sub, eventId, data, eventType, 1);
	}

	function emit(entity, table, eventType, data, changedFields) {
		if (eventType === 'DELETE' && !state.config.deleteEvents) return;
		for (const sub of entity.webhooks.values()) {
			if (!sub.isActive || sub.onElementId !== table.id || sub.eventType !== eventType) continue;
			if (eventType === 'UPDATE' && sub.onFields.length && !changedFields.some((f) => sub.onFields.includes(f))) continue;
			deliver(entity, sub, eventType, data);
		}
	}

	// ---------- profile changes (control API) ----------

	function checkAttributes(table, attrs) {
		for (const name of Object.keys(attrs)) {
			if (name === 'creationMoment' || name === 'updateMoment') throw new HttpError(400, `Attribute '${name}' is managed by Actito`);
			if (!table.attributes.some((a) => a.name === name)) throw new HttpError(400, `Unknown attribute '${name}' in table '${table.id}'`);
		}
	}

	function checkSegments(table, list) {
		return (list ?? []).map((s) => parseSegmentation(table, String(s)));
	}

	function checkUnique(table, attrs, selfId) {
		for (const def of table.attributes) {
			if (!def.unique || attrs[def.name] === undefined || attrs[def.name] === null) continue;
			const other = findByUnique(table, def.name, attrs[def.name]);
			if (other && other.profileId !== selfId) throw new HttpError(409, `Another profile (${other.profileId}) already has ${def.name} '${attrs[def.name]}'`);
		}
	}

	function createProfile(entity, table, body) {
		const attrs = { ...(body.attributes ?? {}) };
		for (const [k, v] of Object.entries(body)) {
			if (!['attributes', 'join', 'segments', 'subscriptions', 'entity', 'table'].includes(k)) attrs[k] = v;
		}
		checkAttributes(table, attrs);
		checkUnique(table, attrs);
		const segments = checkSegments(table, body.join ?? body.segments);
		for (const k of Object.keys(attrs)) if (attrs[k] === null) delete attrs[k];
		const ms = nextMoment();
		const profile = {
			profileId: String(table.nextId++),
			attributes: attrs,
			subscriptions: Object.entries(body.subscriptions ?? {}).map(([name, subscribe]) => ({ name, subscribe: Boolean(subscribe) })),
			segments: new Set(segments),
			deleted: false,
			creationMoment: new Date(ms).toISOString(),
			updateMomentMs: ms,
		};
		table.profiles.set(profile.profileId, profile);
		table.order.push(profile.profileId);
		emit(entity, table, 'CREATE', { profileId: profile.profileId, ...attrs }, Object.keys(attrs));
		if (segments.length) {
			emit(entity, table, 'UPDATED_SEGMENT', {
				profileId: profile.profileId,
				segmentations: segments.map((s) => segmentationEntry(s, true)),
			});
		}
		return profile;
	}

	function segmentationEntry(key, belongs) {
		const colon = key.indexOf(':');
		return { belongs, segmentation: { category: key.slice(0, colon), name: key.slice(colon + 1) } };
	}

	function changeProfile(entity, table, profile, body) {
		const attrs = { ...(body.attributes ?? {}) };
		for (const [k, v] of Object.entries(body)) {
			if (!['attributes', 'join', 'leave', 'subscriptions', 'entity', 'table'].includes(k)) attrs[k] = v;
		}
		checkAttributes(table, attrs);
		checkUnique(table, attrs, profile.profileId);
		const join = checkSegments(table, body.join);
		const leave = checkSegments(table, body.leave);
		const changedAttrs = {};
		for (const [name, value] of Object.entries(attrs)) {
			const before = profile.attributes[name];
			const after = value === null ? undefined : value;
			if (before !== after) changedAttrs[name] = value === undefined ? null : value;
		}
		const segChanges = [];
		for (const s of join) if (!profile.segments.has(s)) segChanges.push(segmentationEntry(s, true));
		for (const s of leave) if (profile.segments.has(s) && !join.includes(s)) segChanges.push(segmentationEntry(s, false));
		const subChanges = [];
		for (const [name, value] of Object.entries(body.subscriptions ?? {})) {
			const existing = profile.subscriptions.find((s) => s.name === name);
			if (!existing || existing.subscribe !== Boolean(value)) subChanges.push({ name, subscribe: Boolean(value) });
		}
		if (!Object.keys(changedAttrs).length && !segChanges.length && !subChanges.length) return profile;
		for (const [name, value] of Object.entries(changedAttrs)) {
			if (value === null) delete profile.attributes[name];
			else profile.attributes[name] = value;
		}
		for (const c of segChanges) {
			const key = `${c.segmentation.category}:${c.segmentation.name}`;
			if (c.belongs) profile.segments.add(key);
			else profile.segments.delete(key);
		}
		for (const c of subChanges) {
			const existing = profile.subscriptions.find((s) => s.name === c.name);
			if (existing) existing.subscribe = c.subscribe;
			else profile.subscriptions.push({ ...c });
		}
		profile.updateMomentMs = nextMoment();
		const updateMoment = new Date(profile.updateMomentMs).toISOString();
		if (Object.keys(changedAttrs).length) {
			emit(entity, table, 'UPDATE', { profileId: profile.profileId, ...changedAttrs, updateMoment }, Object.keys(changedAttrs));
		}
		if (segChanges.length) emit(entity, table, 'UPDATED_SEGMENT', { profileId: profile.profileId, segmentations: segChanges, updateMoment });
		if (subChanges.length) emit(entity, table, 'UPDATED_SUBSCRIPTION', { profileId: profile.profileId, subscriptions: subChanges, updateMoment });
		return profile;
	}

	function deleteProfile(entity, table, profile) {
		if (profile.deleted) return;
		profile.deleted = true;
		profile.updateMomentMs = nextMoment();
		emit(entity, table, 'DELETE', { profileId: profile.profileId });
	}

	function seed(body) {
		const entityName = body.entity ?? 'acme';
		if (!state.entities.has(entityName)) state.entities.set(entityName, newEntity(entityName));
		const entity = state.entities.get(entityName);
		const tableSpec = body.table ?? { id: '16', name: 'Customers' };
		const tableId = String(typeof tableSpec === 'object' ? tableSpec.id ?? '16' : tableSpec);
		const tableName = typeof tableSpec === 'object' ? tableSpec.name ?? `Table ${tableId}` : entity.tables.get(tableId)?.name ?? `Table ${tableId}`;
		const segmentations = body.segmentations ?? [{ category: 'Audiences', name: 'VIP', members: Math.floor((body.profiles ?? 100) / 4) }];
		const table = newTable(tableId, tableName);
		const existing = entity.tables.get(tableId);
		// Segmentations accumulate, so profiles seeded earlier into other segmentations keep theirs.
		const segs = new Map((existing ? existing.segmentations : table.segmentations).map((s) => [`${s.category}:${s.name}`, s]));
		for (const s of segmentations) segs.set(`${s.category}:${s.name}`, { category: s.category, name: s.name });
		table.segmentations = [...segs.values()];
		const generated = generateProfiles({ profiles: body.profiles ?? 100, seed: body.seed ?? 1, segmentations, consent: body.consent, firstId: table.nextId });
		// Seeded moments end at about "now", strictly after every earlier moment; `momentsSpanMs`
		// spreads them evenly over that span before now (a table whose profiles changed over time).
		const spanMs = Math.max(generated.length, Number(body.momentsSpanMs) || 0);
		const step = Math.floor(spanMs / generated.length);
		let ms = Math.max(state.lastMoment + 1, Date.now() - spanMs);
		for (const g of generated) {
			const { creationMoment, ...attributes } = g.attributes;
			const profile = {
				profileId: g.profileId,
				attributes,
				subscriptions: g.subscriptions,
				segments: new Set(g.segments),
				deleted: false,
				creationMoment,
				updateMomentMs: ms,
			};
			ms += step;
			table.profiles.set(profile.profileId, profile);
			table.order.push(profile.profileId);
		}
		state.lastMoment = Math.max(state.lastMoment, ms - 1);
		table.nextId += generated.length;
		entity.tables.set(tableId, table);
		return { entity: entityName, table: { id: tableId, name: tableName }, profiles: generated.length, segmentations: table.segmentations };
	}

	// ---------- service routes ----------

	function authorize(req) {
		const header = req.headers.authorization ?? '';
		const match = /^Bearer (.+)$/i.exec(header);
		const token = match && state.tokens.get(match[1]);
		if (!token || token.expiresAt <= Date.now()) {
			throw new HttpError(401, match ? 'The access token is invalid or expired' : 'Missing bearer access token');
		}
	}

	function listProfiles(table, query) {
		checkQuery(query, ['segmentation', 'updatedSince', 'pageSize', 'pageToken']);
		let segmentation = null;
		if (query.has('segmentation')) segmentation = parseSegmentation(table, query.get('segmentation'));
		let since = null;
		if (query.has('updatedSince')) {
			const text = query.get('updatedSince');
			since = ISO.test(text) ? Date.parse(text) : NaN;
			if (Number.isNaN(since)) throw new HttpError(400, `Bad value for 'updatedSince': '${text}' (expected ISO-8601, e.g. 2026-11-28T10:15:00.000Z)`, { parameters: ['updatedSince'] });
		}
		let pageSize = 100;
		if (query.has('pageSize')) {
			const text = query.get('pageSize');
			pageSize = /^\d+$/.test(text) ? Number(text) : NaN;
			if (!(pageSize >= 1 && pageSize <= 1000)) throw new HttpError(400, `Bad value for 'pageSize': '${text}' (1..1000)`, { parameters: ['pageSize'] });
		}
		const signature = `${table.id}|${segmentation ?? ''}|${since ?? ''}`;
		let start = 0;
		if (query.has('pageToken')) {
			let decoded;
			try {
				decoded = JSON.parse(Buffer.from(query.get('pageToken'), 'base64url').toString('utf8'));
			} catch {
				decoded = null;
			}
			if (!decoded || decoded.s !== signature || typeof decoded.k !== 'number') {
				throw new HttpError(400, `Bad value for 'pageToken': it does not belong to this query`, { parameters: ['pageToken'] });
			}
			// Binary search: ids are numeric and ascending in `order`.
			let lo = 0;
			let hi = table.order.length;
			while (lo < hi) {
				const mid = (lo + hi) >> 1;
				if (Number(table.order[mid]) <= decoded.k) lo = mid + 1;
				else hi = mid;
			}
			start = lo;
		}
		const profiles = [];
		let i = start;
		for (; i < table.order.length && profiles.length < pageSize; i++) {
			const p = table.profiles.get(table.order[i]);
			if (p.deleted) continue;
			if (segmentation && !p.segments.has(segmentation)) continue;
			if (since !== null && p.updateMomentMs < since) continue;
			profiles.push(p);
		}
		const body = { profiles: profiles.map((p) => apiProfile(table, p)) };
		const fault = state.config.pagingFault;
		if (fault) {
			// Paging that never ends, for the clients' loop bounds. Tokens stay valid for this query.
			const fresh = (k) => Buffer.from(JSON.stringify({ k, s: signature, n: crypto.randomBytes(6).toString('hex') })).toString('base64url');
			if (fault === 'same-page') return { profiles: body.profiles, nextPageToken: fresh(-1) };
			if (fault === 'repeat-token') return { profiles: body.profiles, nextPageToken: query.get('pageToken') ?? fresh(profiles.length ? Number(profiles[profiles.length - 1].profileId) : -1) };
			if (fault === 'empty-next') return { profiles: [], nextPageToken: fresh(-1) };
			if (fault === 'new-token') {
				const last = profiles.length ? Number(profiles[profiles.length - 1].profileId) : Number(start > 0 ? table.order[start - 1] : -1);
				return { profiles: body.profiles, nextPageToken: fresh(Number.isFinite(last) ? last : -1) };
			}
			throw new HttpError(500, `Unknown pagingFault '${fault}'`);
		}
		let more = false;
		for (let j = i; j < table.order.length; j++) {
			const p = table.profiles.get(table.order[j]);
			if (!p.deleted && (!segmentation || p.segments.has(segmentation)) && (since === null || p.updateMomentMs >= since)) {
				more = true;
				break;
			}
		}
		if (more) {
			const last = Number(profiles[profiles.length - 1].profileId);
			body.nextPageToken = Buffer.from(JSON.stringify({ k: last, s: signature })).toString('base64url');
		}
		return body;
	}

	function readSubscription(entity, body, selfId) {
		if (!body || typeof body !== 'object') throw new HttpError(400, 'Body must be a JSON object');
		const known = ['id', 'on', 'eventType', 'onElementId', 'onFields', 'targetUrl', 'headers', 'isActive'];
		const unknown = Object.keys(body).filter((k) => !known.includes(k));
		if (unknown.length) throw new HttpError(400, `Unknown field(s): ${unknown.join(', ')}`, { fields: unknown });
		if (body.on !== 'PROFILE_TABLE') throw new HttpError(400, `'on' must be PROFILE_TABLE`, { fields: ['on'] });
		if (!EVENT_TYPES.includes(body.eventType)) throw new HttpError(400, `'eventType' must be one of ${EVENT_TYPES.join(', ')}`, { fields: ['eventType'] });
		if (body.onElementId === undefined || body.onElementId === null) throw new HttpError(400, `'onElementId' (the profile table id) is required`, { fields: ['onElementId'] });
		const table = tableOr404(entity, String(body.onElementId));
		if (body.onFields !== undefined && (!Array.isArray(body.onFields) || body.onFields.some((f) => typeof f !== 'string'))) {
			throw new HttpError(400, `'onFields' must be an array of attribute names`, { fields: ['onFields'] });
		}
		if (typeof body.targetUrl !== 'string') throw new HttpError(400, `'targetUrl' is required`, { fields: ['targetUrl'] });
		validateTargetUrl(body.targetUrl);
		const headers = body.headers ?? {};
		if (typeof headers !== 'object' || Array.isArray(headers) || Object.values(headers).some((v) => typeof v !== 'string')) {
			throw new HttpError(400, `'headers' must be an object of strings`, { fields: ['headers'] });
		}
		if (body.isActive !== undefined && typeof body.isActive !== 'boolean') throw new HttpError(400, `'isActive' must be a boolean`, { fields: ['isActive'] });
		for (const other of entity.webhooks.values()) {
			if (other.id !== selfId && other.onElementId === table.id && other.eventType === body.eventType) {
				throw new HttpError(409, `A webhook subscription already exists for table '${table.id}' and event type ${body.eventType}: subscription ${other.id} (target ${other.targetUrl})`, { existingSubscriptionId: other.id });
			}
		}
		return {
			on: 'PROFILE_TABLE',
			eventType: body.eventType,
			onElementId: table.id,
			onFields: body.onFields ?? [],
			targetUrl: body.targetUrl,
			headers: { ...headers },
			isActive: body.isActive ?? true,
		};
	}

	function subscriptionOr404(entity, id) {
		const sub = entity.webhooks.get(id);
		if (!sub) throw new HttpError(404, `Webhook subscription '${id}' does not exist in entity '${entity.name}'`);
		return sub;
	}

	function readProperties(body) {
		if (!body || !Array.isArray(body.properties) || body.properties.some((p) => !p || typeof p.name !== 'string' || !('value' in p))) {
			throw new HttpError(400, `Body must be {"properties":[{"name":"…","value":…}]}`, { fields: ['properties'] });
		}
		return body.properties.map((p) => ({ name: p.name, value: p.value }));
	}

	async function handleApi(method, path, query, req, body) {
		let m;
		if (path === '/auth/token') {
			if (method !== 'GET') throw new HttpError(405, 'Method not allowed');
			checkQuery(query, []);
			if ((req.headers.authorization ?? '') !== state.config.apiKey) {
				throw new HttpError(401, 'Invalid API key');
			}
			const accessToken = crypto.randomBytes(24).toString('base64url');
			const lifetime = state.config.tokenLifetimeSeconds;
			state.tokens.set(accessToken, { expiresAt: Date.now() + lifetime * 1000 });
			state.counters.tokensIssued++;
			return [200, { accessToken, tokenType: 'bearer', expiresIn: `${lifetime}s`, scope: 'read write', jti: crypto.randomUUID() }];
		}
		authorize(req);
		if (path === '/entities/v5/entities') {
			if (method !== 'GET') throw new HttpError(405, 'Method not allowed');
			checkQuery(query, []);
			return [200, { entities: [...state.entities.keys()].map((name) => ({ name })) }];
		}
		if ((m = /^\/profile-table-structure\/v5\/entities\/([^/]+)\/profile-tables$/.exec(path))) {
			if (method !== 'GET') throw new HttpError(405, 'Method not allowed');
			checkQuery(query, []);
			const entity = entityOr404(decodeURIComponent(m[1]));
			return [200, {
				profileTables: [...entity.tables.values()].map((t) => ({
					id: t.id,
					name: t.name,
					attributes: t.attributes.map((a) => ({ name: a.name, type: a.type, ...(a.unique ? { unique: true } : {}) })),
					segmentations: t.segmentations.map((s) => ({ ...s })),
				})),
			}];
		}
		if ((m = /^\/profiles\/v5\/entities\/([^/]+)\/profile-tables\/([^/]+)\/profiles(?:\/([^/]+))?$/.exec(path))) {
			if (method !== 'GET') throw new HttpError(405, 'Method not allowed');
			const entity = entityOr404(decodeURIComponent(m[1]));
			const table = tableOr404(entity, decodeURIComponent(m[2]));
			if (m[3] === undefined) return [200, listProfiles(table, query)];
			checkQuery(query, []);
			const key = decodeURIComponent(m[3]);
			let profile;
			const eq = key.indexOf('=');
			if (eq > 0) profile = findByUnique(table, key.slice(0, eq), key.slice(eq + 1));
			else if (/^\d+$/.test(key)) profile = table.profiles.get(key);
			else throw new HttpError(400, `Bad profile key '${key}': a profileId or attribute=value of a unique attribute`);
			if (!profile || profile.deleted) throw new HttpError(404, `Profile '${key}' not found in table '${table.id}'`);
			return [200, apiProfile(table, profile)];
		}
		if ((m = /^\/webhooks\/v4\/entity\/([^/]+)\/webhookSubscription(?:\/([^/]+))?$/.exec(path))) {
			const entity = entityOr404(decodeURIComponent(m[1]));
			const id = m[2] === undefined ? undefined : decodeURIComponent(m[2]);
			if (id === undefined && method === 'POST') {
				checkQuery(query, []);
				const sub = readSubscription(entity, body);
				sub.id = String(entity.nextWebhookId++);
				entity.webhooks.set(sub.id, sub);
				return [200, { id: sub.id }];
			}
			if (id === undefined && method === 'GET') {
				checkQuery(query, ['tableId', 'eventType']);
				if (query.has('eventType') && !EVENT_TYPES.includes(query.get('eventType'))) {
					throw new HttpError(400, `Bad value for 'eventType': '${query.get('eventType')}'`, { parameters: ['eventType'] });
				}
				const subs = [...entity.webhooks.values()].filter((s) =>
					(!query.has('tableId') || s.onElementId === query.get('tableId')) && (!query.has('eventType') || s.eventType === query.get('eventType')));
				return [200, { subscriptions: subs.map((s) => ({ ...s, headers: { ...s.headers } })) }];
			}
			if (id === undefined) throw new HttpError(405, 'Method not allowed');
			checkQuery(query, []);
			const sub = subscriptionOr404(entity, id);
			if (method === 'GET') return [200, { ...sub, headers: { ...sub.headers } }];
			if (method === 'PUT') {
				const next = readSubscription(entity, body, id);
				Object.assign(sub, next);
				return [200, { ...sub, headers: { ...sub.headers } }];
			}
			if (method === 'DELETE') {
				entity.webhooks.delete(id);
				return [204, null];
			}
			throw new HttpError(405, 'Method not allowed');
		}
		if ((m = /^\/custom-data\/v4\/entity\/([^/]+)\/customTable\/([^/]+)\/record(?:\/([^/]+))?$/.exec(path))) {
			const entity = entityOr404(decodeURIComponent(m[1]));
			const table = customTableOr404(entity, decodeURIComponent(m[2]));
			const key = m[3] === undefined ? undefined : decodeURIComponent(m[3]);
			if (key === undefined && method === 'POST') {
				checkQuery(query, []);
				const properties = readProperties(body);
				const businessKey = String(table.nextKey++);
				table.records.set(businessKey, { businessKey, properties });
				return [200, { businessKey }];
			}
			if (key === undefined && method === 'GET') {
				checkQuery(query, ['searchField', 'searchValue', 'number']);
				if (query.has('searchField') !== query.has('searchValue')) {
					throw new HttpError(400, `'searchField' and 'searchValue' go together`, { parameters: ['searchField', 'searchValue'] });
				}
				let number = 100;
				if (query.has('number')) {
					number = /^\d+$/.test(query.get('number')) ? Number(query.get('number')) : NaN;
					if (!(number >= 1 && number <= 1000)) throw new HttpError(400, `Bad value for 'number': '${query.get('number')}' (1..1000)`, { parameters: ['number'] });
				}
				const field = query.get('searchField');
				const value = query.get('searchValue');
				const records = [...table.records.values()]
					.filter((r) => field === null || r.properties.some((p) => p.name === field && String(p.value) === value))
					.slice(0, number);
				return [200, { records }];
			}
			if (key === undefined) throw new HttpError(405, 'Method not allowed');
			checkQuery(query, []);
			const record = table.records.get(key);
			if (!record) throw new HttpError(404, `Record '${key}' not found in custom table '${table.name}'`);
			if (method === 'GET') return [200, record];
			if (method === 'PUT') {
				record.properties = readProperties(body);
				return [200, record];
			}
			if (method === 'DELETE') {
				table.records.delete(key);
				return [204, null];
			}
			throw new HttpError(405, 'Method not allowed');
		}
		throw new HttpError(404, `No such resource: ${method} ${path}`);
	}

	// ---------- control routes ----------

	function controlTarget(query, body) {
		const entity = entityOr404(body?.entity ?? query.get('entity') ?? 'acme');
		const table = tableOr404(entity, String((typeof body?.table === 'string' ? body.table : null) ?? query.get('table') ?? '16'));
		return { entity, table };
	}

	function whenDeliveriesSettled() {
		if (pendingDeliveries === 0 && !bulkFlushScheduled) return Promise.resolve();
		return new Promise((resolve) => idleWaiters.push(resolve));
	}

	async function handleControl(method, path, query, body) {
		const route = `${method} ${path}`;
		let m;
		if (route === 'POST reset') {
			const keepLoopback = options.allowLoopbackWebhooks;
			const lastMoment = state.lastMoment;
			state = createState({ ...options, allowLoopbackWebhooks: keepLoopback });
			state.lastMoment = lastMoment;
			return [200, { ok: true }];
		}
		if (route === 'POST seed') return [200, seed(body ?? {})];
		if (route === 'GET profiles') {
			const { table } = controlTarget(query, body);
			return [200, { profiles: table.order.map((id) => rawProfile(table.profiles.get(id))) }];
		}
		if (route === 'POST profiles') {
			const { entity, table } = controlTarget(query, body);
			return [201, rawProfile(createProfile(entity, table, body ?? {}))];
		}
		if (route === 'POST profiles/changes') {
			// Many changes in one tick, so bulk delivery groups them deterministically.
			const { entity, table } = controlTarget(query, null);
			const list = Array.isArray(body) ? body : body?.changes;
			if (!Array.isArray(list)) throw new HttpError(400, 'Body must be [{profileId, …change}] or {changes:[…]}');
			const out = [];
			for (const change of list) {
				const { profileId, ...rest } = change ?? {};
				const profile = table.profiles.get(String(profileId));
				if (!profile || profile.deleted) throw new HttpError(404, `Profile '${profileId}' not found`);
				out.push(rawProfile(changeProfile(entity, table, profile, rest)));
			}
			return [200, { profiles: out }];
		}
		if ((m = /^(POST|DELETE) profiles\/([^/]+)$/.exec(route))) {
			const { entity, table } = controlTarget(query, Array.isArray(body) ? null : body);
			const profile = table.profiles.get(decodeURIComponent(m[2]));
			if (!profile) throw new HttpError(404, `Profile '${m[2]}' not found`);
			if (m[1] === 'DELETE') deleteProfile(entity, table, profile);
			else {
				if (profile.deleted) throw new HttpError(404, `Profile '${m[2]}' is deleted`);
				changeProfile(entity, table, profile, body ?? {});
			}
			return [200, rawProfile(profile)];
		}
		if (route === 'GET requests') return [200, { requests: state.requests }];
		if (route === 'POST requests/clear') {
			state.requests = [];
			return [200, { ok: true }];
		}
		if (route === 'GET counters') return [200, { ...state.counters, byStatus: { ...state.counters.byStatus }, inFlight: state.inFlight }];
		if (route === 'POST faults') {
			const list = Array.isArray(body) ? body : [body];
			for (const f of list) {
				if (!f || typeof f !== 'object') throw new HttpError(400, 'A fault is an object');
				state.faults.push({ match: f.match ?? {}, count: f.count ?? 1, status: f.status, body: f.body, headers: f.headers, delayMs: f.delayMs, expireTokens: Boolean(f.expireTokens) });
			}
			return [200, { faults: state.faults }];
		}
		if (route === 'GET faults') return [200, { faults: state.faults }];
		if (route === 'POST faults/clear') {
			state.faults = [];
			return [200, { ok: true }];
		}
		if (route === 'GET config') return [200, state.config];
		if (route === 'POST config') {
			const unknown = Object.keys(body ?? {}).filter((k) => !(k in state.config));
			if (unknown.length) throw new HttpError(400, `Unknown config key(s): ${unknown.join(', ')}`);
			const pf = body?.pagingFault;
			if (pf !== undefined && pf !== null && !['same-page', 'repeat-token', 'empty-next', 'new-token'].includes(pf)) {
				throw new HttpError(400, `pagingFault must be null, 'same-page', 'repeat-token', 'empty-next' or 'new-token'`);
			}
			Object.assign(state.config, body);
			return [200, state.config];
		}
		if (route === 'POST custom-tables') {
			const entity = entityOr404(body?.entity ?? 'acme');
			if (!body?.name) throw new HttpError(400, `'name' is required`);
			if (!entity.customTables.has(body.name)) entity.customTables.set(body.name, { name: body.name, records: new Map(), nextKey: 1 });
			return [200, { name: body.name }];
		}
		if ((m = /^GET custom-tables\/([^/]+)$/.exec(route))) {
			const entity = entityOr404(query.get('entity') ?? 'acme');
			return [200, { records: [...customTableOr404(entity, decodeURIComponent(m[1])).records.values()] }];
		}
		if (route === 'GET webhooks/deliveries') {
			return [200, { pending: pendingDeliveries, deliveries: state.deliveries.map(({ payload, headers, done, ...d }) => ({ ...d, body: JSON.parse(payload) })) }];
		}
		if (route === 'POST webhooks/redeliver') {
			const original = [...state.deliveries].reverse().find((d) => d.eventId === body?.eventId);
			if (!original) throw new HttpError(404, `No delivery with event id '${body?.eventId}'`);
			send({ ...original, deliveryId: crypto.randomUUID(), status: null, error: undefined, done: false, time: new Date().toISOString() });
			return [200, { ok: true }];
		}
		throw new HttpError(404, `No such control route: ${route}`);
	}

	// ---------- server ----------

	function readBody(req) {
		return new Promise((resolve, reject) => {
			const chunks = [];
			let size = 0;
			req.on('data', (c) => {
				size += c.length;
				if (size > 50 * 1024 * 1024) {
					reject(new HttpError(413, 'Body too large'));
					req.destroy();
				} else chunks.push(c);
			});
			req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
			req.on('error', reject);
		});
	}

	function parseJson(text) {
		if (!text.trim()) return undefined;
		try {
			return JSON.parse(text);
		} catch {
			throw new HttpError(400, 'Body is not valid JSON');
		}
	}

	function reply(res, status, body, headers = {}) {
		if (res.headersSent || res.destroyed) return;
		if (body === null || body === undefined) {
			res.writeHead(status, headers);
			res.end();
			return;
		}
		if (typeof body === 'string') {
			res.writeHead(status, { 'content-type': body.trimStart().startsWith('<') ? 'text/html' : 'text/plain', ...headers });
			res.end(body);
			return;
		}
		const text = JSON.stringify(body);
		res.writeHead(status, { 'content-type': 'application/json', ...headers });
		res.end(text);
	}

	function errorBody(error) {
		return { status: error.status, error: http.STATUS_CODES[error.status] ?? 'Error', message: error.message, ...(error.extra ?? {}) };
	}

	function takeFault(method, path) {
		for (const fault of state.faults) {
			if (fault.count <= 0) continue;
			if (fault.match.method && fault.match.method.toUpperCase() !== method) continue;
			const p = fault.match.path;
			if (p && !(p.endsWith('*') ? path.startsWith(p.slice(0, -1)) : path === p)) continue;
			fault.count--;
			state.faults = state.faults.filter((f) => f.count > 0);
			state.counters.faultsApplied++;
			return fault;
		}
		return null;
	}

	const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

	async function handle(req, res) {
		const url = new URL(req.url, 'http://sandbox');
		const path = url.pathname.replace(/\/+$/, '') || '/';
		const method = req.method.toUpperCase();
		if (path.startsWith('/__sandbox/')) {
			try {
				const body = parseJson(await readBody(req));
				const [status, out] = await handleControl(method, path.slice('/__sandbox/'.length), url.searchParams, body);
				reply(res, status, out);
			} catch (error) {
				if (error instanceof HttpError) reply(res, error.status, errorBody(error));
				else reply(res, 500, { status: 500, error: 'Internal Server Error', message: String(error?.message ?? error) });
			}
			return;
		}
		const started = Date.now();
		const query = {};
		for (const [k, v] of url.searchParams) query[k] = v;
		const log = (status) => {
			state.counters.requests++;
			state.counters.byStatus[status] = (state.counters.byStatus[status] ?? 0) + 1;
			state.requests.push({ method, path, query, status, time: new Date(started).toISOString(), durationMs: Date.now() - started });
			if (state.requests.length > MAX_LOG) state.requests.splice(0, state.requests.length - MAX_LOG);
		};
		// The licence allows 5 requests in flight: the next one is refused at once.
		if (state.inFlight >= state.config.maxInFlight) {
			state.counters.rejectedInFlight++;
			log(429);
			reply(res, 429, { status: 429, error: 'Too Many Requests', message: `Too many requests in flight (at most ${state.config.maxInFlight} per licence)` });
			return;
		}
		state.inFlight++;
		state.counters.maxInFlightSeen = Math.max(state.counters.maxInFlightSeen, state.inFlight);
		let released = false;
		const release = () => {
			if (!released) {
				released = true;
				state.inFlight--;
			}
		};
		res.on('close', release);
		let status = 500;
		try {
			const bodyText = await readBody(req);
			// Past the minute budget Actito slows down rather than refuses.
			const now = Date.now();
			while (state.recentCalls.length && state.recentCalls[0] <= now - 60_000) state.recentCalls.shift();
			state.recentCalls.push(now);
			if (state.recentCalls.length > state.config.callsPerMinute && state.config.slowdownMs > 0) {
				state.counters.slowed++;
				await sleep(state.config.slowdownMs);
			}
			const fault = takeFault(method, path);
			if (fault?.delayMs) await sleep(fault.delayMs);
			if (fault?.expireTokens) state.tokens.clear();
			if (fault && fault.status) {
				status = fault.status;
				reply(res, status, fault.body ?? errorBody(new HttpError(status, 'Injected fault')), fault.headers ?? {});
			} else {
				const [s, out] = await handleApi(method, path, url.searchParams, req, parseJson(bodyText));
				status = s;
				reply(res, status, out);
			}
		} catch (error) {
			if (error instanceof HttpError) {
				status = error.status;
				reply(res, status, errorBody(error));
			} else {
				status = 500;
				reply(res, 500, { status: 500, error: 'Internal Server Error', message: String(error?.message ?? error) });
			}
		} finally {
			release();
			log(status);
		}
	}

	const server = http.createServer((req, res) => {
		handle(req, res).catch(() => reply(res, 500, { status: 500, message: 'sandbox failure' }));
	});
	server.keepAliveTimeout = 1000;
	await new Promise((resolve, reject) => {
		server.once('error', reject);
		server.listen(port, host, () => {
			server.off('error', reject);
			resolve();
		});
	});
	const address = server.address();
	const urlHost = host.includes(':') ? `[${host}]` : host;
	return {
		url: `http://${urlHost}:${address.port}`,
		get state() {
			return state;
		},
		whenDeliveriesSettled,
		close: () => new Promise((resolve) => {
			server.close(() => resolve());
			server.closeAllConnections?.();
		}),
	};
}

module.exports = { startActitoSandbox, DEFAULT_API_KEY, PREDEFINED_ATTRIBUTES };
