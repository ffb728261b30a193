// THE adapter: every Actito call this package makes, in one place. Calls marked [assumed] have
// a form that Actito's public material does not fix (see docs/contracts/actito.md); when the real
// form is known, only this file changes.

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

export class ActitoApi {
	constructor(readonly client: ActitoClient) {}

	private get e(): string {
		return seg(this.client.entity);
	}

	// ---------- structure ----------

	/** [doc path, assumed envelope] GET /entities/v5/entities */
	async listEntities(): Promise<string[]> {
		const body = await this.client.request<{ entities?: Array<{ name?: unknown }> }>('GET', '/entities/v5/entities');
		return (body?.entities ?? []).map((e) => String(e?.name ?? '')).filter(Boolean);
	}

	/** [doc path; `segmentations` assumed] GET /profile-table-structure/v5/entities/{e}/profile-tables */
	async listProfileTables(): Promise<ProfileTable[]> {
		const body = await this.client.request<{ profileTables?: unknown[] }>(
			'GET',
			`/profile-table-structure/v5/entities/${this.e}/profile-tables`,
		);
		return (body?.profileTables ?? []).map(toProfileTable);
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
		return this.client
			.request<RawProfile>('GET', `/profiles/v5/entities/${this.e}/profile-tables/${seg(table)}/profiles/${k}`)
			.catch((error: unknown) => {
				// The entity check in the client turns a wrong entity into its own message; a plain 404 is "no such profile".
				if (error instanceof ActitoApiError && error.status === 404 && !/entity ".*" does not exist/.test(error.message)) {
					if (/table/i.test(error.serviceMessage ?? '') && /does not exist/i.test(error.serviceMessage ?? '')) throw error;
					return null;
				}
				throw error;
			});
	}

	/**
	 * [assumed parameters] GET /profiles/v5/entities/{e}/profile-tables/{t}/profiles
	 * ?segmentation=&updatedSince=&pageSize=&pageToken= → {profiles, nextPageToken?}; one page per yield.
	 */
	async *iterateProfilePages(table: string, options: ProfilePageOptions = {}): AsyncGenerator<RawProfile[]> {
		let pageToken: string | undefined;
		const seen = new Set<string>();
		for (;;) {
			const body = await this.client.request<{ profiles?: RawProfile[]; nextPageToken?: unknown }>(
				'GET',
				`/profiles/v5/entities/${this.e}/profile-tables/${seg(table)}/profiles`,
				{
					qs: {
						segmentation: options.segmentation,
						updatedSince: options.updatedSince,
						pageSize: options.pageSize,
						pageToken,
					},
				},
			);
			yield body?.profiles ?? [];
			const next = typeof body?.nextPageToken === 'string' && body.nextPageToken ? body.nextPageToken : undefined;
			if (!next) return;
			// A service that hands back a token it already gave would page forever.
			if (seen.has(next)) throw new ActitoApiError('Actito returned the same page token twice; paging stopped.', 502);
			seen.add(next);
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
		const list = Array.isArray(body) ? body : body?.subscriptions ?? [];
		return list.map((s) => ({ ...s, id: String(s.id), onElementId: String(s.onElementId) }));
	}

	/** null when it does not exist. */
	async getWebhookSubscription(id: string): Promise<WebhookSubscription | null> {
		return this.client.request<WebhookSubscription>('GET', this.webhookPath(id)).then(
			(s) => ({ ...s, id: String(s.id), onElementId: String(s.onElementId) }),
			(error: unknown) => {
				if (error instanceof ActitoApiError && error.status === 404) return null;
				throw error;
			},
		);
	}

	/** POST …/webhookSubscription → {id}. A 409 names the subscription in the way. */
	async createWebhookSubscription(input: WebhookSubscriptionInput): Promise<{ id: string }> {
		const body = await this.client.request<{ id: unknown }>('POST', this.webhookPath(), { body: subscriptionBody(input) }).catch(async (error: unknown) => {
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
		return { id: String(body?.id) };
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
		const body = await this.client.request<{ businessKey: unknown }>('POST', this.recordPath(table), { body: { properties: list } });
		return { businessKey: String(body?.businessKey) };
	}

	/** GET …/record?searchField=&searchValue=&number= → {records:[…]} [envelope assumed]. */
	async searchCustomRecords(table: string, search: { field?: string; value?: string; number?: number } = {}): Promise<CustomRecord[]> {
		const body = await this.client.request<{ records?: CustomRecord[] } | CustomRecord[]>('GET', this.recordPath(table), {
			qs: { searchField: search.field, searchValue: search.value, number: search.number },
		});
		return Array.isArray(body) ? body : body?.records ?? [];
	}

	/** GET …/record/{businessKey}; null when absent. */
	async getCustomRecord(table: string, businessKey: string): Promise<CustomRecord | null> {
		return this.client.request<CustomRecord>('GET', this.recordPath(table, businessKey)).catch((error: unknown) => {
			if (error instanceof ActitoApiError && error.status === 404 && !/custom table/i.test(error.serviceMessage ?? '')) return null;
			throw error;
		});
	}

	/** DELETE …/record/{businessKey} */
	async deleteCustomRecord(table: string, businessKey: string): Promise<void> {
		await this.client.request('DELETE', this.recordPath(table, businessKey));
	}
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
