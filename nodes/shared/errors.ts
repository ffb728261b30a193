// Turns the core's errors into n8n errors that name the cause and the fix. Core errors
// (core/errors.ts) carry `kind`, `hint` (the fix) and, for API errors, `status`/`code`;
// nothing here re-reads payloads, so no identifier or token can reach an error message.

import type { INode, JsonObject } from 'n8n-workflow';
import { NodeApiError, NodeOperationError } from 'n8n-workflow';

import { CoreError, redactIdentifiers } from '../../core/errors';

export function toNodeError(node: INode, error: unknown, itemIndex?: number): NodeApiError | NodeOperationError {
	if (error instanceof NodeApiError || error instanceof NodeOperationError) return error;
	if (error instanceof CoreError) {
		const e = error as CoreError & { subcode?: number; fbtraceId?: string };
		// The API clients' errors (they always carry a status, 0 when nothing was answered) are API errors.
		if (e.status !== undefined || e.kind === 'rate_limit') {
			const response: JsonObject = {
				message: e.message,
				kind: e.kind,
				...(e.code !== undefined ? { code: e.code } : {}),
				...(e.subcode !== undefined ? { error_subcode: e.subcode } : {}),
				...(e.fbtraceId ? { fbtrace_id: e.fbtraceId } : {}),
			};
			return new NodeApiError(node, response, {
				message: e.message,
				description: e.hint || undefined,
				httpCode: e.status ? String(e.status) : undefined,
				itemIndex,
			});
		}
		return new NodeOperationError(node, e.message, { description: e.hint || undefined, itemIndex });
	}
	// A plain description of a core error ({name, message, hint, kind, code}), as the sync steps
	// pass on an error they recorded; anything else (a bug) is shown without identifiers too.
	const e = (error ?? {}) as { name?: string; message?: string; hint?: string; code?: number | string; subcode?: number; kind?: string; status?: number };
	const message = redactIdentifiers(e.message || String(error));
	if (e.name && API_ERRORS.has(e.name)) {
		const response: JsonObject = {
			message,
			...(e.code !== undefined ? { code: e.code } : {}),
			...(e.subcode !== undefined ? { error_subcode: e.subcode } : {}),
			...(e.kind ? { kind: e.kind } : {}),
		};
		return new NodeApiError(node, response, { message, description: e.hint, httpCode: e.status ? String(e.status) : undefined, itemIndex });
	}
	return new NodeOperationError(node, message, { description: e.hint, itemIndex });
}

const API_ERRORS = new Set(['MetaApiError', 'ActitoApiError', 'RetryBudgetExceededError']);
