'use strict';
// Local stand-in for the part of Meta's Graph API in docs/contracts/meta-graph.md.
// Plain Node, no dependencies. It refuses what Meta refuses, so a client that passes here
// should pass against graph.facebook.com.
//
// Default state (at start and after POST /__sandbox/reset):
//   ad account act_100000000000001 "Sandbox Ads", Custom Audience terms accepted, no app secret;
//   token "sandbox-meta-token" allowed on it; no audiences.
//
// Graph routes (any /vNN.0/ prefix; expired versions answer 2635):
//   GET  /me/adaccounts?fields=id,name,account_id&limit&after
//   GET  /act_<id>?fields=id,name,account_id,tos_accepted
//   GET  /act_<id>/customaudiences?fields=…&limit&after      POST /act_<id>/customaudiences
//   GET  /<audience>?fields=…                                 POST /<audience> (name, description)
//   POST /<audience>/users   DELETE /<audience>/users (JSON body or query)   POST … method=DELETE
//   POST /<audience>/usersreplace                             GET /<audience>/sessions?session_id=
//
// Control API (JSON, no auth), see the routes in handleControl():
//   POST /__sandbox/reset                 POST /__sandbox/seed {adAccounts, tokens, audiences}
//   GET  /__sandbox/audiences/<id>/members → {schema, rows, matched}
//   GET  /__sandbox/requests              POST /__sandbox/requests/clear     GET /__sandbox/counters
//     (each logged request: time, method, path, status, operation, rows, …, durationMs)
//   POST /__sandbox/faults {match:{method?, path?, pathRegex?}, count?, error?, html5xx?, delayMs?,
//                           answer?: {status, body}, noUsageHeaders?}
//     answer: a raw answer instead of Graph's (e.g. {status:200, body:{}} for an upload "accepted"
//     without its result); noUsageHeaders: the answer carries none of the three usage headers
//     (throttling whose length Meta does not say).
//   GET|DELETE /__sandbox/faults          POST /__sandbox/config {matchRate, expiredVersions, …}
//   POST /__sandbox/clock {advanceMs}     (moves the sandbox clock: timeouts testable without waiting)
//   POST /__sandbox/tokens/<token>/expire (then 190/463)
//
// Choices where Meta's documentation is silent (clients must not depend on them beyond the
// contract):
//   - num_received is cumulative per session (contract); num_invalid_entries and
//     invalid_entry_samples describe the request they answer.
//   - A row with an invalid hashed value, or with no value at all, is dropped and counted invalid.
//   - Removal without EXTERN_ID removes the member with the same row, or members sharing a
//     non-empty EMAIL, PHONE or MADID value (other keys, e.g. COUNTRY, are shared by many people).
//   - Creating a customer list also needs the terms (Meta refuses that too).
const http = require('node:http');
const crypto = require('node:crypto');

const MULTI_KEYS = ['EXTERN_ID', 'EMAIL', 'PHONE', 'GEN', 'DOBY', 'DOBM', 'DOBD', 'LN', 'FN', 'FI', 'CT', 'ST', 'ZIP', 'MADID', 'COUNTRY'];
// Meta's single-key schema names, accepted as a plain string.
const SINGLE_KEY_ALIASES = { EMAIL_SHA256: 'EMAIL', PHONE_SHA256: 'PHONE', MOBILE_ADVERTISER_ID: 'MADID' };
const UNHASHED = new Set(['EXTERN_ID', 'MADID']);
const IDENTIFYING = ['EMAIL', 'PHONE', 'MADID'];
const HEX64 = /^[0-9a-f]{64}$/;
const FILE_SOURCES = ['USER_PROVIDED_ONLY', 'PARTNER_PROVIDED_ONLY', 'BOTH_USER_AND_PARTNER_PROVIDED'];
const AUDIENCE_FIELDS = [
	'id', 'account_id', 'name', 'description', 'subtype', 'customer_file_source',
	'approximate_count_lower_bound', 'approximate_count_upper_bound', 'delivery_status',
	'operation_status', 'time_created', 'time_updated', 'time_content_updated', 'retention_days',
];
const ACCOUNT_FIELDS = ['id', 'account_id', 'name', 'tos_accepted', 'account_status', 'currency'];
const SESSION_FIELDS = ['session_id', 'start_time', 'end_time', 'num_received', 'num_matched', 'num_invalid_entries', 'progress', 'stage'];
const HOUR = 3600_000;
const DEFAULT_ACCOUNT = 'act_100000000000001';
const DEFAULT_TOKEN = 'sandbox-meta-token';

function defaultConfig() {
	return {
		matchRate: 0.7,
		expiredVersions: ['v23.0', 'v24.0'],
		// Any major version below this one is expired too.
		oldestMajorVersion: 24,
		latestVersion: 'v26.0',
		replaceTimeoutMs: 90 * 60_000,
		sessionTimeoutMs: 90 * 60_000,
		proofWindowSec: 300,
		maxRowsPerRequest: 10_000,
		maxAudiencesPerAccount: 500,
		appCallBudget: 200_000,
		defaultPageLimit: 25,
		maxPageLimit: 500,
		// Paging quirks, to test clients: at most pageSizeCap rows a page whatever the limit,
		// emptyPagesBetween empty pages (with `next`) after each page of data, and a final empty
		// page reached through `next`.
		pageSizeCap: 0,
		emptyPagesBetween: 0,
		trailingEmptyPage: false,
		// Listings that never end: every page carries `next` with a fresh cursor, repeating the data.
		endlessPaging: false,
	};
}

class GraphError extends Error {
	constructor(status, code, message, extra = {}) {
		super(message);
		this.status = status;
		this.code = code;
		this.subcode = extra.subcode;
		this.type = extra.type || 'OAuthException';
		this.userTitle = extra.userTitle;
		this.userMsg = extra.userMsg;
		this.isTransient = extra.isTransient || false;
		this.regainMinutes = extra.regainMinutes;
	}
}
const bad = (message, subcode) => new GraphError(400, 100, `(#100) ${message}`, { subcode });

function fbtraceId() {
	return crypto.randomBytes(9).toString('base64').replace(/[+/=]/g, 'A');
}

function errorBody(err) {
	const e = { message: err.message, type: err.type, code: err.code };
	if (err.subcode !== undefined) e.error_subcode = err.subcode;
	if (err.userTitle) e.error_user_title = err.userTitle;
	if (err.userMsg) e.error_user_msg = err.userMsg;
	e.is_transient = err.isTransient;
	e.fbtrace_id = fbtraceId();
	return { error: e };
}

function digitsOf(accountId) {
	return String(accountId).replace(/^act_/, '');
}
function normalizeAccountId(id) {
	const text = String(id).trim();
	if (!/^(act_)?\d+$/.test(text)) throw new Error(`bad ad account id ${id}`);
	return 'act_' + digitsOf(text);
}

// Meta shows sizes as a range, never the exact count. Here: lower bound = matched count rounded
// down to 2 significant digits, upper bound = 1.2 × matched rounded up to 2 significant digits
// (so 1,234 → 1,200–1,500; 0 → 0–0). The exact count stays in the control API.
function roundSig(value, up) {
	if (value <= 0) return 0;
	const step = 10 ** Math.max(0, Math.floor(Math.log10(value)) - 1);
	return (up ? Math.ceil(value / step) : Math.floor(value / step)) * step;
}

function memberMatches(key, matchRate) {
	// Deterministic per member key, so reruns and reports agree.
	const h = crypto.createHash('sha256').update(key).digest();
	return h.readUInt32BE(0) / 2 ** 32 < matchRate;
}

function createState(config) {
	return {
		config,
		adAccounts: new Map(),
		tokens: new Map(),
		audiences: new Map(),
		faults: [],
		requests: [],
		counters: { requests: 0, errors: 0, uploads: { add: 0, remove: 0, replace: 0 }, rows: { add: 0, remove: 0, replace: 0 } },
		appCalls: [],
		nextAudience: 1,
		clockOffsetMs: 0,
	};
}

function seedDefaults(state) {
	addAccount(state, { id: DEFAULT_ACCOUNT, name: 'Sandbox Ads', tosAccepted: true });
	addToken(state, { token: DEFAULT_TOKEN, adAccounts: [DEFAULT_ACCOUNT] });
}

function addAccount(state, a) {
	const id = normalizeAccountId(a.id);
	const prev = state.adAccounts.get(id);
	state.adAccounts.set(id, {
		id,
		name: a.name ?? prev?.name ?? `Ad account ${digitsOf(id)}`,
		tosAccepted: a.tosAccepted ?? prev?.tosAccepted ?? true,
		appSecret: a.appSecret ?? prev?.appSecret,
		audienceCallBudget: a.audienceCallBudget ?? prev?.audienceCallBudget,
		calls: prev?.calls ?? [],
	});
	return id;
}

function addToken(state, t) {
	if (!t.token) throw new Error('token needs a token');
	const accounts = (t.adAccounts || []).map(normalizeAccountId);
	for (const id of accounts) if (!state.adAccounts.has(id)) throw new Error(`unknown ad account ${id}`);
	state.tokens.set(t.token, { token: t.token, adAccounts: new Set(accounts), expired: !!t.expired, appSecret: t.appSecret });
	return t.token;
}

function addAudience(state, a, now) {
	const adAccountId = normalizeAccountId(a.adAccountId);
	if (!state.adAccounts.has(adAccountId)) throw new Error(`unknown ad account ${adAccountId}`);
	const id = a.id ? String(a.id) : '2385' + String(state.nextAudience++).padStart(13, '0');
	const seconds = Math.floor(now / 1000);
	const audience = {
		id,
		adAccountId,
		name: a.name || `Audience ${id}`,
		description: a.description || '',
		subtype: a.subtype || 'CUSTOM',
		customerFileSource: a.customerFileSource || (a.subtype && a.subtype !== 'CUSTOM' ? undefined : 'USER_PROVIDED_ONLY'),
		retentionDays: 0,
		timeCreated: seconds,
		timeUpdated: seconds,
		timeContentUpdated: 0,
		schema: null,
		members: new Map(),
		sessions: new Map(),
		replace: null,
		replaceFailed: false,
		uploads: 0,
	};
	state.audiences.set(id, audience);
	if (a.schema && a.rows) {
		audience.schema = normalizeSchema(a.schema);
		for (const row of a.rows) addMember(audience, row.map(String));
		audience.uploads = 1;
	}
	return id;
}

// ---------- membership ----------

function memberKey(schema, row) {
	const ext = schema.indexOf('EXTERN_ID');
	if (ext >= 0 && row[ext] !== '') return 'x:' + row[ext];
	return 'h:' + row.join('|');
}

function addMember(audience, row) {
	audience.members.set(memberKey(audience.schema, row), row);
}

function removeMember(audience, row) {
	const schema = audience.schema;
	const key = memberKey(schema, row);
	if (key.startsWith('x:')) return audience.members.delete(key) ? 1 : 0;
	if (audience.members.delete(key)) return 1;
	let removed = 0;
	const cols = IDENTIFYING.map((k) => schema.indexOf(k)).filter((i) => i >= 0 && row[i] !== '');
	if (!cols.length) return 0;
	for (const [k, member] of audience.members) {
		if (cols.some((i) => member[i] === row[i])) {
			audience.members.delete(k);
			removed++;
		}
	}
	return removed;
}

function matchable(schema, row) {
	return row.some((v, i) => v !== '' && schema[i] !== 'EXTERN_ID');
}

function matchedCount(state, audience) {
	let n = 0;
	for (const [key, row] of audience.members) {
		if (matchable(audience.schema, row) && memberMatches(key, state.config.matchRate)) n++;
	}
	return n;
}

// ---------- upload validation ----------

function normalizeSchema(schema) {
	if (typeof schema === 'string') {
		const key = SINGLE_KEY_ALIASES[schema] || schema;
		if (!MULTI_KEYS.includes(key)) throw bad(`Invalid schema key ${JSON.stringify(schema)}`);
		return [key];
	}
	if (!Array.isArray(schema) || schema.length === 0) throw bad('payload.schema must be a key or a non-empty array of keys');
	const seen = new Set();
	for (const key of schema) {
		if (typeof key !== 'string' || !MULTI_KEYS.includes(key)) throw bad(`Invalid schema key ${JSON.stringify(key)}`);
		if (seen.has(key)) throw bad(`Schema key ${key} appears twice`);
		seen.add(key);
	}
	return schema.slice();
}

function parseJsonParam(value, name) {
	if (typeof value !== 'string') return value;
	try {
		return JSON.parse(value);
	} catch {
		throw bad(`Param ${name} must be a JSON object`);
	}
}

function toInt(value, name, { min = 0 } = {}) {
	const n = typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : value;
	if (typeof n !== 'number' || !Number.isSafeInteger(n) || n < min) throw bad(`Param ${name} must be an integer${min ? ` ≥ ${min}` : ''}`);
	return n;
}

function toBool(value) {
	return value === true || value === 'true' || value === 1 || value === '1';
}

function validateRows(schema, data, maxRows) {
	if (!Array.isArray(data)) throw bad('payload.data must be an array of rows');
	if (data.length === 0) throw bad('payload.data is empty');
	if (data.length > maxRows) throw bad(`Too many rows in one request (${data.length}); the limit is ${maxRows}`);
	const good = [];
	let invalid = 0;
	const samples = {};
	const sample = (value, key) => {
		if (Object.keys(samples).length < 10) samples[String(value)] = key;
	};
	data.forEach((raw, index) => {
		const row = schema.length === 1 && !Array.isArray(raw) ? [raw] : raw;
		if (!Array.isArray(row) || row.length !== schema.length) {
			throw bad(`Row ${index} has ${Array.isArray(row) ? row.length : 'no'} values; the schema has ${schema.length}`);
		}
		let ok = true;
		const values = row.map((value, i) => {
			if (value === null || value === undefined) return '';
			if (typeof value !== 'string' && typeof value !== 'number') throw bad(`Row ${index}: values must be strings`);
			const text = String(value);
			const key = schema[i];
			if (text === '') return '';
			if (UNHASHED.has(key)) {
				if (key === 'MADID' && HEX64.test(text)) {
					ok = false;
					sample(text, 'MADID must not be hashed');
				}
				return text;
			}
			if (!HEX64.test(text)) {
				ok = false;
				sample(text, key);
			}
			return text;
		});
		if (ok && values.every((v) => v === '')) {
			ok = false;
			sample(JSON.stringify(row), 'empty row');
		}
		if (ok) good.push(values);
		else invalid++;
	});
	return { good, invalid, samples };
}

// ---------- server ----------

async function startMetaSandbox({ port = 0, host = '127.0.0.1', now, ...options } = {}) {
	const config = { ...defaultConfig(), ...options };
	const state = createState(config);
	const clock = () => (now ? now() : Date.now()) + state.clockOffsetMs;
	seedDefaults(state);

	const server = http.createServer((req, res) => {
		handle(req, res).catch((error) => {
			if (!res.headersSent) send(res, 500, { error: { message: `sandbox bug: ${error.message}` } });
		});
	});

	function send(res, status, body, headers = {}) {
		const text = typeof body === 'string' ? body : JSON.stringify(body);
		res.writeHead(status, {
			'content-type': typeof body === 'string' ? 'text/html; charset=utf-8' : 'application/json; charset=UTF-8',
			'content-length': Buffer.byteLength(text),
			...headers,
		});
		res.end(text);
	}

	async function readBody(req) {
		const chunks = [];
		for await (const chunk of req) chunks.push(chunk);
		return Buffer.concat(chunks);
	}

	function parseParams(req, raw) {
		const url = new URL(req.url, 'http://sandbox');
		const params = {};
		for (const [k, v] of url.searchParams) params[k] = v;
		const type = String(req.headers['content-type'] || '').toLowerCase();
		if (raw.length) {
			if (type.includes('application/json')) {
				let body;
				try {
					body = JSON.parse(raw.toString('utf8'));
				} catch {
					throw bad('Request body is not valid JSON');
				}
				if (body && typeof body === 'object' && !Array.isArray(body)) Object.assign(params, body);
			} else if (type.includes('application/x-www-form-urlencoded')) {
				for (const [k, v] of new URLSearchParams(raw.toString('utf8'))) params[k] = v;
			} else if (type.includes('multipart/form-data')) {
				Object.assign(params, parseMultipart(raw, type));
			}
		}
		return { url, params };
	}

	function parseMultipart(raw, type) {
		const match = /boundary=(?:"([^"]+)"|([^;]+))/.exec(type);
		if (!match) throw bad('multipart body without boundary');
		const boundary = '--' + (match[1] || match[2]);
		const out = {};
		for (const part of raw.toString('utf8').split(boundary)) {
			const split = part.indexOf('\r\n\r\n');
			if (split < 0) continue;
			const name = /name="([^"]+)"/.exec(part.slice(0, split));
			if (name) out[name[1]] = part.slice(split + 4).replace(/\r\n$/, '');
		}
		return out;
	}

	function log(entry) {
		state.requests.push({ time: new Date(clock()).toISOString(), ...entry });
		if (state.requests.length > 10_000) state.requests.shift();
	}

	// ----- rate-limit bookkeeping -----

	function accountBudget(account) {
		if (account.audienceCallBudget !== undefined) return account.audienceCallBudget;
		let audiences = 0;
		for (const a of state.audiences.values()) if (a.adAccountId === account.id) audiences++;
		return 5000 + 40 * audiences;
	}

	function prune(list, t) {
		while (list.length && list[0] <= t - HOUR) list.shift();
	}

	function accountUsage(account, t) {
		prune(account.calls, t);
		const budget = accountBudget(account);
		const pct = budget > 0 ? Math.min(100, Math.round((100 * account.calls.length) / budget)) : 100;
		const full = account.calls.length >= budget;
		const regainMs = full && account.calls.length ? account.calls[account.calls.length - budget] + HOUR - t : 0;
		return { pct, full, regainMinutes: full ? Math.max(1, Math.ceil(regainMs / 60_000)) : 0, resetSeconds: account.calls.length ? Math.ceil((account.calls[0] + HOUR - t) / 1000) : 0 };
	}

	function usageHeaders(account, t, forcedRegain) {
		prune(state.appCalls, t);
		const appPct = Math.min(100, Math.round((100 * state.appCalls.length) / state.config.appCallBudget));
		const headers = { 'x-app-usage': JSON.stringify({ call_count: appPct, total_cputime: appPct, total_time: appPct }) };
		if (account) {
			const u = accountUsage(account, t);
			const regain = forcedRegain !== undefined ? forcedRegain : u.regainMinutes;
			const pct = forcedRegain ? 100 : u.pct;
			headers['x-business-use-case-usage'] = JSON.stringify({
				[digitsOf(account.id)]: [{ type: 'custom_audience', call_count: pct, total_cputime: Math.round(pct / 4), total_time: Math.round(pct / 4), estimated_time_to_regain_access: regain }],
			});
			headers['x-ad-account-usage'] = JSON.stringify({ acc_id_util_pct: pct, reset_time_duration: u.resetSeconds });
		} else {
			headers['x-business-use-case-usage'] = '{}';
			headers['x-ad-account-usage'] = JSON.stringify({ acc_id_util_pct: 0, reset_time_duration: 0 });
		}
		return headers;
	}

	// ----- main handler -----

	async function handle(req, res) {
		const raw = await readBody(req);
		const pathname = new URL(req.url, 'http://sandbox').pathname;
		if (pathname.startsWith('/__sandbox/')) return handleControl(req, res, pathname, raw);

		const t = clock();
		state.counters.requests++;
		state.appCalls.push(t);
		const ctx = { method: req.method, path: pathname, account: null, audienceId: undefined, operation: undefined, rows: undefined, fault: undefined };
		let omitUsage = false;
		const finish = (status, body, extraHeaders = {}, forcedRegain) => {
			if (status >= 400) state.counters.errors++;
			log({
				method: ctx.method, path: ctx.path, status, adAccountId: ctx.account?.id, audienceId: ctx.audienceId,
				operation: ctx.operation, rows: ctx.rows, fault: ctx.fault, code: body && body.error ? body.error.code : undefined,
				subcode: body && body.error ? body.error.error_subcode : undefined,
				// From the request's arrival to its answer (body read and handling): upload times.
				durationMs: clock() - t,
			});
			send(res, status, body, { ...(omitUsage ? {} : usageHeaders(ctx.account, t, forcedRegain)), ...extraHeaders });
		};

		// Faults first: they stand for trouble in front of Graph (proxies, outages).
		const fault = takeFault(req.method, pathname);
		if (fault) {
			ctx.fault = true;
			omitUsage = !!fault.noUsageHeaders;
			if (fault.delayMs) await new Promise((r) => setTimeout(r, fault.delayMs));
			if (fault.answer) return finish(fault.answer.status ?? 200, fault.answer.body === undefined ? {} : fault.answer.body);
			if (fault.html5xx) {
				return finish(fault.html5xx, `<!DOCTYPE html><html><head><title>Error</title></head><body><h1>Sorry, something went wrong.</h1><p>HTTP ${fault.html5xx}</p></body></html>`);
			}
			if (fault.error) {
				const e = fault.error;
				const err = new GraphError(e.status || 400, e.code, e.message || `(#${e.code}) Injected error`, {
					subcode: e.error_subcode, type: e.type, isTransient: !!e.is_transient,
					userTitle: e.error_user_title, userMsg: e.error_user_msg,
				});
				// A throttling fault names the account it throttles, so the regain time has a header.
				if (e.regainMinutes !== undefined && !ctx.account) ctx.account = guessAccount(pathname);
				return finish(err.status, errorBody(err), {}, e.regainMinutes);
			}
		}

		try {
			const { url, params } = parseParams(req, raw);
			let method = req.method;
			if (method === 'POST' && String(params.method || '').toUpperCase() === 'DELETE') method = 'DELETE';
			const result = route(method, pathname, url, params, req, ctx, t);
			return finish(200, result);
		} catch (error) {
			if (!(error instanceof GraphError)) throw error;
			return finish(error.status, errorBody(error), {}, error.regainMinutes);
		}
	}

	function guessAccount(pathname) {
		const m = /\/(act_\d+)/.exec(pathname);
		if (m) return state.adAccounts.get(m[1]) || null;
		const a = /^\/v\d+\.\d+\/(\d+)/.exec(pathname);
		const audience = a && state.audiences.get(a[1]);
		return audience ? state.adAccounts.get(audience.adAccountId) : null;
	}

	function takeFault(method, pathname) {
		for (const fault of state.faults) {
			if (fault.remaining <= 0) continue;
			const m = fault.match || {};
			if (m.method && m.method.toUpperCase() !== method) continue;
			if (m.path && !pathname.includes(m.path)) continue;
			if (m.pathRegex && !new RegExp(m.pathRegex).test(pathname)) continue;
			fault.remaining--;
			fault.used++;
			return fault;
		}
		return null;
	}

	function checkVersion(pathname) {
		const m = /^\/(v(\d+)\.0)(\/.*)?$/.exec(pathname);
		if (!m) throw new GraphError(400, 2500, 'Unknown path components: a version prefix like /v26.0/ is required', { type: 'OAuthException' });
		const version = m[1];
		if (state.config.expiredVersions.includes(version) || Number(m[2]) < state.config.oldestMajorVersion) {
			throw new GraphError(400, 2635, `(#2635) You are calling a deprecated version of the Ads API. Please update to the latest version: ${state.config.latestVersion}.`, {
				userTitle: 'Deprecated API version', userMsg: `API version ${version} has expired.`,
			});
		}
		return (m[3] || '/').split('/').filter(Boolean);
	}

	function authenticate(req, params) {
		let token;
		const header = req.headers.authorization;
		if (header && /^Bearer\s+/i.test(header)) token = header.replace(/^Bearer\s+/i, '').trim();
		else if (params.access_token) token = String(params.access_token);
		if (!token) throw new GraphError(400, 104, 'An access token is required to request this resource.');
		const entry = state.tokens.get(token);
		if (!entry) throw new GraphError(400, 190, 'Invalid OAuth access token - Cannot parse access token');
		if (entry.expired) {
			throw new GraphError(400, 190, 'Error validating access token: Session has expired.', {
				subcode: 463, userTitle: 'Session expired', userMsg: 'The access token has expired. Generate a new one.',
			});
		}
		return entry;
	}

	function checkProof(token, secret, params, t) {
		if (!secret) return;
		const proof = params.appsecret_proof;
		const time = params.appsecret_time;
		if (!proof) throw bad('API calls from the server require an appsecret_proof argument');
		if (time === undefined || !/^\d+$/.test(String(time))) throw bad('appsecret_time is required with appsecret_proof (unix seconds)');
		const expected = crypto.createHmac('sha256', secret).update(`${token.token}|${time}`).digest('hex');
		const a = Buffer.from(String(proof));
		const b = Buffer.from(expected);
		if (a.length !== b.length || !crypto.timingSafeEqual(a, b)) throw bad('Invalid appsecret_proof provided in the API argument');
		if (Math.abs(Math.floor(t / 1000) - Number(time)) > state.config.proofWindowSec) {
			throw bad(`appsecret_time is too old: a proof is valid ${state.config.proofWindowSec / 60} minutes, compute it per request`);
		}
	}

	function accessAccount(token, accountId, params, t) {
		const account = state.adAccounts.get(accountId);
		if (!account) throw bad(`Unsupported get request. Object with ID '${accountId}' does not exist, cannot be loaded due to missing permissions, or does not support this operation.`, 33);
		if (!token.adAccounts.has(accountId)) {
			throw new GraphError(400, 200, `(#200) The user is not on ad account ${accountId}: give the system user the ads_management permission on it.`, {
				userTitle: 'No permission', userMsg: 'The system user has no role on this ad account.',
			});
		}
		checkProof(token, token.appSecret || account.appSecret, params, t);
		return account;
	}

	// Every custom-audience call spends the ad account's hourly budget.
	function spend(account, t) {
		const usage = accountUsage(account, t);
		if (usage.full) {
			throw new GraphError(400, 80003, 'There have been too many calls to this ad account. Wait a bit and try again.', {
				subcode: 2446079, type: 'OAuthException', isTransient: true, regainMinutes: usage.regainMinutes,
				userTitle: 'Too many calls', userMsg: 'The custom audience rate limit of this ad account is reached.',
			});
		}
		account.calls.push(t);
	}

	function requireTerms(account) {
		if (!account.tosAccepted) {
			throw new GraphError(400, 200, '(#200) Custom Audience terms of service have not been accepted for this ad account.', {
				subcode: 1870090, userTitle: 'Terms not accepted',
				userMsg: `Accept the Custom Audience terms at https://business.facebook.com/ads/manage/customaudiences/tos/?act=${digitsOf(account.id)}`,
			});
		}
	}

	function pickFields(params, allowed, defaults, nodeType) {
		const list = params.fields ? String(params.fields).split(',').map((f) => f.trim()).filter(Boolean) : defaults;
		for (const f of list) {
			if (!allowed.includes(f)) throw bad(`Tried accessing nonexisting field (${f}) on node type (${nodeType})`);
		}
		return list.includes('id') ? list : ['id', ...list];
	}

	function project(obj, fields) {
		const out = {};
		for (const f of fields) if (obj[f] !== undefined) out[f] = obj[f];
		return out;
	}

	function page(items, params, url, req) {
		let limit = params.limit === undefined ? state.config.defaultPageLimit : toInt(params.limit, 'limit', { min: 1 });
		limit = Math.min(limit, state.config.maxPageLimit);
		if (state.config.pageSizeCap > 0) limit = Math.min(limit, state.config.pageSizeCap);
		let cursor = { o: 0, e: 0 };
		if (params.after) {
			try {
				cursor = JSON.parse(Buffer.from(String(params.after), 'base64url').toString('utf8'));
			} catch {
				throw bad('Invalid cursor in after');
			}
			if (typeof cursor.o !== 'number') throw bad('Invalid cursor in after');
		}
		const encode = (c) => Buffer.from(JSON.stringify(c)).toString('base64url');
		let data = [];
		let next = null;
		if (cursor.e > 0) {
			next = { o: cursor.o, e: cursor.e - 1 };
		} else if (!cursor.t) {
			data = items.slice(cursor.o, cursor.o + limit);
			const o = cursor.o + data.length;
			if (o < items.length) next = { o, e: state.config.emptyPagesBetween };
			else if (state.config.trailingEmptyPage && data.length) next = { o, e: 0, t: 1 };
		}
		if (state.config.endlessPaging) next = { o: cursor.o, e: 0, n: crypto.randomBytes(6).toString('hex') };
		const here = encode(cursor);
		const paging = { cursors: { before: here, after: next ? encode(next) : here } };
		if (next) {
			// Like Meta, `next` repeats the request's own query (access_token included if it was there).
			const nextUrl = new URL(url.pathname, `http://${req.headers.host || 'sandbox'}`);
			for (const [k, v] of url.searchParams) if (k !== 'after') nextUrl.searchParams.set(k, v);
			nextUrl.searchParams.set('after', encode(next));
			paging.next = nextUrl.toString();
		}
		return { data, paging };
	}

	function audienceView(audience, t) {
		expireReplace(audience, t);
		const matched = matchedCount(state, audience);
		let op = { code: 200, description: 'Normal' };
		if (audience.replace) op = { code: 414, description: 'Replace in progress' };
		else if (audience.replaceFailed) op = { code: 415, description: 'Replace failed: the replace session timed out' };
		else if (audience.uploads === 0) op = { code: 410, description: 'No upload: no customer data has been uploaded yet' };
		return {
			id: audience.id,
			account_id: digitsOf(audience.adAccountId),
			name: audience.name,
			description: audience.description,
			subtype: audience.subtype,
			customer_file_source: audience.customerFileSource,
			approximate_count_lower_bound: roundSig(matched, false),
			approximate_count_upper_bound: roundSig(Math.ceil(matched * 1.2), true),
			delivery_status: matched < 1000
				? { code: 300, description: 'This audience is too small to deliver ads. Add more people.' }
				: { code: 200, description: 'This audience is ready for use.' },
			operation_status: op,
			time_created: audience.timeCreated,
			time_updated: audience.timeUpdated,
			time_content_updated: audience.timeContentUpdated,
			retention_days: audience.retentionDays,
		};
	}

	function expireReplace(audience, t) {
		const session = audience.replace && audience.sessions.get(audience.replace);
		if (session && t - session.startMs > state.config.replaceTimeoutMs) {
			session.stage = 'timeout';
			session.closed = true;
			session.endMs = t;
			session.staged = null;
			audience.replace = null;
			audience.replaceFailed = true;
		}
	}

	function route(method, pathname, url, params, req, ctx, t) {
		const parts = checkVersion(pathname);
		const token = authenticate(req, params);

		if (parts[0] === 'me' && parts[1] === 'adaccounts' && parts.length === 2 && method === 'GET') {
			ctx.operation = 'list_ad_accounts';
			const secrets = [...token.adAccounts].map((id) => state.adAccounts.get(id)?.appSecret).filter(Boolean);
			if (token.appSecret) checkProof(token, token.appSecret, params, t);
			else if (secrets.length) checkProof(token, secrets[0], params, t);
			const fields = pickFields(params, ACCOUNT_FIELDS, ['id'], 'AdAccount');
			const items = [...token.adAccounts].sort().map((id) => project(accountView(state.adAccounts.get(id)), fields));
			return page(items, params, url, req);
		}

		if (parts[0] && /^act_\d+$/.test(parts[0])) {
			const account = accessAccount(token, parts[0], params, t);
			ctx.account = account;
			if (parts.length === 1 && method === 'GET') {
				ctx.operation = 'read_ad_account';
				return project(accountView(account), pickFields(params, ACCOUNT_FIELDS, ['id'], 'AdAccount'));
			}
			if (parts.length === 2 && parts[1] === 'customaudiences') {
				if (method === 'GET') {
					ctx.operation = 'list_audiences';
					spend(account, t);
					const fields = pickFields(params, AUDIENCE_FIELDS, ['id'], 'CustomAudience');
					const items = [...state.audiences.values()].filter((a) => a.adAccountId === account.id).map((a) => project(audienceView(a, t), fields));
					return page(items, params, url, req);
				}
				if (method === 'POST') {
					ctx.operation = 'create_audience';
					spend(account, t);
					return createAudience(account, params, t);
				}
			}
			throw bad(`Unsupported ${method.toLowerCase()} request on ${parts.join('/')}`, 33);
		}

		if (parts[0] && /^\d+$/.test(parts[0])) {
			const audience = state.audiences.get(parts[0]);
			ctx.audienceId = parts[0];
			const missing = () =>
				bad(`Unsupported ${method.toLowerCase()} request. Object with ID '${parts[0]}' does not exist, cannot be loaded due to missing permissions, or does not support this operation.`, 33);
			if (!audience) throw missing();
			// Meta hides objects of accounts the token cannot use behind the same "does not exist".
			if (!token.adAccounts.has(audience.adAccountId)) throw missing();
			const account = accessAccount(token, audience.adAccountId, params, t);
			ctx.account = account;
			spend(account, t);
			if (parts.length === 1 && method === 'GET') {
				ctx.operation = 'read_audience';
				return project(audienceView(audience, t), pickFields(params, AUDIENCE_FIELDS, ['id', 'name'], 'CustomAudience'));
			}
			if (parts.length === 1 && method === 'POST') {
				ctx.operation = 'update_audience';
				if (params.name !== undefined) {
					if (!String(params.name).trim()) throw bad('The parameter name must not be empty');
					audience.name = String(params.name);
				}
				if (params.description !== undefined) audience.description = String(params.description);
				audience.timeUpdated = Math.floor(t / 1000);
				return { success: true };
			}
			if (parts.length === 2 && parts[1] === 'users' && (method === 'POST' || method === 'DELETE')) {
				return upload(audience, account, method === 'POST' ? 'add' : 'remove', params, ctx, t);
			}
			if (parts.length === 2 && parts[1] === 'usersreplace' && method === 'POST') {
				return upload(audience, account, 'replace', params, ctx, t);
			}
			if (parts.length === 2 && parts[1] === 'sessions' && method === 'GET') {
				ctx.operation = 'sessions';
				expireReplace(audience, t);
				let sessions = [...audience.sessions.values()].sort((a, b) => b.startMs - a.startMs);
				if (params.session_id !== undefined) {
					const id = toInt(params.session_id, 'session_id', { min: 1 });
					sessions = sessions.filter((s) => s.id === id);
				}
				const fields = pickFields(params, SESSION_FIELDS, SESSION_FIELDS, 'CustomAudienceSession').filter((f) => f !== 'id');
				return page(sessions.map((s) => project(sessionView(s), fields)), params, url, req);
			}
			throw bad(`Unsupported ${method.toLowerCase()} request on ${parts.join('/')}`, 33);
		}
		throw new GraphError(400, 2500, `Unknown path components: /${parts.join('/')}`);
	}

	function accountView(account) {
		return {
			id: account.id,
			account_id: digitsOf(account.id),
			name: account.name,
			tos_accepted: account.tosAccepted ? { custom_audience_tos: 1 } : {},
			account_status: 1,
			currency: 'EUR',
		};
	}

	function sessionView(s) {
		return {
			session_id: String(s.id),
			start_time: Math.floor(s.startMs / 1000),
			end_time: s.endMs ? Math.floor(s.endMs / 1000) : 0,
			num_received: s.numReceived,
			num_matched: s.numMatched,
			num_invalid_entries: s.numInvalid,
			progress: s.closed ? 100 : 50,
			stage: s.stage,
		};
	}

	function createAudience(account, params, t) {
		const name = params.name === undefined ? '' : String(params.name).trim();
		if (!name) throw bad('The parameter name is required');
		if (params.subtype !== 'CUSTOM') throw bad('Param subtype must be CUSTOM to create a customer list audience');
		if (!FILE_SOURCES.includes(params.customer_file_source)) {
			throw bad(`Param customer_file_source must be one of ${FILE_SOURCES.join(', ')}`);
		}
		requireTerms(account);
		let count = 0;
		for (const a of state.audiences.values()) if (a.adAccountId === account.id) count++;
		if (count >= state.config.maxAudiencesPerAccount) {
			throw new GraphError(400, 2654, `You have reached the maximum number of custom audiences (${state.config.maxAudiencesPerAccount}) for this ad account.`, {
				subcode: 1713086, userTitle: 'Too many audiences', userMsg: 'Delete unused audiences before creating new ones.',
			});
		}
		const id = addAudience(state, {
			adAccountId: account.id, name, subtype: 'CUSTOM', description: params.description ? String(params.description) : '',
			customerFileSource: params.customer_file_source,
		}, t);
		return { id };
	}

	function upload(audience, account, operation, params, ctx, t) {
		ctx.operation = operation;
		if (audience.subtype !== 'CUSTOM') throw bad('Only customer list audiences (subtype CUSTOM) accept user uploads');
		requireTerms(account);
		expireReplace(audience, t);
		if (params.payload === undefined) throw bad('The parameter payload is required');
		const payload = parseJsonParam(params.payload, 'payload');
		if (!payload || typeof payload !== 'object') throw bad('Param payload must be a JSON object');
		const schema = normalizeSchema(payload.schema);
		let rawSession = params.session !== undefined ? parseJsonParam(params.session, 'session') : undefined;
		if (operation === 'replace' && (!rawSession || typeof rawSession !== 'object')) throw bad('The parameter session is required for usersreplace');
		if (rawSession !== undefined && (!rawSession || typeof rawSession !== 'object')) throw bad('Param session must be a JSON object');
		rawSession = rawSession || { session_id: Number(crypto.randomBytes(6).readUIntBE(0, 6)), batch_seq: 1, last_batch_flag: true };
		const sessionId = toInt(rawSession.session_id, 'session.session_id', { min: 1 });
		const batchSeq = toInt(rawSession.batch_seq, 'session.batch_seq', { min: 1 });
		const last = toBool(rawSession.last_batch_flag);
		if (rawSession.estimated_num_total !== undefined) toInt(rawSession.estimated_num_total, 'session.estimated_num_total');

		const err2650 = (subcode, message, userMsg) =>
			new GraphError(400, 2650, message, { subcode, userTitle: 'Audience update failed', userMsg: userMsg || message });

		// Replace locks the audience: nothing else writes while it runs.
		if (audience.replace && audience.replace !== sessionId) {
			throw err2650(1870145, 'Failed to update the custom audience: a replace is in progress. Retry later.', 'Another update (replace) is in progress on this audience.');
		}

		let session = audience.sessions.get(sessionId);
		if (session) {
			if (session.operation !== operation) throw bad(`session_id ${sessionId} belongs to a ${session.operation} session`);
			if (session.stage === 'timeout' || (!session.closed && t - session.startMs > (operation === 'replace' ? state.config.replaceTimeoutMs : state.config.sessionTimeoutMs))) {
				if (!session.closed) {
					session.closed = true;
					session.stage = 'timeout';
					session.endMs = t;
				}
				throw err2650(1870158, 'The upload session timed out. Start a new session.');
			}
			if (session.closed) throw err2650(1870159, 'The upload session has already finished. Start a new session.');
			if (batchSeq < session.lastBatchSeq) throw bad(`session.batch_seq must increase (got ${batchSeq} after ${session.lastBatchSeq})`);
		} else if (batchSeq !== 1) {
			if (operation === 'replace') throw err2650(1870147, 'The first batch of a replace session must have batch_seq 1.');
			throw bad('A new session must start with session.batch_seq 1');
		}

		if (audience.schema) {
			const same = audience.schema.length === schema.length && schema.every((k) => audience.schema.includes(k));
			if (!same) {
				throw err2650(undefined, `Failed to update the custom audience: the schema [${schema.join(',')}] differs from this audience's schema [${audience.schema.join(',')}]. Keep one schema per audience.`);
			}
		}
		const { good, invalid, samples } = validateRows(schema, payload.data, state.config.maxRowsPerRequest);
		ctx.rows = payload.data.length;

		// Only now is the request accepted: state changes below.
		if (!audience.schema) audience.schema = schema;
		const order = audience.schema.map((k) => schema.indexOf(k));
		const rows = good.map((row) => order.map((i) => row[i]));
		if (!session) {
			session = {
				id: sessionId, operation, startMs: t, endMs: 0, numReceived: 0, numInvalid: 0, numMatched: 0,
				lastBatchSeq: 0, closed: false, stage: 'uploading', staged: operation === 'replace' ? new Map() : null,
			};
			audience.sessions.set(sessionId, session);
			if (operation === 'replace') audience.replace = sessionId;
		}
		session.lastBatchSeq = batchSeq;
		session.numReceived += payload.data.length;
		session.numInvalid += invalid;
		for (const row of rows) {
			const key = memberKey(audience.schema, row);
			if (matchable(audience.schema, row) && memberMatches(key, state.config.matchRate)) session.numMatched++;
			if (operation === 'add') addMember(audience, row);
			else if (operation === 'remove') removeMember(audience, row);
			else session.staged.set(key, row);
		}
		if (last) {
			session.closed = true;
			session.endMs = t;
			session.stage = 'finished';
			if (operation === 'replace') {
				audience.members = session.staged;
				session.staged = null;
				audience.replace = null;
				audience.replaceFailed = false;
			}
		}
		audience.uploads++;
		audience.timeContentUpdated = Math.floor(t / 1000);
		state.counters.uploads[operation]++;
		state.counters.rows[operation] += payload.data.length;
		return {
			audience_id: audience.id,
			session_id: String(sessionId),
			num_received: session.numReceived,
			num_invalid_entries: invalid,
			invalid_entry_samples: samples,
		};
	}

	// ----- control API -----

	async function handleControl(req, res, pathname, raw) {
		let body = {};
		if (raw.length) {
			try {
				body = JSON.parse(raw.toString('utf8'));
			} catch {
				return send(res, 400, { error: 'body is not JSON' });
			}
		}
		const ok = (value) => send(res, 200, value);
		try {
			const m = req.method;
			if (m === 'POST' && pathname === '/__sandbox/reset') {
				const keepConfig = { ...defaultConfig(), ...options };
				Object.assign(state, createState(keepConfig));
				seedDefaults(state);
				return ok({ ok: true });
			}
			if (m === 'POST' && pathname === '/__sandbox/seed') {
				const out = { adAccounts: [], tokens: [], audiences: [] };
				for (const a of body.adAccounts || []) out.adAccounts.push(addAccount(state, a));
				for (const tk of body.tokens || []) out.tokens.push(addToken(state, tk));
				for (const a of body.audiences || []) out.audiences.push(addAudience(state, a, clock()));
				return ok(out);
			}
			let match = /^\/__sandbox\/audiences\/([^/]+)\/members$/.exec(pathname);
			if (m === 'GET' && match) {
				const audience = state.audiences.get(match[1]);
				if (!audience) return send(res, 404, { error: 'no such audience' });
				return ok({ schema: audience.schema, rows: [...audience.members.values()], count: audience.members.size, matched: matchedCount(state, audience) });
			}
			if (m === 'GET' && pathname === '/__sandbox/requests') return ok({ requests: state.requests });
			if (m === 'POST' && pathname === '/__sandbox/requests/clear') {
				state.requests = [];
				return ok({ ok: true });
			}
			if (m === 'GET' && pathname === '/__sandbox/counters') return ok(state.counters);
			if (m === 'POST' && pathname === '/__sandbox/faults') {
				const list = Array.isArray(body) ? body : [body];
				for (const f of list) {
					if (!f.error && !f.html5xx && !f.delayMs && !f.answer) throw new Error('a fault needs error, html5xx, answer or delayMs');
					if (f.answer && (typeof f.answer !== 'object' || (f.answer.status !== undefined && !Number.isInteger(f.answer.status)))) {
						throw new Error('fault answer is {status?, body?}');
					}
					if (f.error && typeof f.error.code !== 'number') throw new Error('fault error needs a numeric code');
					if (f.match?.pathRegex) new RegExp(f.match.pathRegex);
					state.faults.push({ ...f, match: f.match || {}, remaining: f.count ?? 1, used: 0 });
				}
				return ok({ faults: state.faults.length });
			}
			if (m === 'GET' && pathname === '/__sandbox/faults') return ok({ faults: state.faults });
			if (m === 'DELETE' && pathname === '/__sandbox/faults') {
				state.faults = [];
				return ok({ ok: true });
			}
			if (m === 'POST' && pathname === '/__sandbox/config') {
				for (const key of Object.keys(body)) {
					if (!(key in state.config)) throw new Error(`unknown config key ${key}`);
				}
				Object.assign(state.config, body);
				return ok({ config: state.config });
			}
			if (m === 'GET' && pathname === '/__sandbox/config') return ok({ config: state.config });
			if (m === 'POST' && pathname === '/__sandbox/clock') {
				state.clockOffsetMs += Number(body.advanceMs || 0);
				return ok({ now: clock() });
			}
			match = /^\/__sandbox\/tokens\/([^/]+)\/expire$/.exec(pathname);
			if (m === 'POST' && match) {
				const token = state.tokens.get(decodeURIComponent(match[1]));
				if (!token) return send(res, 404, { error: 'no such token' });
				token.expired = true;
				return ok({ ok: true });
			}
			return send(res, 404, { error: `no control route ${m} ${pathname}` });
		} catch (error) {
			return send(res, 400, { error: error.message });
		}
	}

	await new Promise((resolve, reject) => {
		server.once('error', reject);
		server.listen(port, host, resolve);
	});
	const address = server.address();
	const sockets = new Set();
	server.on('connection', (socket) => {
		sockets.add(socket);
		socket.on('close', () => sockets.delete(socket));
	});
	return {
		url: `http://${host}:${address.port}`,
		state,
		close: () =>
			new Promise((resolve) => {
				for (const socket of sockets) socket.destroy();
				server.close(() => resolve());
			}),
	};
}

module.exports = { startMetaSandbox, MULTI_KEYS, DEFAULT_ACCOUNT, DEFAULT_TOKEN };
