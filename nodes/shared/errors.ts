// Turns the core's errors into n8n errors that name the cause and the fix. Core errors carry
// `hint` (the fix) and, for API errors, `status`/`code`; nothing here re-reads payloads, so no
// identifier or token can reach an error message.

import type { INode, JsonObject } from 'n8n-workflow';
import { NodeApiError, NodeOperationError } from 'n8n-workflow';

interface CoreErrorShape {
	name?: string;
	message?: string;
	hint?: string;
	status?: number;
	code?: number | string;
	subcode?: number;
	kind?: string;
	fbtraceId?: string;
}

const API_ERRORS = new Set(['MetaApiError', 'ActitoApiError', 'RetryBudgetExceededError']);

export function toNodeError(node: INode, error: unknown, itemIndex?: number): NodeApiError | NodeOperationError {
	if (error instanceof NodeApiError || error instanceof NodeOperationError) return error;
	const e = (error ?? {}) as CoreErrorShape;
	const message = e.message || String(error);
	if (e.name && API_ERRORS.has(e.name)) {
		const response: JsonObject = {
			message,
			...(e.code !== undefined ? { code: e.code } : {}),
			...(e.subcode !== undefined ? { error_subcode: e.subcode } : {}),
			...(e.kind ? { kind: e.kind } : {}),
			...(e.fbtraceId ? { fbtrace_id: e.fbtraceId } : {}),
		};
		return new NodeApiError(node, response, {
			message,
			description: e.hint,
			httpCode: e.status ? String(e.status) : undefined,
			itemIndex,
		});
	}
	return new NodeOperationError(node, message, { description: e.hint, itemIndex });
}
