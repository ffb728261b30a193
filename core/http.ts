// The one shape every API client in the core speaks. Nodes build a Transport on n8n's
// `helpers.httpRequest`; tests, benchmarks and scripts build one on node:http. Keeping the
// clients behind this interface is what keeps them free of n8n imports.

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'DELETE';

export interface HttpRequest {
	method: HttpMethod;
	url: string;
	headers?: Record<string, string>;
	qs?: Record<string, string | number | boolean | undefined>;
	/** Sent as JSON when present. */
	body?: unknown;
	timeoutMs?: number;
}

export interface HttpResponse {
	status: number;
	/** Lower-case header names. */
	headers: Record<string, string>;
	/** Parsed JSON when the answer was JSON, otherwise the raw text (e.g. an HTML error page). */
	body: unknown;
}

export type Transport = (request: HttpRequest) => Promise<HttpResponse>;

/** Waits; nodes pass n8n-workflow's `sleep`, tests a fake clock. */
export type Sleep = (ms: number) => Promise<void>;

export function buildUrl(url: string, qs?: HttpRequest['qs']): string {
	if (!qs) return url;
	const params = new URLSearchParams();
	for (const [key, value] of Object.entries(qs)) {
		if (value !== undefined) params.append(key, String(value));
	}
	const text = params.toString();
	if (!text) return url;
	return url + (url.includes('?') ? '&' : '?') + text;
}

/** Parses a body that may be JSON, a JSON string, or something else (HTML): never throws. */
export function parseBody(raw: unknown): unknown {
	if (typeof raw !== 'string') return raw;
	const text = raw.trim();
	if (!text) return '';
	if (text[0] !== '{' && text[0] !== '[') return raw;
	try {
		return JSON.parse(text);
	} catch {
		return raw;
	}
}

export function lowerCaseHeaders(headers: Record<string, unknown> | undefined): Record<string, string> {
	const out: Record<string, string> = {};
	for (const [key, value] of Object.entries(headers ?? {})) {
		if (value === undefined || value === null) continue;
		out[key.toLowerCase()] = Array.isArray(value) ? value.join(', ') : String(value);
	}
	return out;
}
