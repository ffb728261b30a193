// The one error base of the pure core. Every client error carries what went wrong (message),
// how to fix it (hint) and, for API errors, the HTTP status and the service's code, so that the
// nodes (nodes/shared/errors.ts) can map it with `instanceof` and never re-read a payload.
// Messages built here never hold an identifier or a token: callers pass redacted text.

export interface CoreErrorInit {
	/** A short machine-readable cause: 'contract', 'paging', 'rate_limit', 'auth', … */
	kind: string;
	/** The fix, in words the user can act on. */
	hint?: string;
	/** HTTP status when the error comes from an answer; 0 when the service was not reached. */
	status?: number;
	/** The service's own error code, when it gave one. */
	code?: number;
}

export class CoreError extends Error {
	readonly kind: string;
	readonly hint: string;
	readonly status?: number;
	readonly code?: number;

	constructor(message: string, init: CoreErrorInit) {
		super(message);
		this.name = 'CoreError';
		this.kind = init.kind;
		this.hint = init.hint ?? '';
		this.status = init.status;
		this.code = init.code;
	}
}

/** Short description of a body that is not what was expected, with no content from it. */
export function describeBody(body: unknown): string {
	if (body === undefined || body === null || body === '') return 'an empty body';
	if (typeof body === 'string') return /^\s*</.test(body) ? 'an HTML page' : 'a non-JSON text';
	if (Array.isArray(body)) return body.length ? 'a JSON list' : 'an empty JSON list';
	if (typeof body === 'object') {
		const keys = Object.keys(body as object);
		if (!keys.length) return 'an empty JSON object';
		// Key names are the service's vocabulary, not data; a few are enough to see a rename.
		return `a JSON object with keys ${keys
			.slice(0, 5)
			.map((k) => (/@|\d{5,}/.test(k) ? '<key>' : JSON.stringify(k.slice(0, 30))))
			.join(', ')}${keys.length > 5 ? ', …' : ''}`;
	}
	return `a JSON ${typeof body}`;
}

// Identifiers that a URL or a service text may carry into an error message: e-mail addresses
// (plain or percent-encoded), `attribute=value` keys of Get Profile, international phones.
const EMAIL_IN_TEXT = /[^\s/?&#=<>"'(),;:]+(?:@|%40)[^\s/?&#<>"'(),;:]+/gi;
const KEYED_SEGMENT = /(\/profiles\/[^/?#=\s]+=)[^/?#\s]+/g;
const PHONE_IN_TEXT = /(?:\+|%2B|\b00)\d[\d\s.\-()]{5,}\d/gi;

/** The text with every identifier it may carry replaced by `<redacted>`. */
export function redactIdentifiers(text: string): string {
	return text.replace(KEYED_SEGMENT, '$1<redacted>').replace(EMAIL_IN_TEXT, '<redacted>').replace(PHONE_IN_TEXT, '<redacted>');
}
