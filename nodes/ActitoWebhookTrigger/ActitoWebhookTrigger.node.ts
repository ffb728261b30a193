import { randomBytes, timingSafeEqual } from 'crypto';
import type {
	IDataObject,
	IExecuteFunctions,
	IGetNodeParameterOptions,
	IHookFunctions,
	INodeExecutionData,
	INodeType,
	INodeTypeDescription,
	IWebhookFunctions,
	IWebhookResponseData,
} from 'n8n-workflow';
import { NodeConnectionTypes, NodeOperationError } from 'n8n-workflow';

import { ActitoApi, WebhookConflictError, type WebhookEventType, type WebhookSubscription } from '../../core/actito/actitoApi';
import { flattenProfile } from '../../core/actito/profile';
import { redactIdentifiers } from '../../core/errors';
import { searchTables } from '../ActitoAudience/listSearch';
import { attributeSettings, profileSettings, tableLocator } from '../ActitoAudience/shared';
import { credentialTest } from '../shared/credentialTests';
import { toNodeError } from '../shared/errors';
import { actitoClientFrom } from '../shared/transport';

export const SECRET_HEADER = 'X-Actito-Secret';
/** How many recent event ids the duplicate check remembers. */
export const RECENT_EVENT_IDS = 500;
/**
 * Most profiles re-read before Actito gets its answer. A delivery with more (a bulk delivery)
 * is answered first and re-read after, so Actito's request is never held for long.
 */
export const PROMPT_REREAD_PROFILES = 10;
/** Longest wait for Actito's throttling while Actito's own request is held open. */
const PROMPT_MAX_WAIT_MS = 10_000;
const CLAIM_TTL_MS = 24 * 3_600_000;

// Event ids claimed in this process, per workflow and node. n8n gives each delivery its own copy
// of the static data, so the stored list alone cannot stop concurrent deliveries of one event:
// the claim is taken here, synchronously, before any slow work (no await between check and claim).
const claims = new Map<string, Map<string, number>>();

function claimEvent(scope: string, eventId: string, now: number): boolean {
	let ids = claims.get(scope);
	if (!ids) claims.set(scope, (ids = new Map()));
	const until = ids.get(eventId);
	if (until !== undefined && until > now) return false;
	ids.set(eventId, now + CLAIM_TTL_MS);
	// Bounded: the oldest claims go first (a Map iterates in insertion order).
	for (const id of ids.keys()) {
		if (ids.size <= RECENT_EVENT_IDS * 10) break;
		ids.delete(id);
	}
	return true;
}

function releaseEvent(scope: string, eventId: string): void {
	claims.get(scope)?.delete(eventId);
}

function claimScope(ctx: IWebhookFunctions): string {
	const workflow = (ctx as { getWorkflow?: () => { id?: string } }).getWorkflow?.();
	const node = ctx.getNode();
	return `${workflow?.id ?? ''}/${node.id ?? node.name}`;
}

/** The node's static data. */
export interface WebhookTriggerData {
	/** Hex secret that Actito sends back in X-Actito-Secret. */
	secret?: string;
	/** Subscription id → event type, for the subscriptions this node created or adopted. */
	subscriptions?: Record<string, WebhookEventType>;
	tableId?: string;
	targetUrl?: string;
	/** Event ids already handled, oldest first. */
	recentEventIds?: string[];
}

type Host = IHookFunctions | IWebhookFunctions;

// The shared helpers take an execute context and an item index; hooks and webhooks have
// neither, so this view maps their calls onto the node's parameter reader.
function asItemContext(ctx: Host): IExecuteFunctions {
	return {
		getNode: () => ctx.getNode(),
		getNodeParameter: (name: string, _i: number, fallback?: unknown, options?: IGetNodeParameterOptions) =>
			ctx.getNodeParameter(name, fallback, options),
	} as unknown as IExecuteFunctions;
}

async function apiFor(ctx: Host): Promise<ActitoApi> {
	return new ActitoApi(await actitoClientFrom(ctx));
}

async function tableIdOf(ctx: Host, api: ActitoApi): Promise<string> {
	const value = String(ctx.getNodeParameter('table', '', { extractValue: true }) ?? '').trim();
	return (await api.getProfileTable(value)).id;
}

function wantedEventTypes(ctx: Host): WebhookEventType[] {
	const types = ctx.getNodeParameter('eventTypes', []) as WebhookEventType[];
	if (!types.length) {
		throw new NodeOperationError(ctx.getNode(), 'No event type selected', {
			description: 'Pick at least one event type to subscribe to.',
		});
	}
	return [...new Set(types)];
}

function webhookUrl(ctx: IHookFunctions): string {
	const url = ctx.getNodeWebhookUrl('default');
	if (!url) throw new NodeOperationError(ctx.getNode(), 'n8n did not provide a webhook URL for this node');
	return url;
}

function isOurs(sub: WebhookSubscription | null, tableId: string, eventType: string, targetUrl: string): boolean {
	return !!sub && sub.targetUrl === targetUrl && String(sub.onElementId) === tableId && sub.eventType === eventType;
}

function sameSecret(received: unknown, expected: string | undefined): boolean {
	const value = Array.isArray(received) ? received[0] : received;
	if (!expected || typeof value !== 'string' || !value) return false;
	const a = Buffer.from(value, 'utf8');
	const b = Buffer.from(expected, 'utf8');
	// timingSafeEqual throws on unequal lengths; the secret's length is no secret (64 hex digits).
	return a.length === b.length && timingSafeEqual(a, b);
}

/** Subscription id from `_links.webhook.href` (…/webhookSubscription/77). */
function subscriptionIdOf(body: IDataObject): string | undefined {
	const links = body._links as { webhook?: { href?: unknown } } | undefined;
	const href = links?.webhook?.href;
	if (typeof href !== 'string') return undefined;
	const m = /\/webhookSubscription\/([^/?#]+)/.exec(href);
	return m ? decodeURIComponent(m[1]) : undefined;
}

export class ActitoWebhookTrigger implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Actito Webhook Trigger',
		name: 'actitoWebhookTrigger',
		icon: { light: 'file:actito.svg', dark: 'file:actito.dark.svg' },
		group: ['trigger'],
		version: 1,
		subtitle: '={{$parameter["eventTypes"].join(", ")}}',
		description: 'Starts the workflow when Actito reports profile events: segment changes, updates, deletions (webhook)',
		defaults: { name: 'Actito Webhook Trigger' },
		inputs: [],
		outputs: [NodeConnectionTypes.Main],
		credentials: [{ name: 'actitoApi', displayName: 'Actito Credential', required: true, testedBy: 'actitoApiTest' }],
		webhooks: [{ name: 'default', httpMethod: 'POST', responseMode: 'onReceived', path: 'webhook' }],
		properties: [
			{
				displayName:
					'Actito keeps one webhook subscription per profile table and event type: two workflows cannot each subscribe to the same pair.',
				name: 'notice',
				type: 'notice',
				default: '',
			},
			tableLocator,
			{
				displayName: 'Event Types',
				name: 'eventTypes',
				type: 'multiOptions',
				required: true,
				default: ['UPDATED_SEGMENT', 'UPDATE'],
				options: [
					{ name: 'Profile Created', value: 'CREATE', description: 'A profile was created' },
					{ name: 'Profile Deleted', value: 'DELETE', description: 'A profile was deleted (older Actito documentation)' },
					{ name: 'Profile Updated', value: 'UPDATE', description: 'Attributes of a profile changed' },
					{ name: 'Segment Membership Changed', value: 'UPDATED_SEGMENT', description: 'A profile joined or left a segmentation' },
					{ name: 'Subscription Changed', value: 'UPDATED_SUBSCRIPTION', description: 'A profile subscribed or unsubscribed' },
				],
			},
			{
				displayName: 'Re-Read Profiles',
				name: 'reReadProfiles',
				type: 'boolean',
				default: true,
				description:
					'Whether to read each profile from Actito so that items carry identifiers, consent and segments (events hold only the changed fields)',
			},
			{ ...attributeSettings, displayOptions: { show: { reReadProfiles: [true] } } },
		],
	};

	methods = {
		listSearch: { searchTables },
		credentialTest,
	};

	webhookMethods = {
		default: {
			async checkExists(this: IHookFunctions): Promise<boolean> {
				const data = this.getWorkflowStaticData('node') as WebhookTriggerData;
				const ids = Object.keys(data.subscriptions ?? {});
				if (!data.secret || !ids.length) return false;
				try {
					const api = await apiFor(this);
					const tableId = await tableIdOf(this, api);
					const targetUrl = webhookUrl(this);
					const wanted = wantedEventTypes(this);
					const found = new Set<string>();
					for (const id of ids) {
						const sub = await api.getWebhookSubscription(id);
						if (!isOurs(sub, tableId, data.subscriptions![id], targetUrl)) return false;
						// Where Actito shows the headers, a different secret means deliveries would be refused.
						const sent = sub!.headers?.[SECRET_HEADER];
						if (sent !== undefined && sent !== data.secret) return false;
						found.add(sub!.eventType);
					}
					return wanted.every((t) => found.has(t)) && found.size === wanted.length;
				} catch (error) {
					throw toNodeError(this.getNode(), error);
				}
			},

			async create(this: IHookFunctions): Promise<boolean> {
				const data = this.getWorkflowStaticData('node') as WebhookTriggerData;
				const api = await apiFor(this);
				let tableId: string;
				try {
					tableId = await tableIdOf(this, api);
				} catch (error) {
					throw toNodeError(this.getNode(), error);
				}
				const targetUrl = webhookUrl(this);
				const wanted = wantedEventTypes(this);
				// A fresh secret on every registration; kept subscriptions are updated to carry it.
				const secret = randomBytes(32).toString('hex');
				const input = (eventType: WebhookEventType) => ({
					eventType,
					onElementId: tableId,
					targetUrl,
					headers: { [SECRET_HEADER]: secret },
					isActive: true,
				});

				const previous = data.subscriptions ?? {};
				const kept: Record<string, WebhookEventType> = {};
				const created: string[] = [];
				let failure: unknown;
				try {
					// Ours from an earlier registration: keep those still wanted, drop the rest.
					for (const [id, eventType] of Object.entries(previous)) {
						const sub = await api.getWebhookSubscription(id);
						if (sub && isOurs(sub, tableId, eventType, targetUrl) && wanted.includes(eventType)) kept[id] = eventType;
						else if (sub && sub.targetUrl === targetUrl) await api.deleteWebhookSubscription(id);
					}
					const next: Record<string, WebhookEventType> = {};
					for (const eventType of wanted) {
						if (Object.values(kept).includes(eventType)) continue;
						const result = await api
							.createWebhookSubscription(input(eventType))
							.catch((error: unknown) => ({ error }));
						if ('id' in result) {
							created.push(result.id);
							next[result.id] = eventType;
							continue;
						}
						const existing = result.error instanceof WebhookConflictError ? result.error.existing : undefined;
						// One that already delivers to this very URL is ours (static data was lost): adopt it.
						if (existing && existing.targetUrl === targetUrl) {
							await api.updateWebhookSubscription(existing.id, input(eventType));
							next[existing.id] = eventType;
							continue;
						}
						failure = result.error;
						break;
					}
					if (failure === undefined) {
						// Kept ones get the new secret last, so a failed registration leaves them as they were.
						for (const [id, eventType] of Object.entries(kept)) {
							await api.updateWebhookSubscription(id, input(eventType));
							next[id] = eventType;
						}
						Object.assign(data, { secret, subscriptions: next, tableId, targetUrl });
						return true;
					}
				} catch (error) {
					failure = error;
				}
				// Leave nothing half-registered behind: the next activation would trip over it.
				for (const id of created) await api.deleteWebhookSubscription(id).catch(() => false);
				if (failure instanceof WebhookConflictError) throw conflictError(this, failure, tableId);
				throw toNodeError(this.getNode(), failure);
			},

			async delete(this: IHookFunctions): Promise<boolean> {
				const data = this.getWorkflowStaticData('node') as WebhookTriggerData;
				const ids = Object.keys(data.subscriptions ?? {});
				if (ids.length) {
					try {
						const api = await apiFor(this);
						// Already gone (deleted in Actito) counts as deleted.
						for (const id of ids) await api.deleteWebhookSubscription(id);
					} catch (error) {
						throw toNodeError(this.getNode(), error);
					}
				}
				delete data.secret;
				delete data.subscriptions;
				delete data.tableId;
				delete data.targetUrl;
				return true;
			},
		},
	};

	async webhook(this: IWebhookFunctions): Promise<IWebhookResponseData> {
		const data = this.getWorkflowStaticData('node') as WebhookTriggerData;
		const headers = this.getHeaderData() as IDataObject;
		if (!sameSecret(headers[SECRET_HEADER.toLowerCase()], data.secret)) {
			this.getResponseObject()
				.status(401)
				.json({ message: `Missing or wrong ${SECRET_HEADER} header` });
			return { noWebhookResponse: true };
		}

		const body = this.getBodyData();
		const events = Array.isArray(body.data) ? body.data : body.data && typeof body.data === 'object' ? [body.data] : null;
		if (!events) {
			this.getResponseObject().status(400).json({ message: 'Expected a JSON body with "data"' });
			return { noWebhookResponse: true };
		}

		const eventId = typeof body.id === 'string' || typeof body.id === 'number' ? String(body.id) : undefined;
		const recent = Array.isArray(data.recentEventIds) ? data.recentEventIds : [];
		const scope = claimScope(this);
		// Actito may deliver an event again, also concurrently: answer 200 so it stops, and start
		// nothing. The claim comes before any slow work.
		if (eventId !== undefined && (recent.includes(eventId) || !claimEvent(scope, eventId, Date.now()))) {
			return { webhookResponse: { status: 'duplicate', eventId } };
		}

		const subscriptionId = subscriptionIdOf(body);
		const known = data.subscriptions ?? {};
		const single = Object.values(known).length === 1 ? Object.values(known)[0] : undefined;
		const eventType =
			(typeof body.eventType === 'string' ? body.eventType : undefined) ??
			(subscriptionId !== undefined ? known[subscriptionId] : undefined) ??
			single ??
			null;

		const items: INodeExecutionData[] = events
			.filter((e): e is IDataObject => !!e && typeof e === 'object')
			.map((e) => {
				const { profileId, ...changedFields } = e;
				const json: IDataObject = {
					eventId: eventId ?? null,
					eventType,
					profileId: profileId === undefined || profileId === null ? null : String(profileId),
					changedFields,
				};
				if (subscriptionId !== undefined) json.subscriptionId = subscriptionId;
				if (eventType === 'DELETE') json.deleted = true;
				return { json };
			});

		const remember = () => {
			if (eventId === undefined) return;
			recent.push(eventId);
			if (recent.length > RECENT_EVENT_IDS) recent.splice(0, recent.length - RECENT_EVENT_IDS);
			data.recentEventIds = recent;
		};
		const reReadWanted = this.getNodeParameter('reReadProfiles', true) as boolean;
		const profileCount = new Set(items.map((i) => i.json.profileId).filter((id) => typeof id === 'string' && id !== '')).size;

		if (!reReadWanted || profileCount <= PROMPT_REREAD_PROFILES) {
			// Small deliveries: re-read (in bounded time) before answering, so that a failure answers
			// 500 and Actito delivers the event again.
			if (reReadWanted) {
				try {
					await reRead(this, items, PROMPT_MAX_WAIT_MS);
				} catch (error) {
					if (eventId !== undefined) releaseEvent(scope, eventId);
					throw toNodeError(this.getNode(), error);
				}
			}
			remember();
			if (!items.length) return { webhookResponse: { status: 'ignored', eventId } };
			return { workflowData: [items] };
		}

		// A bulk delivery: Actito gets its answer now; the re-read runs after it, at the licence's pace.
		remember();
		this.getResponseObject().status(200).json({ status: 'accepted', eventId: eventId ?? null, events: items.length });
		try {
			await reRead(this, items);
		} catch (error) {
			// Actito has its answer and will not deliver again: the items go on marked, without
			// profile data, and the hourly sync (the reconciling backstop) brings these profiles in line.
			const reason = redactIdentifiers(toNodeError(this.getNode(), error).message);
			for (const item of items) {
				if (item.json.deleted === undefined) Object.assign(item.json, { reReadFailed: true, reReadError: reason });
			}
		}
		return { noWebhookResponse: true, workflowData: [items] };
	}
}

/** Adds each profile's current identifiers, consent and segments; a 404 marks it deleted. */
async function reRead(ctx: IWebhookFunctions, items: INodeExecutionData[], maxWaitMs?: number): Promise<void> {
	const ids = [...new Set(items.map((i) => i.json.profileId).filter((id): id is string => typeof id === 'string' && id !== ''))];
	if (!ids.length) return;
	const api = new ActitoApi(await actitoClientFrom(ctx, maxWaitMs === undefined ? {} : { maxWaitMs }));
	const tableId = await tableIdOf(ctx, api);
	const settings = profileSettings(asItemContext(ctx), 0);
	// The client bounds requests in flight, so starting them together is safe.
	const profiles = new Map(await Promise.all(ids.map(async (id) => [id, await api.getProfile(tableId, id)] as const)));
	for (const item of items) {
		const id = item.json.profileId as string | null;
		if (!id) continue;
		const raw = profiles.get(id);
		if (!raw) {
			item.json.deleted = true;
			continue;
		}
		// The item keeps the profile id it came with.
		Object.assign(item.json, flattenProfile(raw, settings), { profileId: id, deleted: false });
	}
}

function conflictError(ctx: IHookFunctions, error: WebhookConflictError, tableId: string): NodeOperationError {
	const sub = error.existing;
	const eventType = sub?.eventType ?? /for ([A-Z_]+)/.exec(error.message)?.[1] ?? 'this event type';
	const holder = sub ? `subscription ${sub.id} (delivering to ${sub.targetUrl})` : 'another subscription';
	return new NodeOperationError(
		ctx.getNode(),
		`Actito table ${tableId} already has a webhook subscription for ${eventType}: ${holder}`,
		{
			description:
				`Actito keeps one subscription per profile table and event type. To free it, delete ${sub ? `subscription ${sub.id}` : 'it'} ` +
				`(DELETE /webhooks/v4/entity/{entity}/webhookSubscription/${sub?.id ?? '{id}'}, or deactivate the workflow that owns it). ` +
				'To share it, keep one workflow with this trigger for that table and event type and pass its events on to the others ' +
				'(for example with Execute Workflow), or leave this event type out here.',
		},
	);
}
