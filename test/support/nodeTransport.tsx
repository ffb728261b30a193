// A Transport on node:http(s) for tests, benchmarks and scripts: the same contract the nodes
// get from n8n's helpers.httpRequest (JSON body, lower-case headers, parsed body, no throw on
// HTTP errors), so clients behave the same in both.
import * as http from 'node:http';
import * as https from 'node:https';
import { buildUrl, lowerCaseHeaders, parseBody, type HttpRequest, type HttpResponse, type Transport } from '../../core/http';

export interface NodeTransportOptions {
	/** Told about every request, for tests that inspect what went on the wire. */
	onRequest?: (request: HttpRequest & { fullUrl: string; bodyText?: string }) => void;
	defaultTimeoutMs?: number;
}

export function createNodeTransport(options: NodeTransportOptions = {}): Transport {
	return (request: HttpRequest): Promise<HttpResponse> =>
		new Promise((resolve, reject) => {
			const fullUrl = buildUrl(request.url, request.qs);
			const url = new URL(fullUrl);
			const bodyText = request.body === undefined ? undefined : JSON.stringify(request.body);
			const headers: Record<string, string> = { accept: 'application/json', ...(request.headers ?? {}) };
			if (bodyText !== undefined) {
				headers['content-type'] = 'application/json';
				headers['content-length'] = String(Buffer.byteLength(bodyText));
			}
			options.onRequest?.({ ...request, fullUrl, bodyText });
			const lib = url.protocol === 'https:' ? https : http;
			const req = lib.request(url, { method: request.method, headers }, (res) => {
				const chunks: Buffer[] = [];
				res.on('data', (chunk: Buffer) => chunks.push(chunk));
				res.on('error', reject);
				res.on('end', () => {
					resolve({
						status: res.statusCode ?? 0,
						headers: lowerCaseHeaders(res.headers as Record<string, unknown>),
						body: parseBody(Buffer.concat(chunks).toString('utf8')),
					});
				});
			});
			const timeout = request.timeoutMs ?? options.defaultTimeoutMs;
			if (timeout) {
				req.setTimeout(timeout, () => req.destroy(new Error(`request timed out after ${timeout} ms`)));
			}
			req.on('error', reject);
			if (bodyText !== undefined) req.write(bodyText);
			req.end();
		});
}

/** Small helper for control-API calls in tests: JSON in, JSON out, throws on non-2xx. */
export async function controlCall(baseUrl: string, method: 'GET' | 'POST' | 'DELETE', path: string, body?: unknown): Promise<any> {
	const res = await createNodeTransport()({ method, url: baseUrl + path, body });
	if (res.status >= 300) throw new Error(`${method} ${path} → ${res.status} ${JSON.stringify(res.body)}`);
	return res.body;
}
