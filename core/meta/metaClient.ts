// The Meta Graph client the nodes use: pure (no n8n imports, no timers), talking through an
// injected Transport and waiting through an injected Sleep. Wire format:
// docs/contracts/meta-graph.md (mirrored in sandbox/meta.js).

import { createHmac, randomBytes } from 'node:crypto';
import type { HttpMethod, HttpResponse, Sleep, Transport } from '../http';
import { describeBody } from '../errors';
import { refusedRows, type RefusedRow } from '../identifiers/metaKeys';
import { DEFAULT_RETRY, withRetry, type RetryOptions } from '../retry';
import { MetaApiError } from './metaErrors';

export interface MetaCredentials {
	accessToken: string;
	appSecret?: string;
	/** e.g. `v26.0` */
	apiVersion: string;
	/** e.g. `https://graph.facebook.com` or the sandbox URL */
	baseUrl: string;
}

export interface MetaClientOptions {
	credentials: MetaCredentials;
	transport: Transport;
	sleep: Sleep;
	now?: () => number;
	retry?: Partial<RetryOptions>;
	/** A usage header at or above this percentage slows the client down. */
	slowDownAtPct?: number;
	timeoutMs?: number;
}

export interface MetaStats {
	requests: number;
	uploadCalls: number;
	retries: number;
	waitedMs: number;
}

export interface MetaStatus {
	code: number;
	description: string;
}

export interface MetaAudience {
	id: string;
	name?: string;
	description?: string;
	subtype?: string;
	customer_file_source?: string;
	approximate_count_lower_bound?: number;
	approximate_count_upper_bound?: number;
	delivery_status?: MetaStatus;
	operation_status?: MetaStatus;
	time_created?: number;
	time_updated?: number;
	time_content_updated?: number;
	retention_days?: number;
	account_id?: string;
	[field: string]: unknown;
}

export interface MetaAdAccount {
	id: string;
	name?: string;
	account_id?: string;
}

export interface MetaUploadSession {
	session_id: string;
	start_time?: number;
	end_time?: number;
	num_received?: number;
	num_matched?: number;
	num_invalid_entries?: number;
	progress?: number;
	stage?: string;
}

export type UploadOperation = 'add' | 'remove' | 'replace';

export interface UploadRequest {
	audienceId: string;
	operation: UploadOperation;
	schema: string[];
	rows: string[][];
	session: { sessionId: number; batchSeq: number; lastBatchFlag: boolean; estimatedNumTotal?: number };
	/** The audience's ad account, for the hints (terms URL); optional: looked up when needed. */
	adAccountId?: string;
	/**
	 * Rows that fail the wire gate (a hashed key that is not 64-hex SHA-256, an EXTERN_ID or
	 * MADID that looks like an e-mail or phone): 'throw' (default) sends nothing of the batch;
	 * 'skip' sends the others and lists the refused ones in the result.
	 */
	invalidRows?: 'throw' | 'skip';
}

export interface UploadResult {
	numReceived: number;
	numInvalidEntries: number;
	invalidEntrySamples: Record<string, unknown>;
	sessionId: string;
	/** Rows the wire gate kept back (only with `invalidRows: 'skip'`); never sent. */
	refused?: RefusedRow[];
}

/** Thrown when rows of a batch fail the wire gate: nothing of the batch was sent. */
export class RowsRefusedError extends MetaApiError {
	constructor(readonly refused: RefusedRow[]) {
		const first = refused.slice(0, 5).map((r) => `row ${r.index} ${r.key}: ${r.reason}`).join('; ');
		super({
			status: 0,
			kind: 'bad_request',
			message: `${refused.length} row(s) of the batch may not go to Meta (${first}${refused.length > 5 ? '; …' : ''}); nothing of this batch was sent`,
		});
		this.name = 'RowsRefusedError';
	}
}

/** Most pages List Audiences may take (Meta keeps at most 500 audiences an ad account). */
export const MAX_AUDIENCE_PAGES = 200;
/** Most audiences a listing may bring before it is taken for a loop (twice Meta's maximum). */
export const MAX_LISTED_AUDIENCES = 1000;
/** Empty pages in a row (with a `next` link) before a listing is taken for a loop. */
export const MAX_EMPTY_PAGES_IN_A_ROW = 25;

export type CustomerFileSource = 'USER_PROVIDED_ONLY' | 'PARTNER_PROVIDED_ONLY' | 'BOTH_USER_AND_PARTNER_PROVIDED';

export const MAX_ROWS_PER_UPLOAD = 10_000;
export const AUDIENCE_LIST_FIELDS = [
	'id', 'name', 'description', 'subtype', 'approximate_count_lower_bound', 'approximate_count_upper_bound',
	'delivery_status', 'operation_status', 'time_updated',
];
export const AUDIENCE_FIELDS = [
	'id', 'account_id', 'name', 'description', 'subtype', 'customer_file_source',
	'approximate_count_lower_bound', 'approximate_count_upper_bound', 'delivery_status', 'operation_status',
	'time_updated', 'time_content_updated', 'retention_days',
];

/** Accepts `123`, `act_123` (and stray spaces); returns `act_123`. */
export function normalizeAdAccountId(id: string | number): string {
	const text = String(id).trim();
	const m = /^(?:act_)?(\d+)$/.exec(text);
	if (!m) {
		throw new MetaApiError({ status: 0, kind: 'bad_request', message: `"${text.slice(0, 40)}" is not an ad account id (expected act_<digits> or digits)` });
	}
	return `act_${m[1]}`;
}

export function appSecretProof(accessToken: string, appSecret: string, unixSeconds: number): string {
	return createHmac('sha256', appSecret).update(`${accessToken}|${unixSeconds}`).digest('hex');
}

interface CallOptions {
	qs?: Record<string, string | number | boolean | undefined>;
	body?: Record<string, unknown>;
	/** For hints (terms URL, permission). */
	adAccountId?: string;
	/** A call that must not run twice (create): retried only when Meta refused it outright. */
	idempotent?: boolean;
	upload?: boolean;
}

export class MetaClient {
	readonly stats: MetaStats = { requests: 0, uploadCalls: 0, retries: 0, waitedMs: 0 };
	private readonly credentials: MetaCredentials;
	private readonly transport: Transport;
	private readonly sleep: Sleep;
	private readonly now: () => number;
	private readonly retry: RetryOptions;
	private readonly slowDownAtPct: number;
	private readonly timeoutMs?: number;
	private readonly root: string;

	constructor(options: MetaClientOptions) {
		this.credentials = options.credentials;
		this.transport = options.transport;
		this.sleep = options.sleep;
		this.now = options.now ?? (() => Date.now());
		this.slowDownAtPct = options.slowDownAtPct ?? 90;
		this.timeoutMs = options.timeoutMs;
		const version = options.credentials.apiVersion.trim();
		if (!/^v\d+\.\d+$/.test(version)) {
			throw new MetaApiError({ status: 0, kind: 'version', message: `API version "${version.slice(0, 20)}" is not of the form v26.0` });
		}
		if (!options.credentials.accessToken) {
			throw new MetaApiError({ status: 0, kind: 'auth', message: 'No access token in the credential' });
		}
		this.root = `${options.credentials.baseUrl.replace(/\/+$/, '')}/${version}`;
		this.retry = {
			...DEFAULT_RETRY,
			...options.retry,
			sleep: options.sleep,
			onRetry: (info) => {
				this.stats.retries++;
				this.stats.waitedMs += info.waitMs;
				options.retry?.onRetry?.(info);
			},
		};
	}

	/** A session id for one upload operation: random, an integer below 2^53 as Meta wants. */
	newSessionId(): number {
		const bytes = randomBytes(8);
		const value = Number(bytes.readBigUInt64BE(0) & ((1n << 53n) - 1n));
		return value === 0 ? 1 : value;
	}

	async listAdAccounts(options: { after?: string; limit?: number } = {}): Promise<{ adAccounts: MetaAdAccount[]; nextCursor?: string }> {
		const body = await this.call<GraphPage<MetaAdAccount>>('GET', 'me/adaccounts', {
			qs: { fields: 'id,name,account_id', limit: options.limit, after: options.after },
		});
		const data = pageData<MetaAdAccount>(body, 'GET me/adaccounts');
		return { adAccounts: data, nextCursor: nextCursorOf(body, 'GET me/adaccounts') };
	}

	/** One page of customer-list audiences. A page may be empty while more follow: check nextCursor. */
	async listCustomerListAudiencesPage(
		adAccountId: string,
		options: { after?: string; limit?: number; fields?: string[] } = {},
	): Promise<{ audiences: MetaAudience[]; nextCursor?: string }> {
		const account = normalizeAdAccountId(adAccountId);
		const fields = new Set(options.fields ?? AUDIENCE_LIST_FIELDS);
		fields.add('id');
		fields.add('subtype');
		const body = await this.call<GraphPage<MetaAudience>>('GET', `${account}/customaudiences`, {
			qs: { fields: [...fields].join(','), limit: options.limit, after: options.after },
			adAccountId: account,
		});
		const call = `GET ${account}/customaudiences`;
		const data = pageData<MetaAudience>(body, call);
		for (const a of data) {
			if (!a || typeof a !== 'object' || (typeof a.id !== 'string' && typeof a.id !== 'number')) throw contractError(call, 'an audience without an id');
		}
		return {
			audiences: data.filter((a) => a.subtype === 'CUSTOM'),
			nextCursor: nextCursorOf(body, call),
			rawCount: data.length,
		} as { audiences: MetaAudience[]; nextCursor?: string };
	}

	async listAllCustomerListAudiences(adAccountId: string, options: { limit?: number } = {}): Promise<MetaAudience[]> {
		const all: MetaAudience[] = [];
		let after: string | undefined;
		const seen = new Set<string>();
		let listed = 0;
		let emptyInARow = 0;
		const stop = (problem: string, pages: number) =>
			new MetaApiError({ status: 0, kind: 'paging', message: `List Audiences: ${problem} after ${pages} page(s); paging stopped` });
		for (let pages = 1; ; pages++) {
			const page = (await this.listCustomerListAudiencesPage(adAccountId, { after, limit: options.limit ?? 100 })) as {
				audiences: MetaAudience[];
				nextCursor?: string;
				rawCount?: number;
			};
			all.push(...page.audiences);
			listed += page.rawCount ?? page.audiences.length;
			if (!page.nextCursor) return all;
			// Meta may send short or empty pages while `next` exists, but not without end.
			emptyInARow = (page.rawCount ?? page.audiences.length) === 0 ? emptyInARow + 1 : 0;
			if (emptyInARow >= MAX_EMPTY_PAGES_IN_A_ROW) throw stop(`${emptyInARow} empty pages in a row, each with a next link`, pages);
			if (listed > MAX_LISTED_AUDIENCES) throw stop(`${listed} audiences listed, more than an ad account can hold (500)`, pages);
			if (pages >= MAX_AUDIENCE_PAGES) throw stop('too many pages for an ad account of at most 500 audiences', pages);
			// A cursor seen twice would loop for ever; Meta never does that, a proxy might.
			if (seen.has(page.nextCursor)) throw stop('the same paging cursor came twice', pages);
			seen.add(page.nextCursor);
			after = page.nextCursor;
		}
	}

	async getAudience(audienceId: string, fields: string[] = AUDIENCE_FIELDS): Promise<MetaAudience> {
		const path = audiencePath(audienceId);
		const body = await this.call<MetaAudience>('GET', path, { qs: { fields: fields.join(',') } });
		if (Array.isArray(body) || (typeof body.id !== 'string' && typeof body.id !== 'number')) {
			throw contractError(`GET /<audience ${path}>`, `${describeBody(body)} instead of an audience with an id`);
		}
		return body;
	}

	async createAudience(
		adAccountId: string,
		options: { name: string; description?: string; customerFileSource: CustomerFileSource },
	): Promise<{ id: string }> {
		const account = normalizeAdAccountId(adAccountId);
		const body: Record<string, unknown> = {
			name: options.name,
			subtype: 'CUSTOM',
			customer_file_source: options.customerFileSource,
		};
		if (options.description) body.description = options.description;
		const answer = await this.call<{ id: string }>('POST', `${account}/customaudiences`, {
			body,
			adAccountId: account,
			idempotent: false,
		});
		if (Array.isArray(answer) || (typeof answer.id !== 'string' && typeof answer.id !== 'number') || !/^\d+$/.test(String(answer.id))) {
			throw contractError(`POST ${account}/customaudiences`, `${describeBody(answer)} instead of {id}`);
		}
		return { id: String(answer.id) };
	}

	async updateAudience(audienceId: string, changes: { name?: string; description?: string }): Promise<{ success: boolean }> {
		const body: Record<string, unknown> = {};
		if (changes.name !== undefined) body.name = changes.name;
		if (changes.description !== undefined) body.description = changes.description;
		const answer = await this.call<{ success: boolean }>('POST', audiencePath(audienceId), { body });
		if (typeof answer.success !== 'boolean') throw contractError('POST /<audience>', `${describeBody(answer)} instead of {success}`);
		return answer;
	}

	async getTermsAccepted(adAccountId: string): Promise<boolean> {
		const account = normalizeAdAccountId(adAccountId);
		const body = await this.call<{ tos_accepted?: Record<string, number> }>('GET', account, {
			qs: { fields: 'tos_accepted' },
			adAccountId: account,
		});
		if (Array.isArray(body) || (body.tos_accepted !== undefined && (typeof body.tos_accepted !== 'object' || body.tos_accepted === null))) {
			throw contractError(`GET ${account}?fields=tos_accepted`, `${describeBody(body)} instead of {tos_accepted, id}`);
		}
		return body.tos_accepted?.custom_audience_tos === 1;
	}

	async upload(request: UploadRequest): Promise<UploadResult> {
		const { schema, rows, session } = request;
		// Checked here so a bad batch never reaches Meta (and never shows up in an error text).
		if (rows.length === 0) throw localError('An upload needs at least one row');
		if (rows.length > MAX_ROWS_PER_UPLOAD) throw localError(`At most ${MAX_ROWS_PER_UPLOAD} rows per upload (got ${rows.length})`);
		for (let i = 0; i < rows.length; i++) {
			if (rows[i].length !== schema.length) throw localError(`Row ${i} has ${rows[i].length} values; the schema has ${schema.length}`);
		}
		if (!Number.isSafeInteger(session.sessionId) || session.sessionId < 1) throw localError('session id must be a positive integer below 2^53');
		// The last gate before the wire: a plain identifier never reaches Meta, whoever built the row.
		const refused = refusedRows(schema, rows);
		let sendRows = rows;
		if (refused.length) {
			if (request.invalidRows !== 'skip') throw new RowsRefusedError(refused);
			const out = new Set(refused.map((r) => r.index));
			sendRows = rows.filter((_, i) => !out.has(i));
			if (!sendRows.length) {
				return { numReceived: 0, numInvalidEntries: 0, invalidEntrySamples: {}, sessionId: String(session.sessionId), refused };
			}
		}
		const sessionBody: Record<string, unknown> = {
			session_id: session.sessionId,
			batch_seq: session.batchSeq,
			last_batch_flag: session.lastBatchFlag,
		};
		if (session.estimatedNumTotal !== undefined) sessionBody.estimated_num_total = session.estimatedNumTotal;
		const body = { payload: { schema, is_raw: true, data: sendRows }, session: sessionBody };
		const method: HttpMethod = request.operation === 'remove' ? 'DELETE' : 'POST';
		const edge = request.operation === 'replace' ? 'usersreplace' : 'users';
		const path = `${audiencePath(request.audienceId)}/${edge}`;
		let answer: Record<string, unknown>;
		try {
			answer = await this.call<Record<string, unknown>>(method, path, {
				body,
				upload: true,
				adAccountId: request.adAccountId ? normalizeAdAccountId(request.adAccountId) : undefined,
			});
		} catch (error) {
			throw await this.withTermsAccount(error, request);
		}
		const result = uploadResultOf(answer, `${method} /<audience>/${edge}`, session.sessionId);
		return refused.length ? { ...result, refused } : result;
	}

	/**
	 * A terms-not-accepted error names the acceptance URL with the ad account; when neither the
	 * caller nor Meta's usage headers said which account, the audience says it.
	 */
	private async withTermsAccount(error: unknown, request: UploadRequest): Promise<unknown> {
		if (!(error instanceof MetaApiError) || error.kind !== 'terms' || !/<ad account id>/.test(error.hint)) return error;
		let account: string | undefined;
		try {
			const audience = await this.call<MetaAudience>('GET', audiencePath(request.audienceId), { qs: { fields: 'account_id' } });
			if (audience && /^\d+$/.test(String(audience.account_id ?? ''))) account = `act_${audience.account_id}`;
		} catch {
			account = undefined;
		}
		if (!account) return error;
		return new MetaApiError({
			status: error.status,
			code: error.code,
			subcode: error.subcode,
			type: error.type,
			message: error.metaMessage,
			fbtraceId: error.fbtraceId,
			userTitle: error.userTitle,
			userMessage: error.userMessage,
			adAccountId: account,
		});
	}

	async getSessions(audienceId: string, sessionId?: number | string): Promise<MetaUploadSession[]> {
		const body = await this.call<GraphPage<MetaUploadSession>>('GET', `${audiencePath(audienceId)}/sessions`, {
			qs: { session_id: sessionId === undefined ? undefined : String(sessionId) },
		});
		const data = pageData<MetaUploadSession>(body, 'GET /<audience>/sessions');
		for (const entry of data) {
			if (!entry || typeof entry !== 'object' || (typeof entry.session_id !== 'string' && typeof entry.session_id !== 'number')) {
				throw contractError('GET /<audience>/sessions', 'a session without session_id');
			}
		}
		return data;
	}

	/** One Graph call with retries; returns the parsed body or throws MetaApiError. */
	async call<T>(method: HttpMethod, path: string, options: CallOptions = {}): Promise<T> {
		const idempotent = options.idempotent ?? true;
		return withRetry(
			() => this.once<T>(method, path, options),
			(error) => {
				if (!(error instanceof MetaApiError) || !error.retryable) return { retry: false };
				// A create that may have reached Meta is not repeated: only a refusal (throttling) is safe.
				if (!idempotent && error.kind !== 'rate_limit') return { retry: false };
				// Throttled without a usage header saying how long: keep backing off up to Maximum Wait.
				return { retry: true, waitMs: error.waitMs, untilBudget: error.kind === 'rate_limit' && error.waitMs === undefined };
			},
			this.retry,
		);
	}

	private async once<T>(method: HttpMethod, path: string, options: CallOptions): Promise<T> {
		const { accessToken, appSecret } = this.credentials;
		const qs: Record<string, string | number | boolean | undefined> = { ...options.qs };
		if (appSecret) {
			// Computed per attempt: a proof is valid 5 minutes and retries may wait longer.
			const time = Math.floor(this.now() / 1000);
			qs.appsecret_proof = appSecretProof(accessToken, appSecret, time);
			qs.appsecret_time = time;
		}
		this.stats.requests++;
		if (options.upload) this.stats.uploadCalls++;
		const response: HttpResponse = await this.transport({
			method,
			url: `${this.root}/${path}`,
			qs,
			headers: { authorization: `Bearer ${accessToken}` },
			body: options.body,
			timeoutMs: this.timeoutMs,
		}).catch((error: unknown) => {
			throw new MetaApiError({
				status: 0,
				kind: 'transient',
				message: `Network error: ${this.redact(error instanceof Error ? error.message : String(error))}`,
			});
		});
		const usage = readUsage(response.headers);
		const body = response.body as { error?: GraphErrorBody } | undefined;
		if (response.status >= 400 || !body || typeof body !== 'object' || body.error) {
			throw this.toError(response, usage, options.adAccountId);
		}
		if (usage.maxPct >= this.slowDownAtPct) {
			// Near the limit: spread the next calls out instead of running into a throttle.
			const wait = Math.min(this.retry.maxDelayMs, this.retry.baseDelayMs * (usage.maxPct - this.slowDownAtPct + 1));
			this.stats.waitedMs += wait;
			await this.sleep(wait);
		}
		return body as T;
	}

	private toError(response: HttpResponse, usage: Usage, adAccountId?: string): MetaApiError {
		const body = response.body as { error?: GraphErrorBody } | string | undefined;
		if (!body || typeof body !== 'object' || !body.error || typeof body.error !== 'object') {
			// An HTML page or empty answer comes from a proxy or an outage, not from Graph.
			return new MetaApiError({
				status: response.status,
				kind: 'transient',
				message: `HTTP ${response.status} with a non-JSON answer`,
				waitMs: usage.waitMs,
			});
		}
		const e = body.error;
		const code = toNumber(e.code);
		const error = new MetaApiError({
			status: response.status,
			code,
			subcode: toNumber(e.error_subcode),
			type: typeof e.type === 'string' ? e.type : undefined,
			message: this.redact(String(e.message ?? 'no message')),
			fbtraceId: typeof e.fbtrace_id === 'string' ? e.fbtrace_id : undefined,
			userTitle: typeof e.error_user_title === 'string' ? this.redact(e.error_user_title) : undefined,
			userMessage: typeof e.error_user_msg === 'string' ? this.redact(e.error_user_msg) : undefined,
			isTransient: e.is_transient === true,
			adAccountId: adAccountId ?? usage.adAccountId,
			waitMs: usage.waitMs,
		});
		return error;
	}

	/** Meta's texts are shown to users: strip the token, the secret and anything that looks like a hashed row. */
	private redact(text: string): string {
		let out = text;
		for (const secret of [this.credentials.accessToken, this.credentials.appSecret]) {
			if (secret) out = out.split(secret).join('***');
		}
		return out.replace(/\b[0-9a-f]{64}\b/gi, '<hash>');
	}
}

interface GraphErrorBody {
	message?: unknown;
	type?: unknown;
	code?: unknown;
	error_subcode?: unknown;
	error_user_title?: unknown;
	error_user_msg?: unknown;
	fbtrace_id?: unknown;
	is_transient?: unknown;
}

interface GraphPage<T> {
	data?: T[];
	paging?: { cursors?: { before?: string; after?: string }; next?: string };
}

interface Usage {
	maxPct: number;
	waitMs?: number;
	adAccountId?: string;
}

function localError(message: string): MetaApiError {
	return new MetaApiError({ status: 0, kind: 'bad_request', message });
}

function contractError(call: string, problem: string): MetaApiError {
	return new MetaApiError({ status: 200, kind: 'contract', message: `${call} answered with ${problem}: not the documented answer` });
}

/** `data` of a Graph listing: a list, or the answer does not fit the contract. */
function pageData<T>(body: unknown, call: string): T[] {
	const b = body as GraphPage<T>;
	if (!b || typeof b !== 'object' || Array.isArray(b) || !Array.isArray(b.data)) {
		throw contractError(call, `${describeBody(body)} instead of {data: [...]}`);
	}
	if (b.paging !== undefined && (typeof b.paging !== 'object' || b.paging === null)) throw contractError(call, 'a paging that is not an object');
	return b.data;
}

const toCount = (v: unknown): number | undefined =>
	typeof v === 'number' && Number.isInteger(v) && v >= 0 ? v : typeof v === 'string' && /^\d{1,15}$/.test(v) ? Number(v) : undefined;

/**
 * Only the documented upload answer is a commit: the session it belongs to and the count
 * received. `{}`, `{"success":false}`, `[]` or another session's answer is not.
 */
export function uploadResultOf(answer: unknown, call: string, sessionId: number): UploadResult {
	const a = answer as Record<string, unknown>;
	if (!a || typeof a !== 'object' || Array.isArray(a)) throw contractError(call, `${describeBody(answer)} instead of the upload result`);
	const received = toCount(a.num_received);
	if (received === undefined) throw contractError(call, `${describeBody(answer)} without num_received`);
	const session = a.session_id;
	if ((typeof session !== 'string' && typeof session !== 'number') || String(session) === '') {
		throw contractError(call, `${describeBody(answer)} without session_id`);
	}
	if (String(session) !== String(sessionId)) throw contractError(call, 'the result of another upload session');
	const invalid = a.num_invalid_entries === undefined ? 0 : toCount(a.num_invalid_entries);
	if (invalid === undefined) throw contractError(call, 'a num_invalid_entries that is not a count');
	const samples = a.invalid_entry_samples;
	return {
		numReceived: received,
		numInvalidEntries: invalid,
		invalidEntrySamples: samples && typeof samples === 'object' && !Array.isArray(samples) ? (samples as Record<string, unknown>) : {},
		sessionId: String(session),
	};
}

function audiencePath(audienceId: string): string {
	const id = String(audienceId).trim();
	if (!/^\d+$/.test(id)) throw localError(`"${id.slice(0, 40)}" is not a Meta audience id (digits only)`);
	return id;
}

function nextCursorOf(body: GraphPage<unknown>, call = 'Graph listing'): string | undefined {
	// Only `next` says more pages exist; a cursor alone does not.
	if (!body.paging?.next) return undefined;
	if (typeof body.paging.next !== 'string') throw contractError(call, 'a next link that is not a URL');
	let fromUrl: string | null = null;
	try {
		fromUrl = new URL(body.paging.next).searchParams.get('after');
	} catch {
		throw contractError(call, 'a next link that is not a URL');
	}
	const cursor = body.paging.cursors?.after ?? fromUrl ?? undefined;
	if (typeof cursor !== 'string' || !cursor) throw contractError(call, 'a next link without an after cursor');
	return cursor;
}

function toNumber(value: unknown): number | undefined {
	if (typeof value === 'number' && Number.isFinite(value)) return value;
	if (typeof value === 'string' && /^\d+$/.test(value)) return Number(value);
	return undefined;
}

function parseJsonHeader(value: string | undefined): unknown {
	if (!value) return undefined;
	try {
		return JSON.parse(value);
	} catch {
		return undefined;
	}
}

/** Reads the three usage headers: the highest percentage and the longest regain time. */
export function readUsage(headers: Record<string, string>): Usage {
	let maxPct = 0;
	let regainMinutes = 0;
	let adAccountId: string | undefined;
	const pct = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? v : 0);
	const buc = parseJsonHeader(headers['x-business-use-case-usage']);
	if (buc && typeof buc === 'object') {
		for (const [id, entries] of Object.entries(buc as Record<string, unknown>)) {
			if (!Array.isArray(entries)) continue;
			for (const entry of entries as Array<Record<string, unknown>>) {
				maxPct = Math.max(maxPct, pct(entry.call_count), pct(entry.total_cputime), pct(entry.total_time));
				const regain = pct(entry.estimated_time_to_regain_access);
				if (!adAccountId && /^\d+$/.test(id)) adAccountId = `act_${id}`;
				if (regain > regainMinutes) {
					regainMinutes = regain;
					adAccountId = /^\d+$/.test(id) ? `act_${id}` : undefined;
				}
			}
		}
	}
	const account = parseJsonHeader(headers['x-ad-account-usage']) as Record<string, unknown> | undefined;
	let resetSeconds = 0;
	if (account && typeof account === 'object') {
		maxPct = Math.max(maxPct, pct(account.acc_id_util_pct));
		if (pct(account.acc_id_util_pct) >= 100) resetSeconds = pct(account.reset_time_duration);
	}
	const app = parseJsonHeader(headers['x-app-usage']) as Record<string, unknown> | undefined;
	if (app && typeof app === 'object') {
		maxPct = Math.max(maxPct, pct(app.call_count), pct(app.total_cputime), pct(app.total_time));
	}
	const waitMs = regainMinutes > 0 ? regainMinutes * 60_000 : resetSeconds > 0 ? resetSeconds * 1000 : undefined;
	return { maxPct, waitMs, adAccountId };
}
