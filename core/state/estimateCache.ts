// A short-lived cache of Meta's size estimate per audience, for the status page: however many
// hits it gets, at most one Meta call per audience per TTL in one n8n process (concurrent hits
// share the call in flight). Nothing here is persisted: the status branch never writes the state.

export interface CachedEstimate {
	at: number;
	value: Record<string, unknown>;
}

const DEFAULT_TTL_MS = 60_000;
const entries = new Map<string, { at: number; promise: Promise<Record<string, unknown>> }>();

export async function cachedEstimate(
	audienceId: string,
	load: () => Promise<Record<string, unknown>>,
	options: { ttlMs?: number; now?: () => number } = {},
): Promise<Record<string, unknown>> {
	const now = (options.now ?? Date.now)();
	const ttl = options.ttlMs ?? DEFAULT_TTL_MS;
	const hit = entries.get(audienceId);
	if (hit && now - hit.at < ttl) return hit.promise;
	// A failed call is cached too (as its error summary): a broken credential must not turn
	// every hit into a Meta call.
	const promise = load().catch((error: unknown) => {
		const e = error as { kind?: string; code?: number };
		return { error: 'Meta could not be asked for the estimated size', ...(e?.kind ? { kind: e.kind } : {}), ...(typeof e?.code === 'number' ? { code: e.code } : {}) };
	});
	entries.set(audienceId, { at: now, promise });
	if (entries.size > 1000) entries.delete(entries.keys().next().value as string);
	return promise;
}

export function clearEstimateCache(): void {
	entries.clear();
}
