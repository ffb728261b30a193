// How rows are cut into Meta upload calls, and what a removal row looks like.

export const META_MAX_BATCH = 10_000;

export function clampBatchSize(size: number | undefined): number {
	if (!size || !Number.isFinite(size)) return META_MAX_BATCH;
	return Math.max(1, Math.min(META_MAX_BATCH, Math.floor(size)));
}

export function chunk<T>(items: T[], size: number): T[][] {
	const out: T[][] = [];
	for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
	return out;
}

/** Minimum number of upload calls for a change set: what the benchmarks compare against. */
export function minimumUploadCalls(adds: number, removes: number, batchSize = META_MAX_BATCH): number {
	return Math.ceil(adds / batchSize) + Math.ceil(removes / batchSize);
}

/**
 * A removal goes by EXTERN_ID when the schema has one: Meta maps it to the hashes it was
 * added with (for 90 days), so a deleted profile can leave without its identifiers.
 */
export function removalRow(schema: string[], row: string[]): string[] {
	const at = schema.indexOf('EXTERN_ID');
	if (at < 0 || !row[at]) return row;
	return schema.map((_, i) => (i === at ? row[at] : ''));
}
