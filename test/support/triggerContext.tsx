// A small hand-made n8n context for running trigger nodes in-process: IPollFunctions,
// IHookFunctions and IWebhookFunctions share one object whose parameters start from the
// node's own defaults, whose static data persists across calls (like an active workflow),
// and whose helpers.httpRequest speaks node:http the way n8n's helper does.
import type { IDataObject, IHttpRequestOptions, INode, INodeType } from 'n8n-workflow';

import { createHttpRequest } from './n8nContext';

export interface FakeResponse {
	statusCode: number;
	body: unknown;
	sent: boolean;
	status(code: number): FakeResponse;
	json(body: unknown): FakeResponse;
	send(body?: unknown): FakeResponse;
	end(): FakeResponse;
}

export interface TriggerContextOptions {
	node: INodeType;
	parameters?: Record<string, unknown>;
	credentials: Record<string, unknown>;
	/** The node bucket of the workflow's static data; pass the same object to persist it. */
	staticData?: IDataObject;
	mode?: 'trigger' | 'manual' | 'webhook' | 'internal';
	webhookUrl?: string;
	request?: { headers?: Record<string, string | string[] | undefined>; body?: unknown };
	onRequest?: (options: IHttpRequestOptions) => void;
}

export interface TriggerContext {
	context: any;
	staticData: IDataObject;
	response: FakeResponse;
}

function defaultsOf(node: INodeType): Record<string, unknown> {
	const out: Record<string, unknown> = {};
	for (const p of node.description.properties) {
		if (p.type === 'notice') continue;
		// Later definitions of the same name (displayOptions variants) do not override the first.
		if (!(p.name in out)) out[p.name] = structuredClone(p.default);
	}
	return out;
}

function getPath(source: Record<string, unknown>, path: string): unknown {
	let value: unknown = source;
	for (const part of path.split('.')) {
		if (value === null || typeof value !== 'object') return undefined;
		value = (value as Record<string, unknown>)[part];
	}
	return value;
}

export function fakeResponse(): FakeResponse {
	const res: FakeResponse = {
		statusCode: 200,
		body: undefined,
		sent: false,
		status(code) {
			res.statusCode = code;
			return res;
		},
		json(body) {
			res.body = body;
			res.sent = true;
			return res;
		},
		send(body) {
			res.body = body;
			res.sent = true;
			return res;
		},
		end() {
			res.sent = true;
			return res;
		},
	};
	return res;
}

/** helpers.httpRequest on node:http: the same stand-in as the action nodes' context. */
export const httpRequest: (options: IHttpRequestOptions) => Promise<any> = createHttpRequest() as never;

export function createTriggerContext(options: TriggerContextOptions): TriggerContext {
	const parameters = { ...defaultsOf(options.node), ...(options.parameters ?? {}) };
	const staticData = options.staticData ?? {};
	const response = fakeResponse();
	const node: INode = {
		id: 'node-1',
		name: options.node.description.defaults.name ?? options.node.description.displayName,
		type: `n8n-nodes-actito-meta.${options.node.description.name}`,
		typeVersion: 1,
		position: [0, 0],
		parameters: parameters as INode['parameters'],
	};
	const headers: Record<string, string | string[] | undefined> = {};
	for (const [k, v] of Object.entries(options.request?.headers ?? {})) headers[k.toLowerCase()] = v;
	const context = {
		getNode: () => node,
		getMode: () => options.mode ?? 'trigger',
		getActivationMode: () => 'activate',
		getWebhookName: () => 'default',
		getNodeParameter(name: string, fallback?: unknown, opts?: { extractValue?: boolean }) {
			let value = getPath(parameters, name);
			if (value === undefined) return fallback;
			if (opts?.extractValue && value && typeof value === 'object' && 'value' in (value as object)) {
				value = (value as { value: unknown }).value;
			}
			return value;
		},
		getCredentials: async (type: string) => {
			if (type !== 'actitoApi') throw new Error(`No credential of type ${type} in this test`);
			return { ...options.credentials };
		},
		getWorkflowStaticData: (type: string) => {
			if (type !== 'node') throw new Error('only the node bucket is used by triggers');
			return staticData;
		},
		getNodeWebhookUrl: () => options.webhookUrl,
		getHeaderData: () => headers,
		getBodyData: () => (options.request?.body ?? {}) as IDataObject,
		getQueryData: () => ({}),
		getRequestObject: () => ({ headers, body: options.request?.body }),
		getResponseObject: () => response,
		helpers: {
			httpRequest: (o: IHttpRequestOptions) => {
				options.onRequest?.(o);
				return httpRequest(o);
			},
			returnJsonArray: (items: IDataObject[]) => items.map((json) => ({ json })),
		},
	};
	return { context, staticData, response };
}
