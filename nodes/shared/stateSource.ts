// Where an operation finds the links' sync state (the `global` static data of the workflow).
//
// n8n 2.x in queue mode hands a worker every scheduled execution with EMPTY static data: the
// execution row keeps no copy of it (toWorkflowSnapshot) and the worker reloads it from the
// database only for retries (loadStaticData). The worker then saves what the run wrote, over the
// stored copy. With the optional 'N8n Link State in Queue Mode API' credential on the node, the
// state is read fresh from the database through n8n's public API (GET /api/v1/workflows/{id}
// returns staticData as stored) and put into the execution's static data, so that n8n's own
// end-of-run save writes the result back. Without it, the static data n8n handed over is used,
// which is right on a regular n8n and on 1.x queue mode (its workers reload static data).

import type { IDataObject, IExecuteFunctions, IHttpRequestOptions } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

export const STATE_CREDENTIAL = 'n8nStateApi';

/** The keys of link states in `global` (core/state/syncState.ts stateKey). */
const LINK_KEY_PREFIX = 'actitoMeta:';

// One read per execution: the steps after the first (Log Negative Consent after Sync, Sync
// Members after Get Changes) must see what the first wrote, not the database's older copy. n8n
// gives every step of one execution the same `global` object, so it is the key (weakly held).
const filledBuckets = new WeakSet<object>();
const readCopies = new WeakMap<object, IDataObject>();

function isObject(value: unknown): value is IDataObject {
	return value !== null && typeof value === 'object' && !Array.isArray(value);
}

const FIX_KEY =
	"Create an API key in n8n (Settings → n8n API) for a user who can open this workflow, with the scope workflow:read, and put it in the 'N8n Link State in Queue Mode API' credential.";

async function fetchStoredGlobal(ctx: IExecuteFunctions, workflowId: string): Promise<IDataObject> {
	const credentials = await ctx.getCredentials(STATE_CREDENTIAL);
	const baseUrl = String(credentials.baseUrl ?? '').trim().replace(/\/+$/, '');
	const node = ctx.getNode();
	if (!/^https?:\/\/[^/]+/.test(baseUrl)) {
		throw new NodeOperationError(node, `The Base URL of the 'N8n Link State in Queue Mode API' credential is not an address: "${baseUrl}"`, {
			description: 'Set it to the address of this n8n instance as the workers reach it, e.g. http://n8n-main:5678 (without /api/v1).',
		});
	}
	const url = `${baseUrl}/api/v1/workflows/${encodeURIComponent(workflowId)}`;
	const options: IHttpRequestOptions = {
		method: 'GET',
		url,
		qs: { excludePinnedData: true },
		json: true,
		returnFullResponse: true,
		ignoreHttpStatusErrors: true,
		timeout: 30_000,
	};
	let response: { statusCode: number; body: unknown } | undefined;
	let unreachable: string | undefined;
	try {
		response = (await ctx.helpers.httpRequestWithAuthentication.call(ctx, STATE_CREDENTIAL, options)) as { statusCode: number; body: unknown };
	} catch (error) {
		unreachable = (error as Error).message;
	}
	if (!response) {
		throw new NodeOperationError(node, `n8n's API at ${baseUrl} could not be reached to read this link's sync state: ${unreachable ?? 'no answer'}`, {
			description:
				"Nothing was read or sent. Check the Base URL of the 'N8n Link State in Queue Mode API' credential: every worker must reach it (the main's address, not localhost of another machine), and the public API must be enabled (N8N_PUBLIC_API_DISABLED not true).",
		});
	}
	const { statusCode } = response;
	if (statusCode === 401) {
		throw new NodeOperationError(node, `n8n's API refused the API key (HTTP 401) when reading this link's sync state`, { description: `Nothing was read or sent. ${FIX_KEY}` });
	}
	if (statusCode === 403) {
		throw new NodeOperationError(node, `n8n's API key may not read this workflow (HTTP 403) when reading this link's sync state`, {
			description: `Nothing was read or sent. The key needs the scope workflow:read and a user with access to this workflow. ${FIX_KEY}`,
		});
	}
	if (statusCode === 404) {
		throw new NodeOperationError(node, `n8n's API at ${baseUrl} does not know workflow ${workflowId} (HTTP 404)`, {
			description:
				"Nothing was read or sent. The Base URL must point at this n8n instance (the one that runs this workflow), the key's user must have access to the workflow, and the public API must be enabled.",
		});
	}
	const body = response.body;
	if (statusCode < 200 || statusCode >= 300 || !isObject(body)) {
		throw new NodeOperationError(node, `n8n's API answered HTTP ${statusCode} without a workflow when reading this link's sync state`, {
			description: 'Nothing was read or sent. Check that the Base URL is this n8n instance (not a proxy page) and that the public API is enabled; then run again.',
		});
	}
	const staticData = body.staticData ?? null;
	const stored = isObject(staticData) ? staticData.global ?? null : null;
	if (String(body.id ?? '') !== workflowId || (staticData !== null && !isObject(staticData)) || (stored !== null && !isObject(stored))) {
		throw new NodeOperationError(node, `n8n's API answered with something that is not the stored static data of workflow ${workflowId}`, {
			description: 'Nothing was read or sent. The Base URL must point at this n8n instance and its public API (GET /api/v1/workflows/{id}); check the credential and run again.',
		});
	}
	return (stored ?? {}) as IDataObject;
}

/**
 * The `global` static data to read and write link states in. With the state credential on the
 * node, the stored link states are fetched from n8n's API once per execution; `write: false`
 * (status answers) returns them as a copy instead, so that an answer never saves a state over a
 * sync that ended meanwhile.
 */
export async function linkStateBucket(this: IExecuteFunctions, options: { write?: boolean } = {}): Promise<IDataObject> {
	const write = options.write !== false;
	const bucket = this.getWorkflowStaticData('global');
	if (!this.getNode().credentials?.[STATE_CREDENTIAL]) return bucket;
	const workflowId = String(this.getWorkflow().id ?? '');
	if (!workflowId) {
		throw new NodeOperationError(this.getNode(), 'This workflow has no id yet, so its stored sync state cannot be read through n8n\'s API', {
			description: 'Save the workflow first.',
		});
	}
	if (filledBuckets.has(bucket)) return bucket;
	const known = write ? undefined : readCopies.get(bucket);
	if (known) return known;
	const stored = await fetchStoredGlobal(this, workflowId);
	if (!write) {
		const copy: IDataObject = {};
		for (const [key, value] of Object.entries(stored)) if (key.startsWith(LINK_KEY_PREFIX)) copy[key] = value;
		readCopies.set(bucket, copy);
		return copy;
	}
	// The database's copy is the truth: link keys it lacks go, the others take its value.
	for (const key of Object.keys(bucket)) if (key.startsWith(LINK_KEY_PREFIX) && !(key in stored)) delete bucket[key];
	for (const [key, value] of Object.entries(stored)) if (key.startsWith(LINK_KEY_PREFIX)) bucket[key] = value;
	filledBuckets.add(bucket);
	return bucket;
}

/**
 * The licence share (Max Actito Calls per Minute) the Sync step stored in this link's state, for
 * the Actito calls that follow it in the same execution (Log Negative Consent writes one record a
 * withdrawal): without it they would run at the client's default and two runs at once could pass
 * the licence's 100 calls a minute.
 */
export async function linkCallsPerMinute(this: IExecuteFunctions, link: unknown): Promise<number | undefined> {
	if (typeof link !== 'string' || !link) return undefined;
	const bucket = await linkStateBucket.call(this);
	const state = bucket[`${LINK_KEY_PREFIX}${link}`] as { config?: { limits?: { callsPerMinute?: unknown } } } | undefined;
	const share = state?.config?.limits?.callsPerMinute;
	return typeof share === 'number' && share >= 1 ? share : undefined;
}
