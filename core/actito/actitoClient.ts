// The Actito HTTP client: token exchange and renewal, the licence's concurrency and per-minute
// limits, backoff on 429/5xx, and errors that say what to fix. Pure core: it reaches the
// network only through the injected Transport and waits only through the injected Sleep.

import { createHash } from 'node:crypto';

import { CoreError, redactIdentifiers } from '../errors';
import type { HttpMethod, HttpResponse, Sleep, Transport } from '../http';
import { DEFAULT_RETRY, withRetry, type RetryOptions } from '../retry';

export interface ActitoCredentials {
	apiKey: string;
	/** e.g. https://api.actito.com, or the sandbox's URL. */
	baseUrl: string;
	entity: string;
}

export interface ActitoClientOptions {
	credentials: ActitoCredentials;
	transport: Transport;
	sleep: Sleep;
	/** Milliseconds since the epoch; tests pass a fake clock. */
	now?: () => number;
	/** Requests in flight at once; clamped to 1..5 (the licence refuses a 6th). */
	maxInFlight?: number;
	/** This client's share of the licence's 100 calls a minute. */
	callsPerMinute?: number;
	/**
	 * Call times shared with the other clients of the same licence in this process
	 * (sharedMinuteWindow): the share then bounds the process, not one client.
	 */
	minuteWindow?: number[];
	retry?: Partial<Omit<RetryOptions, 'sleep'>>;
	timeoutMs?: number;
}

export interface ActitoRequestOptions {
	qs?: Record<string, string | number | boolean | undefined>;
	body?: unknown;
}

export interface ActitoStats {
	requests: number;
	tokenFetches: number;
	retries: number;
}

function kindOfStatus(status: number): string {
	if (status === 0) return 'network';
	if (status >= 200 && status < 300) return 'contract';
	if (status === 401) return 'auth';
	if (status === 403) return 'permission';
	if (status === 404) return 'not_found';
	if (status === 409) return 'conflict';
	if (status === 429) return 'rate_limit';
	if (status >= 500) return 'transient';
	return 'bad_request';
}

const HINTS: Record<string, string> = {
	network: 'Check the hosting environment or base URL in the Actito API credential, and that n8n can reach it.',
	contract:
		'A proxy, a captive portal or a changed API answered instead of Actito. Check the base URL in the Actito API credential and run again: nothing was decided on this answer.',
	paging: 'Actito (or a proxy in front of it) pages without end. Run again later; if it persists, report it with the page count.',
	auth: 'Check the API key in the Actito API credential and that it belongs to the selected hosting environment.',
	permission: 'Give the API key the rights it needs on this entity in Actito, or use another key.',
	not_found: 'Check the entity in the credential and the table, audience or id in the node.',
	conflict: 'Something of the same kind already exists in Actito: remove or reuse it.',
	rate_limit: 'Actito is throttling the licence: lower "Max Requests in Flight" or "Calls per Minute", or run later.',
	transient: 'A temporary problem at Actito. Run again later.',
	bad_request: 'Actito refused the request as invalid: check the node settings.',
};

export class ActitoApiError extends CoreError {
	declare readonly status: number;
	readonly method?: string;
	readonly path?: string;

	constructor(
		message: string,
		/** HTTP status; 0 when the service could not be reached. */
		status: number,
		method?: string,
		path?: string,
		/** The service's own message, cleaned of secrets. */
		readonly serviceMessage?: string,
		/** A wait the service asked for (Retry-After), in ms. */
		readonly retryAfterMs?: number,
		kind?: string,
	) {
		const k = kind ?? kindOfStatus(status);
		// No identifier ever reaches an error text: a Get Profile by e-mail has it in its path.
		super(redactIdentifiers(message), { kind: k, status, hint: HINTS[k] });
		this.name = 'ActitoApiError';
		this.method = method;
		this.path = path === undefined ? undefined : redactIdentifiers(path);
	}
}

const LICENCE_MAX_IN_FLIGHT = 5;
const MINUTE = 60_000;

/** "900s", "900", 900 → ms; unknown → the documented 15 minutes. */
export function parseExpiresIn(value: unknown): number {
	if (typeof value === 'number' && Number.isFinite(value) && value > 0) return value * 1000;
	if (typeof value === 'string') {
		const m = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m)?\s*$/i.exec(value);
		if (m) {
			const n = Number(m[1]);
			const unit = (m[2] ?? 's').toLowerCase();
			const ms = unit === 'ms' ? n : unit === 'm' ? n * MINUTE : n * 1000;
			if (ms > 0) return ms;
		}
	}
	return 15 * MINUTE;
}

/** Counting semaphore on promises: no timers, FIFO hand-over. */
class Semaphore {
	private active = 0;
	private readonly waiting: Array<() => void> = [];
	constructor(private readonly limit: number) {}

	async acquire(): Promise<void> {
		if (this.active < this.limit) {
			this.active++;
			return;
		}
		await new Promise<void>((resolve) => this.waiting.push(resolve));
	}

	release(): void {
		const next = this.waiting.shift();
		// The slot passes straight to the next waiter, so `active` does not change.
		if (next) next();
		else this.active--;
	}
}

function messageOf(body: unknown): string | undefined {
	if (body && typeof body === 'object') {
		const b = body as Record<string, unknown>;
		for (const key of ['message', 'detail', 'error_description', 'title', 'error']) {
			if (typeof b[key] === 'string' && b[key]) return b[key] as string;
		}
		return undefined;
	}
	if (typeof body === 'string' && body.trim()) {
		// An HTML error page says little; keep its gist short.
		return body.replace(/<[^>]*>/g, ' ').replace(/\s+/g, ' ').trim().slice(0, 200) || undefined;
	}
	return undefined;
}

function retryAfterMs(headers: Record<string, string>): number | undefined {
	const value = headers['retry-after'];
	if (!value) return undefined;
	const seconds = Number(value);
	return Number.isFinite(seconds) && seconds >= 0 ? seconds * 1000 : undefined;
}

// One rolling minute per licence and process. Each step of a run (Sync, then Log Negative
// Consent) and each run after another on the same worker builds its own client; with a window of
// their own, a worker could make the whole share in the Sync step's last minute and again in the
// next step's first, and two workers pass the licence's 100. Sharing it keeps a worker at its share.
const minuteWindows = new Map<string, number[]>();

/** The shared call-time window of one licence (base URL + API key, kept only as a digest). */
export function sharedMinuteWindow(baseUrl: string, apiKey: string): number[] {
	const key = createHash('sha256').update(`${baseUrl.replace(/\/+$/, '')}\n${apiKey}`).digest('hex');
	let window = minuteWindows.get(key);
	if (!window) {
		window = [];
		minuteWindows.set(key, window);
	}
	return window;
}

export class ActitoClient {
	readonly stats: ActitoStats = { requests: 0, tokenFetches: 0, retries: 0 };
	readonly entity: string;
	readonly maxInFlight: number;
	readonly callsPerMinute: number;

	private readonly baseUrl: string;
	private readonly apiKey: string;
	private readonly transport: Transport;
	private readonly sleep: Sleep;
	private readonly now: () => number;
	private readonly retry: Omit<RetryOptions, 'sleep'>;
	private readonly timeoutMs?: number;
	private readonly slots: Semaphore;
	private readonly callTimes: number[];
	/** Time as the limiter sees it: never behind what it has already slept through. */
	private limiterClock = 0;
	private token?: { value: string; renewAt: number };
	private tokenPromise?: Promise<string>;
	/** Every token seen, so that none ever leaks into an error message. */
	private readonly secrets = new Set<string>();

	constructor(options: ActitoClientOptions) {
		const { credentials } = options;
		this.apiKey = credentials.apiKey;
		this.baseUrl = credentials.baseUrl.replace(/\/+$/, '');
		this.entity = credentials.entity;
		this.transport = options.transport;
		this.sleep = options.sleep;
		this.now = options.now ?? (() => Date.now());
		this.maxInFlight = Math.min(LICENCE_MAX_IN_FLIGHT, Math.max(1, Math.floor(options.maxInFlight ?? 2)));
		this.callsPerMinute = Math.max(1, Math.floor(options.callsPerMinute ?? 60));
		this.retry = { ...DEFAULT_RETRY, ...options.retry };
		this.timeoutMs = options.timeoutMs;
		this.slots = new Semaphore(this.maxInFlight);
		this.callTimes = options.minuteWindow ?? [];
		if (this.apiKey) this.secrets.add(this.apiKey);
	}

	/** One call of the API; resolves to the parsed body. Throws ActitoApiError. */
	async request<T = unknown>(method: HttpMethod, path: string, options: ActitoRequestOptions = {}): Promise<T> {
		let renewed = false;
		const response = await this.withBackoff(method, path, async () => {
			const token = await this.getToken();
			const res = await this.send(method, path, options, token);
			if (res.status !== 401) return res;
			// A token can expire or be revoked before its announced lifetime: renew once per call.
			if (renewed) {
				throw this.error(
					`Actito refused a freshly issued access token (HTTP 401) on ${method} ${path}. ` +
						'Check that the API key in the Actito API credential has access to this entity and hosting environment.',
					res,
					method,
					path,
				);
			}
			renewed = true;
			this.invalidate(token);
			const fresh = await this.getToken();
			const again = await this.send(method, path, options, fresh);
			if (again.status === 401) {
				throw this.error(
					`Actito refused a freshly issued access token (HTTP 401) on ${method} ${path}. ` +
						'Check that the API key in the Actito API credential has access to this entity and hosting environment.',
					again,
					method,
					path,
				);
			}
			return again;
		});
		if (response.status >= 200 && response.status < 300) return response.body as T;
		throw await this.describeFailure(method, path, response);
	}

	/** Drops the cached token (e.g. after a credential change). */
	clearToken(): void {
		this.token = undefined;
	}

	private async withBackoff(method: string, path: string, operation: () => Promise<HttpResponse>): Promise<HttpResponse> {
		return withRetry(
			async () => {
				const res = await operation();
				if (res.status === 429 || res.status >= 500) {
					throw this.error(
						res.status === 429
							? `Actito refused ${method} ${path}: too many requests for the licence (HTTP 429). Lower "Max Requests in Flight" or "Calls per Minute", or retry later.`
							: `Actito answered HTTP ${res.status} on ${method} ${path}: the service is unavailable; retry later.`,
						res,
						method,
						path,
					);
				}
				return res;
			},
			(error) => {
				if (error instanceof ActitoApiError && (error.status === 0 || error.status === 429 || error.status >= 500)) {
					// A 429 without Retry-After: keep backing off up to the caller's maximum wait.
					return { retry: true, waitMs: error.retryAfterMs, untilBudget: error.status === 429 && error.retryAfterMs === undefined };
				}
				return { retry: false };
			},
			{
				...this.retry,
				sleep: this.sleep,
				onRetry: (info) => {
					this.stats.retries++;
					this.retry.onRetry?.(info);
				},
			},
		);
	}

	private invalidate(token: string): void {
		// Another call may already have renewed: only drop the token that actually failed.
		if (this.token?.value === token) this.token = undefined;
	}

	private async getToken(): Promise<string> {
		if (this.token && this.now() < this.token.renewAt) return this.token.value;
		// Concurrent calls share one exchange.
		this.tokenPromise ??= this.fetchToken().finally(() => {
			this.tokenPromise = undefined;
		});
		return this.tokenPromise;
	}

	private async fetchToken(): Promise<string> {
		const res = await this.withBackoff('GET', '/auth/token', () => this.send('GET', '/auth/token', {}, undefined));
		if (res.status === 401 || res.status === 403) {
			throw this.error(
				`Actito refused the API key (HTTP ${res.status}): check the API key in the Actito API credential ` +
					'and that it belongs to the selected hosting environment.',
				res,
				'GET',
				'/auth/token',
			);
		}
		const body = res.body as Record<string, unknown> | undefined;
		if (res.status < 200 || res.status >= 300 || !body || typeof body.accessToken !== 'string' || !body.accessToken) {
			throw this.error(`Actito's token exchange failed (HTTP ${res.status}): check the base URL of the hosting environment.`, res, 'GET', '/auth/token');
		}
		this.stats.tokenFetches++;
		const value = body.accessToken;
		this.secrets.add(value);
		const lifetime = parseExpiresIn(body.expiresIn);
		// Renew a little early so that a token does not expire between our check and Actito's.
		const margin = Math.min(60_000, lifetime / 10);
		this.token = { value, renewAt: this.now() + lifetime - margin };
		return value;
	}

	/** One HTTP exchange under the in-flight and per-minute limits. */
	private async send(method: HttpMethod, path: string, options: ActitoRequestOptions, token: string | undefined): Promise<HttpResponse> {
		await this.slots.acquire();
		try {
			await this.takeMinuteBudget();
			this.stats.requests++;
			const headers: Record<string, string> = { accept: 'application/json', authorization: token ? `Bearer ${token}` : this.apiKey };
			return await this.transport({
				method,
				url: this.baseUrl + path,
				headers,
				qs: options.qs,
				body: options.body,
				timeoutMs: this.timeoutMs,
			}).catch((error: unknown) => {
				// Network failures are retried like 5xx; the transport's text may contain the URL but not secrets.
				throw new ActitoApiError(
					this.clean(`Could not reach Actito at ${this.baseUrl} (${(error as Error)?.message ?? error}): check the hosting environment or base URL.`),
					0,
					method,
					path,
				);
			});
		} finally {
			this.slots.release();
		}
	}

	private async takeMinuteBudget(): Promise<void> {
		for (;;) {
			const t = Math.max(this.now(), this.limiterClock);
			while (this.callTimes.length && this.callTimes[0] <= t - MINUTE) this.callTimes.shift();
			if (this.callTimes.length < this.callsPerMinute) {
				this.callTimes.push(t);
				return;
			}
			const wait = this.callTimes[0] + MINUTE - t;
			await this.sleep(wait);
			// A fake sleep may not move the clock: count the wait as elapsed anyway.
			this.limiterClock = Math.max(this.limiterClock, t + wait);
		}
	}

	private clean(text: string): string {
		let out = text;
		for (const secret of this.secrets) {
			if (secret) out = out.split(secret).join('***');
		}
		return out;
	}

	private error(message: string, res: HttpResponse, method?: string, path?: string): ActitoApiError {
		const serviceMessage = messageOf(res.body);
		const cleanService = serviceMessage === undefined ? undefined : redactIdentifiers(this.clean(serviceMessage));
		const full = cleanService && !message.includes(cleanService) ? `${message} Actito said: ${cleanService}` : message;
		return new ActitoApiError(this.clean(full), res.status, method, path, cleanService, retryAfterMs(res.headers ?? {}));
	}

	private async describeFailure(method: string, path: string, res: HttpResponse): Promise<ActitoApiError> {
		if (res.status === 404 && this.pathHasEntity(path)) {
			// A 404 under an entity most often means the credential names an entity that does not exist.
			let names: string[] | undefined;
			try {
				const body = await this.request<{ entities?: Array<{ name?: string }> }>('GET', '/entities/v5/entities');
				names = (body?.entities ?? []).map((e) => String(e?.name)).filter(Boolean);
			} catch {
				names = undefined;
			}
			if (names && !names.includes(this.entity)) {
				return this.error(
					`Actito entity "${this.entity}" does not exist for this API key (HTTP 404 on ${method} ${path}). ` +
						`Entities available: ${names.join(', ') || 'none'}. Fix the entity in the Actito API credential.`,
					res,
					method,
					path,
				);
			}
		}
		const what: Record<number, string> = {
			400: 'Actito rejected the request as invalid',
			403: 'Actito denied access: check the rights of the API key in the Actito API credential',
			404: 'Not found in Actito',
			409: 'Actito refused the request because of a conflict',
		};
		return this.error(`${what[res.status] ?? 'Actito call failed'} (HTTP ${res.status} on ${method} ${path}).`, res, method, path);
	}

	private pathHasEntity(path: string): boolean {
		const e = encodeURIComponent(this.entity);
		return path.includes(`/entities/${e}/`) || path.includes(`/entity/${e}/`);
	}
}
