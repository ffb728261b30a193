// A small, honest stand-in for n8n's execution contexts, to run a node's execute(), its
// listSearch methods and its credential tests in-process against the sandboxes.
//
// What it does like n8n:
// - parameters resolve from the given values, else from the node description's defaults, only
//   for properties whose displayOptions show them (a hidden parameter resolves to the fallback);
//   dotted paths reach into collections and fixedCollections (`identifiers.mapping`,
//   `options.batchSize`); fixedCollection entries get their inner defaults; collection options
//   get none (n8n returns only what the user set);
// - resourceLocator values are `{mode, value}`; `extractValue` returns the value (through the
//   mode's extractValue regex when it has one);
// - `helpers.httpRequest` on node:http with method/url/qs/headers/body/returnFullResponse/
//   ignoreHttpStatusErrors/timeout; `helpers.request` (legacy) for credential tests;
// - workflow static data: one object per "workflow" that the caller keeps between runs;
//   `getWorkflowStaticData('global')` and `('node')` return persistent sub-objects of it. In mode
//   `manual` the node gets a throw-away copy (n8n neither loads nor saves static data there).
// What it does not: expressions are not evaluated. A parameter may be given as a function
// `({ $json, itemIndex }) => value`, which stands for an expression such as `{{ $json.profileId }}`;
// a string expression (`={{ … }}`) that reaches a node makes the context throw, so that no test
// silently passes an unevaluated expression.

import * as http from 'node:http';
import * as https from 'node:https';

import type {
	ICredentialDataDecryptedObject,
	IDataObject,
	INode,
	INodeExecutionData,
	INodeProperties,
	INodeType,
} from 'n8n-workflow';

export type StaticData = Record<string, IDataObject>;

export interface HttpLogEntry {
	method: string;
	url: string;
	status: number;
}

export interface ContextOptions {
	/** Node parameters as a user would set them (plain values, or functions standing for expressions). */
	parameters?: Record<string, unknown>;
	/** Input items of the node's first input. */
	items?: INodeExecutionData[];
	/** Credentials by type. */
	credentials?: Record<string, ICredentialDataDecryptedObject>;
	/** The workflow's static data, kept by the caller between runs. */
	staticData?: StaticData;
	continueOnFail?: boolean;
	/** n8n's execution mode: `trigger` (schedule) by default; `manual` does not persist static data. */
	mode?: 'trigger' | 'manual' | 'cli' | 'webhook';
	nodeName?: string;
	/** Told about every HTTP call the node makes. */
	httpLog?: HttpLogEntry[];
	/**
	 * The static data is already this execution's own copy (a manual run of several nodes shares
	 * one throw-away copy): do not copy it again.
	 */
	executionCopy?: boolean;
}

// ---------------------------------------------------------------------------------------------
// Parameters

type Props = INodeProperties[];

function clone<T>(value: T): T {
	return value === undefined ? value : (JSON.parse(JSON.stringify(value)) as T);
}

function matchesCondition(expected: unknown[], actual: unknown): boolean {
	return expected.some((e) => {
		if (e && typeof e === 'object' && '_cnd' in (e as object)) {
			const cnd = (e as { _cnd: Record<string, unknown> })._cnd;
			if ('eq' in cnd) return actual === cnd.eq;
			if ('not' in cnd) return actual !== cnd.not;
			if ('exists' in cnd) return actual !== undefined;
			return false;
		}
		if (Array.isArray(actual)) return actual.includes(e);
		return actual === e;
	});
}

function isShown(property: INodeProperties, values: Record<string, unknown>): boolean {
	const options = property.displayOptions;
	if (!options) return true;
	for (const [name, expected] of Object.entries(options.show ?? {})) {
		if (name.startsWith('@')) continue; // @version and friends: one version here
		if (!matchesCondition(expected as unknown[], values[name.replace(/^\//, '')])) return false;
	}
	for (const [name, expected] of Object.entries(options.hide ?? {})) {
		if (name.startsWith('@')) continue;
		if (matchesCondition(expected as unknown[], values[name.replace(/^\//, '')])) return false;
	}
	return true;
}

function fillFixedCollection(property: INodeProperties, value: unknown): unknown {
	if (property.type !== 'fixedCollection' || !value || typeof value !== 'object') return value;
	const out: IDataObject = {};
	for (const [groupName, groupValue] of Object.entries(value as IDataObject)) {
		const group = (property.options ?? []).find((o) => (o as { name: string }).name === groupName) as
			| { values?: INodeProperties[] }
			| undefined;
		const fill = (entry: unknown) => {
			if (!group?.values || !entry || typeof entry !== 'object') return entry;
			const filled: IDataObject = {};
			for (const inner of group.values) {
				const given = (entry as IDataObject)[inner.name];
				filled[inner.name] = (given === undefined ? clone(inner.default) : given) as IDataObject[string];
			}
			for (const [k, v] of Object.entries(entry as IDataObject)) if (!(k in filled)) filled[k] = v;
			return filled;
		};
		out[groupName] = (Array.isArray(groupValue) ? groupValue.map(fill) : fill(groupValue)) as IDataObject[string];
	}
	return out;
}

/**
 * The node's parameters as n8n would store them: given values, else defaults, for every property
 * that its displayOptions show. Properties sharing a name (one per operation) resolve to the first
 * one shown.
 */
export function resolveParameters(properties: Props, given: Record<string, unknown>): Record<string, unknown> {
	// First guess (given or default, ignoring visibility), so that displayOptions can refer to any parameter.
	const guess: Record<string, unknown> = {};
	for (const p of properties) {
		if (p.type === 'notice') continue;
		if (!(p.name in guess)) guess[p.name] = p.name in given ? given[p.name] : p.default;
	}
	for (let pass = 0; pass < 3; pass++) {
		const next: Record<string, unknown> = {};
		for (const p of properties) {
			if (p.type === 'notice' || p.name in next) continue;
			if (!isShown(p, guess)) continue;
			const value = p.name in given ? given[p.name] : clone(p.default);
			next[p.name] = fillFixedCollection(p, value);
		}
		const stable = JSON.stringify(Object.keys(next).sort()) === JSON.stringify(Object.keys(guess).sort());
		Object.keys(guess).forEach((k) => delete guess[k]);
		Object.assign(guess, next);
		if (stable) break;
	}
	return guess;
}

function propertyFor(properties: Props, name: string, values: Record<string, unknown>): INodeProperties | undefined {
	return properties.find((p) => p.name === name && isShown(p, values)) ?? properties.find((p) => p.name === name);
}

function isResourceLocatorValue(value: unknown): value is { mode: string; value: unknown } {
	return Boolean(value && typeof value === 'object' && 'mode' in (value as object) && 'value' in (value as object));
}

function evaluate(value: unknown, item: INodeExecutionData | undefined, itemIndex: number, name: string): unknown {
	if (typeof value === 'function') return evaluate(value({ $json: item?.json ?? {}, itemIndex }), item, itemIndex, name);
	if (typeof value === 'string' && value.startsWith('=')) {
		throw new Error(
			`n8nContext: parameter "${name}" is the expression ${JSON.stringify(value)}; this stand-in does not evaluate expressions: pass a plain value or a function ({ $json }) => value`,
		);
	}
	if (Array.isArray(value)) return value.map((v) => evaluate(v, item, itemIndex, name));
	if (value && typeof value === 'object') {
		const out: Record<string, unknown> = {};
		for (const [k, v] of Object.entries(value)) out[k] = evaluate(v, item, itemIndex, name);
		return out;
	}
	return value;
}

function getPath(root: Record<string, unknown>, path: string): unknown {
	let value: unknown = root;
	for (const part of path.split('.')) {
		if (value === null || value === undefined || typeof value !== 'object') return undefined;
		value = (value as Record<string, unknown>)[part];
	}
	return value;
}

function extract(property: INodeProperties | undefined, value: unknown): unknown {
	if (!isResourceLocatorValue(value)) return value;
	const mode = property?.modes?.find((m) => m.name === value.mode);
	const extractor = mode?.extractValue as { type?: string; regex?: string } | undefined;
	if (extractor?.type === 'regex' && extractor.regex && typeof value.value === 'string') {
		const match = new RegExp(extractor.regex).exec(value.value);
		if (!match) throw new Error(`n8nContext: "${value.value}" does not match the ${value.mode} mode's regex ${extractor.regex}`);
		return match[1] ?? match[0];
	}
	return value.value;
}

function parameterReader(nodeType: INodeType, given: Record<string, unknown>, items: INodeExecutionData[]) {
	const properties = nodeType.description.properties;
	const resolved = resolveParameters(properties, given);
	return (name: string, itemIndex: number, fallback?: unknown, options?: { extractValue?: boolean }): unknown => {
		const [top] = name.split('.');
		let value = getPath(resolved, name);
		if (value === undefined) return fallback;
		value = evaluate(value, items[itemIndex], itemIndex, name);
		if (options?.extractValue && top === name) value = extract(propertyFor(properties, top, resolved), value);
		return value === undefined ? fallback : value;
	};
}

// ---------------------------------------------------------------------------------------------
// HTTP helpers

interface HttpRequestOptions {
	method?: string;
	url: string;
	baseURL?: string;
	qs?: Record<string, unknown>;
	headers?: Record<string, unknown>;
	body?: unknown;
	json?: boolean;
	returnFullResponse?: boolean;
	ignoreHttpStatusErrors?: boolean;
	timeout?: number;
}

interface RawAnswer {
	statusCode: number;
	statusMessage: string;
	headers: Record<string, string>;
	text: string;
}

function appendQs(url: string, qs?: Record<string, unknown>): string {
	if (!qs) return url;
	const u = new URL(url);
	for (const [k, v] of Object.entries(qs)) {
		if (v === undefined || v === null) continue;
		if (Array.isArray(v)) for (const x of v) u.searchParams.append(k, String(x));
		else u.searchParams.append(k, typeof v === 'object' ? JSON.stringify(v) : String(v));
	}
	return u.toString();
}

function send(
	method: string,
	url: string,
	headers: Record<string, string>,
	bodyText: string | undefined,
	timeout: number | undefined,
	log?: HttpLogEntry[],
): Promise<RawAnswer> {
	return new Promise((resolve, reject) => {
		const target = new URL(url);
		const lib = target.protocol === 'https:' ? https : http;
		const allHeaders: Record<string, string> = { ...headers };
		if (bodyText !== undefined) allHeaders['content-length'] = String(Buffer.byteLength(bodyText));
		const req = lib.request(target, { method, headers: allHeaders }, (res) => {
			const chunks: Buffer[] = [];
			res.on('data', (c: Buffer) => chunks.push(c));
			res.on('error', reject);
			res.on('end', () => {
				const out: Record<string, string> = {};
				for (const [k, v] of Object.entries(res.headers)) if (v !== undefined) out[k.toLowerCase()] = Array.isArray(v) ? v.join(', ') : v;
				log?.push({ method, url, status: res.statusCode ?? 0 });
				resolve({
					statusCode: res.statusCode ?? 0,
					statusMessage: res.statusMessage ?? '',
					headers: out,
					text: Buffer.concat(chunks).toString('utf8'),
				});
			});
		});
		if (timeout) req.setTimeout(timeout, () => req.destroy(Object.assign(new Error(`timeout of ${timeout}ms exceeded`), { code: 'ECONNABORTED' })));
		req.on('error', reject);
		if (bodyText !== undefined) req.write(bodyText);
		req.end();
	});
}

/** Like axios as n8n configures it: JSON bodies are parsed, anything else stays text. */
function parseAnswerBody(answer: RawAnswer): unknown {
	if (!answer.text) return answer.text;
	const type = answer.headers['content-type'] ?? '';
	const looksJson = /json/i.test(type) || /^\s*[[{]/.test(answer.text);
	if (!looksJson) return answer.text;
	try {
		return JSON.parse(answer.text);
	} catch {
		return answer.text;
	}
}

function lowerHeaders(headers: Record<string, unknown> | undefined): Record<string, string> {
	const out: Record<string, string> = {};
	for (const [k, v] of Object.entries(headers ?? {})) if (v !== undefined && v !== null) out[k.toLowerCase()] = String(v);
	return out;
}

export function createHttpRequest(log?: HttpLogEntry[]) {
	return async function httpRequest(options: HttpRequestOptions): Promise<any> {
		const method = (options.method ?? 'GET').toUpperCase();
		const url = appendQs(options.baseURL ? new URL(options.url, options.baseURL).toString() : options.url, options.qs);
		const headers = lowerHeaders(options.headers);
		let bodyText: string | undefined;
		if (options.body !== undefined && options.body !== null) {
			if (typeof options.body === 'string' || Buffer.isBuffer(options.body)) bodyText = String(options.body);
			else {
				bodyText = JSON.stringify(options.body);
				headers['content-type'] ??= 'application/json';
			}
		}
		headers.accept ??= 'application/json,text/html,application/xhtml+xml,application/xml,text/*;q=0.9, image/*;q=0.8, */*;q=0.7';
		const answer = await send(method, url, headers, bodyText, options.timeout, log);
		const body = parseAnswerBody(answer);
		if (answer.statusCode >= 400 && !options.ignoreHttpStatusErrors) {
			throw Object.assign(new Error(`Request failed with status code ${answer.statusCode}`), {
				httpCode: String(answer.statusCode),
				response: { status: answer.statusCode, headers: answer.headers, data: body },
			});
		}
		if (options.returnFullResponse) {
			return { body, headers: answer.headers, statusCode: answer.statusCode, statusMessage: answer.statusMessage };
		}
		return body;
	};
}

interface LegacyRequestOptions {
	method?: string;
	uri?: string;
	url?: string;
	qs?: Record<string, unknown>;
	headers?: Record<string, unknown>;
	body?: unknown;
	json?: boolean;
	simple?: boolean;
	resolveWithFullResponse?: boolean;
	timeout?: number;
}

/** request-promise-native as n8n's legacy `helpers.request` uses it. */
export function createLegacyRequest(log?: HttpLogEntry[]) {
	return async function request(options: LegacyRequestOptions): Promise<any> {
		const method = (options.method ?? 'GET').toUpperCase();
		const url = appendQs(String(options.uri ?? options.url), options.qs);
		const headers = lowerHeaders(options.headers);
		let bodyText: string | undefined;
		if (options.body !== undefined && options.body !== null) {
			if (options.json && typeof options.body !== 'string') {
				bodyText = JSON.stringify(options.body);
				headers['content-type'] ??= 'application/json';
			} else bodyText = String(options.body);
		}
		if (options.json) headers.accept ??= 'application/json';
		const answer = await send(method, url, headers, bodyText, options.timeout, log);
		let body: unknown = answer.text;
		if (options.json && answer.text) {
			try {
				body = JSON.parse(answer.text);
			} catch {
				body = answer.text;
			}
		}
		if (options.simple !== false && (answer.statusCode < 200 || answer.statusCode >= 300)) {
			throw Object.assign(new Error(`${answer.statusCode} - ${JSON.stringify(body)}`), { statusCode: answer.statusCode, error: body });
		}
		return options.resolveWithFullResponse ? { statusCode: answer.statusCode, headers: answer.headers, body } : body;
	};
}

// ---------------------------------------------------------------------------------------------
// Contexts

function nodeOf(nodeType: INodeType, parameters: Record<string, unknown>, name?: string): INode {
	return {
		id: `test-${nodeType.description.name}`,
		name: name ?? (nodeType.description.defaults.name as string) ?? nodeType.description.displayName,
		type: `n8n-nodes-actito-meta.${nodeType.description.name}`,
		typeVersion: Array.isArray(nodeType.description.version)
			? Math.max(...nodeType.description.version)
			: (nodeType.description.version as number),
		position: [0, 0],
		parameters: parameters as INode['parameters'],
	};
}

function staticDataFor(options: ContextOptions, nodeName: string) {
	const copy = options.mode === 'manual' && !options.executionCopy;
	const root: StaticData = copy ? clone(options.staticData ?? {}) : (options.staticData ?? {});
	return (type: string): IDataObject => {
		const key = type === 'node' ? `node:${nodeName}` : type === 'global' ? 'global' : null;
		if (!key) throw new Error(`n8nContext: getWorkflowStaticData('${type}'): the type must be 'global' or 'node'`);
		root[key] ??= {};
		return root[key];
	};
}

function credentialsGetter(options: ContextOptions) {
	return async (type: string): Promise<ICredentialDataDecryptedObject> => {
		const found = options.credentials?.[type];
		// n8n's own message when a node asks for a credential the workflow does not give it.
		if (!found) throw new Error(`Node does not have any credentials set for "${type}"`);
		return clone(found);
	};
}

/** An IExecuteFunctions stand-in (the parts these nodes use). */
export function createExecuteContext(nodeType: INodeType, options: ContextOptions = {}) {
	const parameters = options.parameters ?? {};
	const items = options.items ?? [{ json: {} }];
	const node = nodeOf(nodeType, parameters, options.nodeName);
	const read = parameterReader(nodeType, parameters, items);
	const ctx = {
		getInputData: (inputIndex = 0) => (inputIndex === 0 ? items : []),
		getNodeParameter: (name: string, itemIndex: number, fallback?: unknown, opts?: { extractValue?: boolean }) => {
			if (itemIndex < 0 || (items.length && itemIndex >= items.length)) throw new Error(`n8nContext: no item ${itemIndex}`);
			return read(name, itemIndex, fallback, opts);
		},
		getCredentials: credentialsGetter(options),
		getNode: () => node,
		continueOnFail: () => Boolean(options.continueOnFail),
		getWorkflowStaticData: staticDataFor(options, node.name),
		getMode: () => options.mode ?? 'trigger',
		getExecutionId: () => 'test-execution',
		getTimezone: () => 'UTC',
		helpers: {
			httpRequest: createHttpRequest(options.httpLog),
			request: createLegacyRequest(options.httpLog),
			returnJsonArray: (data: IDataObject | IDataObject[]) => (Array.isArray(data) ? data : [data]).map((json) => ({ json })),
		},
		logger: { debug() {}, info() {}, warn() {}, error() {} },
	};
	return ctx;
}

/** Runs a node's execute() as n8n would for one execution of that node. */
export async function runNode(nodeType: INodeType, options: ContextOptions = {}): Promise<INodeExecutionData[][]> {
	const ctx = createExecuteContext(nodeType, options);
	return (await (nodeType.execute as (this: unknown) => Promise<INodeExecutionData[][]>).call(ctx)) ?? [];
}

/** An ILoadOptionsFunctions stand-in, for `methods.listSearch.*` (no item index). */
export function createLoadOptionsContext(nodeType: INodeType, options: ContextOptions = {}) {
	const parameters = options.parameters ?? {};
	const node = nodeOf(nodeType, parameters, options.nodeName);
	const read = parameterReader(nodeType, parameters, [{ json: {} }]);
	return {
		getNodeParameter: (name: string, fallback?: unknown, opts?: { extractValue?: boolean }) => read(name, 0, fallback, opts),
		getCurrentNodeParameter: (name: string) => read(name, 0, undefined),
		getCredentials: credentialsGetter(options),
		getNode: () => node,
		helpers: { httpRequest: createHttpRequest(options.httpLog), request: createLegacyRequest(options.httpLog) },
		logger: { debug() {}, info() {}, warn() {}, error() {} },
	};
}

export async function runListSearch(
	nodeType: INodeType,
	method: string,
	options: ContextOptions & { filter?: string; paginationToken?: string } = {},
) {
	const fn = (nodeType.methods?.listSearch as Record<string, (...args: any[]) => any> | undefined)?.[method];
	if (!fn) throw new Error(`n8nContext: ${nodeType.description.name} has no listSearch method ${method}`);
	return fn.call(createLoadOptionsContext(nodeType, options), options.filter, options.paginationToken);
}

/** Runs a credential test the way n8n does: found by the node's `testedBy`, with the legacy request helper. */
export async function runCredentialTest(nodeType: INodeType, credentialType: string, data: ICredentialDataDecryptedObject) {
	const declared = nodeType.description.credentials?.find((c) => c.name === credentialType);
	const testName = declared?.testedBy;
	if (typeof testName !== 'string') throw new Error(`n8nContext: ${nodeType.description.name} declares no test for ${credentialType}`);
	const fn = (nodeType.methods?.credentialTest as Record<string, (...args: any[]) => any> | undefined)?.[testName];
	if (!fn) throw new Error(`n8nContext: ${nodeType.description.name} has no credentialTest ${testName}`);
	const ctx = { helpers: { request: createLegacyRequest() }, logger: { debug() {}, info() {}, warn() {}, error() {} } };
	return fn.call(ctx, { id: 'test', name: 'test', type: credentialType, data });
}

// ---------------------------------------------------------------------------------------------
// The hourly template's chain, in-process

export interface ChainConfig {
	actitoCredentials: ICredentialDataDecryptedObject;
	metaCredentials: ICredentialDataDecryptedObject;
	/** One object for the whole "workflow", kept between runs. */
	staticData: StaticData;
	table?: string;
	segmentation?: string;
	adAccount?: string;
	metaAudienceId: string;
	defaultCountry?: string;
	/** Get Changes → Sync Options (defaultCountry is set from above). */
	syncOptions?: IDataObject;
	/** Sync Members → Options. */
	metaOptions?: IDataObject;
	unknownConsent?: 'allow' | 'block';
	mode?: ContextOptions['mode'];
	/** Also run Log Interaction on the Blocked output, as the template does. */
	logBlocked?: boolean;
}

export interface ChainResult {
	changes: INodeExecutionData[];
	allowed: INodeExecutionData[];
	blocked: INodeExecutionData[];
	hashed: INodeExecutionData[];
	/** Sync Members' output, or null when it did not run (no input items). */
	synced: INodeExecutionData[] | null;
	logged: INodeExecutionData[] | null;
}

/**
 * Get Changes → Consent Filter → (Allowed) Hash Identifiers → Sync Members, in one execution
 * sharing one static-data object. As in n8n, a node whose input has no items does not run.
 * Node classes are passed in so that this file does not pin the product's import paths.
 */
export async function runChain(
	nodes: { ActitoAudience: INodeType; ConsentFilter: INodeType; HashIdentifiers: INodeType; MetaCustomAudience: INodeType },
	config: ChainConfig,
): Promise<ChainResult> {
	const credentials = { actitoApi: config.actitoCredentials, metaMarketingApi: config.metaCredentials };
	// Manual executions work on a copy that is thrown away; every node of one execution sees the same copy.
	const staticData = config.mode === 'manual' ? clone(config.staticData) : config.staticData;
	const common = { credentials, staticData, mode: config.mode, executionCopy: true };
	const result: ChainResult = { changes: [], allowed: [], blocked: [], hashed: [], synced: null, logged: null };

	[result.changes] = await runNode(nodes.ActitoAudience, {
		...common,
		nodeName: 'Get Changes',
		items: [{ json: {} }],
		parameters: {
			resource: 'audience',
			operation: 'getChanges',
			table: { __rl: true, mode: 'id', value: config.table ?? 'Customers' },
			segmentation: { __rl: true, mode: 'id', value: config.segmentation ?? 'Audiences:VIP' },
			metaAudienceId: config.metaAudienceId,
			syncOptions: { defaultCountry: config.defaultCountry ?? '', unknownConsent: config.unknownConsent ?? 'allow', ...config.syncOptions },
		},
	});
	if (!result.changes?.length) {
		result.changes = [];
		return result;
	}

	[result.allowed, result.blocked] = await runNode(nodes.ConsentFilter, {
		...common,
		nodeName: 'Consent Filter',
		items: result.changes,
		parameters: { consentSource: 'field', consentField: 'marketingConsent', unknownConsent: config.unknownConsent ?? 'allow' },
	});
	result.allowed ??= [];
	result.blocked ??= [];

	if (config.logBlocked && result.blocked.length) {
		[result.logged] = await runNode(nodes.ActitoAudience, {
			...common,
			nodeName: 'Log Negative Consent',
			items: result.blocked,
			parameters: {
				resource: 'customTableRecord',
				operation: 'logInteraction',
				customTable: 'negative_consent',
				interactionProfileId: ({ $json }: { $json: IDataObject }) => $json.profileId,
				event: 'NEGATIVE_CONSENT',
				interactionAudience: ({ $json }: { $json: IDataObject }) => $json.link ?? '',
			},
		});
	}

	if (!result.allowed.length) return result;
	[result.hashed] = await runNode(nodes.HashIdentifiers, {
		...common,
		nodeName: 'Hash Identifiers',
		items: result.allowed,
		parameters: {
			identifiers: {
				mapping: [
					{ key: 'EXTERN_ID', field: 'profileId' },
					{ key: 'EMAIL', field: 'email' },
					{ key: 'PHONE', field: 'phone' },
				],
			},
			countryField: 'country',
			defaultCountry: config.defaultCountry ?? '',
			options: { stripPlain: true },
		},
	});
	if (!result.hashed?.length) return result;

	[result.synced] = await runNode(nodes.MetaCustomAudience, {
		...common,
		nodeName: 'Sync Members',
		items: result.hashed,
		parameters: {
			resource: 'audience',
			operation: 'syncMembers',
			adAccount: { __rl: true, mode: 'id', value: config.adAccount ?? 'act_100000000000001' },
			audience: { __rl: true, mode: 'id', value: config.metaAudienceId },
			options: { batchSize: 10000, maxWaitMinutes: 15, ...config.metaOptions },
		},
	});
	return result;
}
