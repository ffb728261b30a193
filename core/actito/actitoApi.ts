// THE adapter: every Actito call this package makes, in one place. Calls marked [assumed] have
// a form that Actito's public material does not fix (see docs/contracts/actito.md); when the real
// form is known, only this file changes.

import { describeBody, redactIdentifiers } from '../errors';
import { ActitoApiError, type ActitoClient } from './actitoClient';
import type { RawProfile } from './profile';

export interface ProfileTableAttribute {
	name: string;
	type?: string;
	unique?: boolean;
}

export interface Segmentation {
	category: string;
	name: string;
}

export interface ProfileTable {
	id: string;
	name: string;
	attributes: ProfileTableAttribute[];
	segmentations: Segmentation[];
}

export type WebhookEventType = 'CREATE' | 'UPDATE' | 'UPDATED_SUBSCRIPTION' | 'UPDATED_SEGMENT' | 'DELETE';

export interface WebhookSubscriptionInput {
	eventType: WebhookEventType;
	/** The profile table id. */
	onElementId: string;
	onFields?: string[];
	targetUrl: string;
	headers?: Record<string, string>;
	isActive?: boolean;
}

export interface WebhookSubscription extends WebhookSubscriptionInput {
	id: string;
	on: string;
}

export interface CustomRecordProperty {
	name: string;
	value: unknown;
}

export interface CustomRecord {
	businessKey: string;
	properties: CustomRecordProperty[];
}

export interface ProfilePageOptions {
	/** `Category:Name`. */
	segmentation?: string;
	/** ISO-8601; profiles whose updateMoment is at or after it. */
	updatedSince?: string;
	/** 1..1000; Actito's default when absent. */
	pageSize?: number;
	/**
	 * Most pages one listing may take before it is taken for a loop. Default: from the total the
	 * answer reports when it reports one, otherwise MAX_PROFILE_PAGES.
	 */
	maxPages?: number;
}

/** Hard ceiling of pages of one listing (50 million profiles at 1,000 a page). */
export const MAX_PROFILE_PAGES = 50_000;

/** An answer of Actito that does not have the documented shape: thrown, never decided on. */
export function actitoContractError(call: string, problem: string): ActitoApiError {
	return new ActitoApiError(
		`Actito ${call} answered with ${problem}, which is not the documented answer: nothing was decided on it.`,
		200,
		call.split(' ')[0],
		call.split(' ').slice(1).join(' '),
		undefined,
		undefined,
		'contract',
	);
}

function pagingError(call: string, problem: string, pages: number): ActitoApiError {
	return new ActitoApiError(
		`Actito ${call}: ${problem} after ${pages} page(s); paging stopped so that the run cannot loop for ever.`,
		200,
		call.split(' ')[0],
		call.split(' ').slice(1).join(' '),
		undefined,
		undefined,
		'paging',
	);
}

function isPlainObject(body: unknown): body is Record<string, unknown> {
	return !!body && typeof body === 'object' && !Array.isArray(body);
}

/** The body's list under `key`; anything else does not fit the contract. */
function listOf(body: unknown, key: string, call: string): unknown[] {
	if (!isPlainObject(body) || !Array.isArray(body[key])) throw actitoContractError(call, `${describeBody(body)} instead of {${key}: [...]}`);
	return body[key] as unknown[];
}

/** A profile of the documented shape: an object with a profileId; attributes a list when present. */
function checkProfile(raw: unknown, call: string): RawProfile {
	if (!isPlainObject(raw)) throw actitoContractError(call, `a profile that is ${describeBody(raw)}`);
	const id = raw.profileId;
	if (!((typeof id === 'string' && id.trim() !== '') || (typeof id === 'number' && Number.isFinite(id)))) {
		throw actitoContractError(call, 'a profile without profileId');
	}
	for (const list of ['attributes', 'subscriptions', 'segmentations']) {
		if (raw[list] !== undefined && raw[list] !== null && !Array.isArray(raw[list])) throw actitoContractError(call, `a profile whose ${list} is not a list`);
	}
	return raw as unknown as RawProfile;
}

/** 32-bit FNV-1a of a page's profile ids: two equal pages under different tokens are a loop. */
function pageFingerprint(profiles: RawProfile[]): number {
	let h = 0x811c9dc5;
	for (const p of profiles) {
		const text = String((p as { profileId?: unknown }).profileId) + '\u001f';
		for (let i = 0; i < text.length; i++) {
			h ^= text.charCodeAt(i);
			h = Math.imul(h, 0x01000193) >>> 0;
		}
	}
	return (h ^ profiles.length) >>> 0;
}

/** A total count the answer reports, under the names paging APIs use; undefined otherwise. */
function reportedTotal(body: Record<string, unknown>): number | undefined {
	for (const key of ['totalElements', 'total', 'totalCount', 'count']) {
		const v = body[key];
		if (typeof v === 'number' && Number.isInteger(v) && v >= 0) return v;
	}
	return undefined;
}

/** Thrown when a webhook subscription for the same table and event type already exists. */
export class WebhookConflictError extends ActitoApiError {
	constructor(
		message: string,
		readonly existing: WebhookSubscription | undefined,
	) {
		super(message, 409);
		this.name = 'WebhookConflictError';
	}
}

const seg = (text: string) => encodeURIComponent(text);


/** What a 404 that means "absent" turns into, so that the answer is checked outside the error handler. */
const NOT_FOUND = Symbol('not found');

export class ActitoApi {
	constructor(readonly client: ActitoClient) {}

	private get e(): string {
		return seg(this.client.entity);
	}

	// ---------- structure ----------

	/** [doc path, assumed envelope] GET /entities/v5/entities */
	async listEntities(): Promise<string[]> {
		const body = await this.client.request<unknown>('GET', '/entities/v5/entities');
		return listOf(body, 'entities', 'GET /entities/v5/entities')
			.map((e) => (isPlainObject(e) && typeof e.name === 'string' ? e.name : ''))
			.filter(Boolean);
	}

	/** [doc path; `segmentations` assumed] GET /profile-table-structure/v5/entities/{e}/profile-tables */
	async listProfileTables(): Promise<ProfileTable[]> {
		const path = `/profile-table-structure/v5/entities/${this.e}/profile-tables`;
		const body = await this.client.request<unknown>('GET', path);
		const tables = listOf(body, 'profileTables', `GET ${path}`);
		for (const t of tables) {
			if (!isPlainObject(t) || (typeof t.id !== 'string' && typeof t.id !== 'number')) throw actitoContractError(`GET ${path}`, 'a profile table without id');
		}
		return tables.map(toProfileTable);
	}

	/** By id or name, from the list (the contract has no single-table call). */
	async getProfileTable(idOrName: string): Promise<ProfileTable> {
		const tables = await this.listProfileTables();
		const table = tables.find((t) => t.id === String(idOrName)) ?? tables.find((t) => t.name === idOrName);
		if (!table) {
			throw new ActitoApiError(
				`Profile table "${idOrName}" does not exist in Actito entity "${this.client.entity}". ` +
					`Tables available: ${tables.map((t) => `${t.name} (${t.id})`).join(', ') || 'none'}.`,
				404,
			);
		}
		return table;
	}

	// ---------- profiles ----------

	/**
	 * [doc] GET /profiles/v5/entities/{e}/profile-tables/{t}/profiles/{key}; key is a profileId or
	 * `{attribute, value}` of a unique attribute. null when absent or deleted.
	 */
	async getProfile(table: string, key: string | { attribute: string; value: string }): Promise<RawProfile | null> {
		const k = typeof key === 'string' ? seg(key) : `${seg(key.attribute)}=${seg(key.value)}`;
		const path = `/profiles/v5/entities/${this.e}/profile-tables/${seg(table)}/profiles/${k}`;
		const body = await this.client.request<unknown>('GET', path).catch((error: unknown) => {
			// The entity check in the client turns a wrong entity into its own message; a plain 404 is "no such profile".
			if (error instanceof ActitoApiError && error.status === 404 && !/entity ".*" does not exist/.test(error.message)) {
				if (/table/i.test(error.serviceMessage ?? '') && /does not exist/i.test(error.serviceMessage ?? '')) throw error;
				return NOT_FOUND;
			}
			throw error;
		});
		if (body === NOT_FOUND) return null;
		// The key may be an e-mail: the call is named without it.
		return checkProfile(body, `GET ${redactIdentifiers(path.replace(/\/profiles\/[^/]*$/, '/profiles/<key>'))}`);
	}

	/**
	 * [assumed parameters] GET /profiles/v5/entities/{e}/profile-tables/{t}/profiles
	 * ?segmentation=&updatedSince=&pageSize=&pageToken= → {profiles, nextPageToken?}; one page per yield.
	 */
	async *iterateProfilePages(table: string, options: ProfilePageOptions = {}): AsyncGenerator<RawProfile[]> {
		let pageToken: string | undefined;
		const seen = new Set<string>();
		const pagesSeen = new Set<number>();
		const path = `/profiles/v5/entities/${this.e}/profile-tables/${seg(table)}/profiles`;
		const call = `GET ${path}`;
		let maxPages = options.maxPages ?? MAX_PROFILE_PAGES;
		for (let pages = 1; ; pages++) {
			const body = await this.client.request<unknown>('GET', path, {
				qs: {
					segmentation: options.segmentation,
					updatedSince: options.updatedSince,
					pageSize: options.pageSize,
					pageToken,
				},
			});
			// Checked before anything is yielded: an HTML page, `{}` or a renamed list must never
			// read as "no profiles, no next page".
			const profiles = listOf(body, 'profiles', call).map((p) => checkProfile(p, call));
			const b = body as Record<string, unknown>;
			const token = b.nextPageToken;
			if (token !== undefined && token !== null && typeof token !== 'string') throw actitoContractError(call, 'a nextPageToken that is not text');
			const next = typeof token === 'string' && token ? token : undefined;
			if (pages === 1 && options.maxPages === undefined) {
				const total = reportedTotal(b);
				const size = options.pageSize ?? Math.max(1, profiles.length);
				// Far beyond what the reported total allows: twice the pages it needs, plus slack.
				if (total !== undefined) maxPages = Math.min(maxPages, 2 * Math.ceil(total / size) + 2);
			}
			if (next) {
				if (profiles.length === 0) throw pagingError(call, 'an empty page with a next page token', pages);
				// A service that hands back a token it already gave, or the same page under a new one, would page forever.
				if (seen.has(next)) throw pagingError(call, 'the same page token came twice', pages);
				const fp = pageFingerprint(profiles);
				if (pagesSeen.has(fp)) throw pagingError(call, 'the same page came twice under different tokens', pages);
				if (pages >= maxPages) throw pagingError(call, `more pages than the listing can have (${maxPages})`, pages);
				seen.add(next);
				pagesSeen.add(fp);
			}
			yield profiles;
			if (!next) return;
			pageToken = next;
		}
	}

	// ---------- webhooks [doc; payload keys partly assumed] ----------

	private webhookPath(id?: string): string {
		return `/webhooks/v4/entity/${this.e}/webhookSubscription${id === undefined ? '' : `/${seg(id)}`}`;
	}

	/** GET …/webhookSubscription?tableId=&eventType= → {subscriptions:[…]} [envelope assumed] */
	async listWebhookSubscriptions(filter: { tableId?: string; eventType?: WebhookEventType } = {}): Promise<WebhookSubscription[]> {
		const body = await this.client.request<{ subscriptions?: WebhookSubscription[] } | WebhookSubscription[]>('GET', this.webhookPath(), {
			qs: { tableId: filter.tableId, eventType: filter.eventType },
		});
		const call = `GET ${this.webhookPath()}`;
		const list = Array.isArray(body) ? body : listOf(body, 'subscriptions', call);
		return list.map((s) => checkSubscription(s, call));
	}

	/** null when it does not exist. */
	async getWebhookSubscription(id: string): Promise<WebhookSubscription | null> {
		const s = await this.client.request<unknown>('GET', this.webhookPath(id)).catch((error: unknown) => {
			if (error instanceof ActitoApiError && error.status === 404) return NOT_FOUND;
			throw error;
		});
		if (s === NOT_FOUND) return null;
		return checkSubscription(s, `GET ${this.webhookPath(id)}`);
	}

	/** POST …/webhookSubscription → {id}. A 409 names the subscription in the way. */
	async createWebhookSubscription(input: WebhookSubscriptionInput): Promise<{ id: string }> {
		const body = await this.client.request<unknown>('POST', this.webhookPath(), { body: subscriptionBody(input) }).catch(async (error: unknown) => {
			if (!(error instanceof ActitoApiError) || error.status !== 409) throw error;
			let existing: WebhookSubscription | undefined;
			try {
				existing = (await this.listWebhookSubscriptions({ tableId: input.onElementId, eventType: input.eventType }))[0];
			} catch {
				existing = undefined;
			}
			throw new WebhookConflictError(
				`Actito keeps one webhook subscription per profile table and event type, and table ${input.onElementId} ` +
					`already has one for ${input.eventType}` +
					(existing ? `: subscription ${existing.id}, delivering to ${existing.targetUrl}` : '') +
					'. Delete that subscription, or let this workflow share it.',
				existing,
			);
		});
		if (!isPlainObject(body) || !((typeof body.id === 'string' && body.id) || typeof body.id === 'number')) {
			throw actitoContractError(`POST ${this.webhookPath()}`, `${describeBody(body)} instead of {id}`);
		}
		return { id: String(body.id) };
	}

	/** PUT …/webhookSubscription/{id} */
	async updateWebhookSubscription(id: string, input: WebhookSubscriptionInput): Promise<void> {
		await this.client.request('PUT', this.webhookPath(id), { body: subscriptionBody(input) });
	}

	/** DELETE …/webhookSubscription/{id}; false when it was already gone. */
	async deleteWebhookSubscription(id: string): Promise<boolean> {
		return this.client.request('DELETE', this.webhookPath(id)).then(
			() => true,
			(error: unknown) => {
				if (error instanceof ActitoApiError && error.status === 404) return false;
				throw error;
			},
		);
	}

	// ---------- custom tables [doc; search envelope assumed] ----------

	private recordPath(table: string, key?: string): string {
		return `/custom-data/v4/entity/${this.e}/customTable/${seg(table)}/record${key === undefined ? '' : `/${seg(key)}`}`;
	}

	/** POST …/customTable/{table}/record → {businessKey}. */
	async createCustomRecord(table: string, properties: CustomRecordProperty[] | Record<string, unknown>): Promise<{ businessKey: string }> {
		const list = Array.isArray(properties) ? properties : Object.entries(properties).map(([name, value]) => ({ name, value }));
		const body = await this.client.request<unknown>('POST', this.recordPath(table), { body: { properties: list } });
		if (!isPlainObject(body) || !((typeof body.businessKey === 'string' && body.businessKey) || typeof body.businessKey === 'number')) {
			throw actitoContractError(`POST ${this.recordPath(table)}`, `${describeBody(body)} instead of {businessKey}`);
		}
		return { businessKey: String(body.businessKey) };
	}

	/** GET …/record?searchField=&searchValue=&number= → {records:[…]} [envelope assumed]. */
	async searchCustomRecords(table: string, search: { field?: string; value?: string; number?: number } = {}): Promise<CustomRecord[]> {
		const body = await this.client.request<{ records?: CustomRecord[] } | CustomRecord[]>('GET', this.recordPath(table), {
			qs: { searchField: search.field, searchValue: search.value, number: search.number },
		});
		return (Array.isArray(body) ? body : listOf(body, 'records', `GET ${this.recordPath(table)}`)) as CustomRecord[];
	}

	/** GET …/record/{businessKey}; null when absent. */
	async getCustomRecord(table: string, businessKey: string): Promise<CustomRecord | null> {
		const body = await this.client.request<unknown>('GET', this.recordPath(table, businessKey)).catch((error: unknown) => {
			if (error instanceof ActitoApiError && error.status === 404 && !/custom table/i.test(error.serviceMessage ?? '')) return NOT_FOUND;
			throw error;
		});
		if (body === NOT_FOUND) return null;
		if (!isPlainObject(body) || !Array.isArray(body.properties)) {
			throw actitoContractError(`GET ${this.recordPath(table, '<key>')}`, `${describeBody(body)} instead of {businessKey, properties}`);
		}
		return body as unknown as CustomRecord;
	}

	/** DELETE …/record/{businessKey} */
	async deleteCustomRecord(table: string, businessKey: string): Promise<void> {
		await this.client.request('DELETE', this.recordPath(table, businessKey));
	}
}

function checkSubscription(raw: unknown, call: string): WebhookSubscription {
	if (!isPlainObject(raw) || !((typeof raw.id === 'string' && raw.id) || typeof raw.id === 'number')) {
		throw actitoContractError(call, `a webhook subscription that is ${describeBody(raw)} without id`);
	}
	const s = raw as unknown as WebhookSubscription;
	return { ...s, id: String(s.id), onElementId: String(s.onElementId) };
}

function subscriptionBody(input: WebhookSubscriptionInput): Record<string, unknown> {
	return {
		on: 'PROFILE_TABLE',
		eventType: input.eventType,
		onElementId: String(input.onElementId),
		onFields: input.onFields ?? [],
		targetUrl: input.targetUrl,
		headers: input.headers ?? {},
		isActive: input.isActive ?? true,
	};
}

function toProfileTable(raw: unknown): ProfileTable {
	const t = (raw ?? {}) as Record<string, unknown>;
	const attributes = Array.isArray(t.attributes) ? t.attributes : [];
	const segmentations = Array.isArray(t.segmentations) ? t.segmentations : [];
	return {
		id: String(t.id ?? ''),
		name: String(t.name ?? t.id ?? ''),
		attributes: attributes
			.filter((a): a is Record<string, unknown> => !!a && typeof a === 'object' && typeof (a as Record<string, unknown>).name === 'string')
			.map((a) => ({ name: a.name as string, type: typeof a.type === 'string' ? a.type : undefined, unique: a.unique === true || undefined })),
		segmentations: segmentations
			.filter((s): s is Record<string, unknown> => !!s && typeof s === 'object')
			.map((s) => ({ category: String(s.category ?? ''), name: String(s.name ?? '') }))
			.filter((s) => s.name),
	};
}
