// Sends change rows to a Meta customer-list audience: removals first, then additions, each
// operation in one upload session of batches of at most 10,000 rows. After each batch Meta
// accepts, the caller is told exactly which rows went, so that it can commit them. A failure
// stops the run and is returned in the summary (not thrown), with everything accepted so far.

import { isHashedKey, isMetaKey, isSha256Hex, rowFingerprint } from '../identifiers';
import type { MetaClient } from '../meta/metaClient';
import { MetaApiError } from '../meta/metaErrors';
import { RetryBudgetExceededError } from '../retry';
import { chunk, clampBatchSize, removalRow } from './batching';
import { newSessionId, type SessionKind } from './sessions';

export interface UploadRow {
	/** Index of the input item, for pairing and per-item errors. */
	index: number;
	profileId?: string;
	action: 'add' | 'remove';
	schema: string[];
	row: string[];
	/** Invalid identifier values of the item, key → reason (from Hash Identifiers). */
	invalid?: Record<string, string>;
}

export interface AcceptedBatch {
	action: 'add' | 'remove';
	entries: Array<{ profileId?: string; fingerprint: number }>;
}

export interface UploadOptions {
	audienceId: string;
	batchSize?: number;
	dryRun?: boolean;
	/** `replace` sends every addition through usersreplace (the whole membership). */
	mode?: 'sync' | 'replace';
	onBatchAccepted?: (batch: AcceptedBatch) => void;
	now?: () => number;
	/** Marks the session ids (core/sync/sessions.ts): `hourly` when a link's state commits them, else `items`. */
	sessionKind?: SessionKind;
}

export interface BatchReport {
	operation: 'add' | 'remove' | 'replace';
	sessionId: string;
	batchSeq: number;
	rows: number;
	lastBatch: boolean;
	numReceived?: number;
	numInvalidEntries?: number;
	/** Dry run only: the first rows as they would be sent (hashed). */
	sample?: string[][];
}

export interface UploadSummary {
	audienceId: string;
	/** `partial`: Meta refused the removals (audience too small); the additions went through. */
	status: 'success' | 'partial' | 'error' | 'dry_run' | 'nothing_to_do';
	schema: string[];
	sent: { add: number; remove: number };
	received: number;
	invalidAtMeta: number;
	/** Items not sent because they carry no usable identifier. */
	skippedNoIdentifier: number;
	coverage: Record<string, number>;
	invalidByReason: Record<string, number>;
	sessions: string[];
	batches: BatchReport[];
	requests: number;
	durationMs: number;
	error?: { kind: string; message: string; hint?: string; code?: number; subcode?: number; itemIndex?: number };
	/** Removals Meta refused and that wait for a later run, with Meta's reason. */
	removalsRefused?: number;
	warning?: { kind: string; message: string; hint?: string; code?: number; subcode?: number };
}

export class UploadInputError extends Error {
	constructor(
		message: string,
		readonly itemIndex: number,
	) {
		super(message);
		this.name = 'UploadInputError';
	}
}

/** Meta errors and throttling past the maximum wait both carry kind, hint and codes. */
function describeError(error: unknown): NonNullable<UploadSummary['error']> {
	if (error instanceof MetaApiError || error instanceof RetryBudgetExceededError) {
		return { kind: error.kind ?? 'rate_limit', message: error.message, hint: error.hint, code: error.code, subcode: error.subcode };
	}
	return { kind: 'unknown', message: (error as Error)?.message ?? String(error) };
}

/**
 * Why a row must not leave for Meta, or null: a hashed key that is not 64-hex SHA-256 (a plain
 * e-mail, phone or name would reach Meta on the wire), or an EXTERN_ID that looks like an e-mail
 * or a formatted phone number. The reason names the key only, never the value.
 */
export function unsendableReason(schema: readonly string[], row: readonly string[]): string | null {
	for (let i = 0; i < schema.length; i++) {
		const key = schema[i];
		const value = row[i];
		if (value === '' || value === undefined) continue;
		if (key === 'EXTERN_ID') {
			if (value.includes('@') || (/^\+|[\s().-]/.test(value) && (value.match(/\d/g)?.length ?? 0) >= 7)) {
				return 'EXTERN_ID: looks like an e-mail or phone (refused, not sent)';
			}
		} else if (isMetaKey(key) && isHashedKey(key) && !isSha256Hex(value)) {
			return `${key}: not a SHA-256 hash (refused, not sent)`;
		}
	}
	return null;
}

function hasMatchKey(schema: string[], row: string[]): boolean {
	return row.some((value, i) => value !== '' && schema[i] !== 'EXTERN_ID');
}

export async function uploadChanges(
	client: MetaClient,
	rows: UploadRow[],
	options: UploadOptions,
): Promise<UploadSummary> {
	const now = options.now ?? Date.now;
	const started = now();
	const requestsBefore = client.stats.requests;
	const batchSize = clampBatchSize(options.batchSize);
	const schema = rows[0]?.schema ?? [];
	const summary: UploadSummary = {
		audienceId: options.audienceId,
		status: 'nothing_to_do',
		schema,
		sent: { add: 0, remove: 0 },
		received: 0,
		invalidAtMeta: 0,
		skippedNoIdentifier: 0,
		coverage: Object.fromEntries(schema.map((key) => [key, 0])),
		invalidByReason: {},
		sessions: [],
		batches: [],
		requests: 0,
		durationMs: 0,
	};

	const removals: UploadRow[] = [];
	const additions: UploadRow[] = [];
	for (const row of rows) {
		// Meta allows one schema per audience for its whole life (error 2650 otherwise).
		if (row.schema.join(',') !== schema.join(',')) {
			throw new UploadInputError(
				`Item ${row.index} has schema [${row.schema.join(', ')}] but earlier items have [${schema.join(', ')}]. ` +
					'A Meta audience takes one schema: use the same Hash Identifiers settings for every item.',
				row.index,
			);
		}
		if (row.row.length !== schema.length) {
			throw new UploadInputError(`Item ${row.index} has ${row.row.length} values for ${schema.length} schema keys.`, row.index);
		}
		for (const [key, reason] of Object.entries(row.invalid ?? {})) {
			const label = `${key}: ${reason}`;
			summary.invalidByReason[label] = (summary.invalidByReason[label] ?? 0) + 1;
		}
		const refused = unsendableReason(schema, row.action === 'remove' ? removalRow(schema, row.row) : row.row);
		if (refused) {
			summary.invalidByReason[refused] = (summary.invalidByReason[refused] ?? 0) + 1;
			summary.skippedNoIdentifier++;
			continue;
		}
		if (row.action === 'remove') {
			const sent = removalRow(schema, row.row);
			if (!sent.some((value) => value !== '')) {
				summary.skippedNoIdentifier++;
				continue;
			}
			removals.push({ ...row, row: sent });
		} else {
			if (!hasMatchKey(schema, row.row)) {
				summary.skippedNoIdentifier++;
				continue;
			}
			row.row.forEach((value, i) => {
				if (value !== '') summary.coverage[schema[i]]++;
			});
			additions.push(row);
		}
	}

	const operations: Array<['add' | 'remove' | 'replace', UploadRow[]]> =
		options.mode === 'replace' ? [['replace', additions]] : [['remove', removals], ['add', additions]];

	try {
		for (const [operation, list] of operations) {
			if (!list.length && operation !== 'replace') continue;
			const batches = chunk(list, batchSize);
			if (!batches.length) batches.push([]);
			const sessionId = newSessionId(options.sessionKind ?? 'items');
			summary.sessions.push(String(sessionId));
			for (let b = 0; b < batches.length; b++) {
				const batch = batches[b];
				const report: BatchReport = {
					operation,
					sessionId: String(sessionId),
					batchSeq: b + 1,
					rows: batch.length,
					lastBatch: b === batches.length - 1,
				};
				summary.batches.push(report);
				if (options.dryRun) {
					report.sample = batch.slice(0, 3).map((r) => r.row);
				} else {
					const outcome = await client
						.upload({
							audienceId: options.audienceId,
							operation,
							schema,
							rows: batch.map((r) => r.row),
							session: {
								sessionId,
								batchSeq: b + 1,
								lastBatchFlag: report.lastBatch,
								estimatedNumTotal: list.length,
							},
						})
						.then((answer) => ({ answer }), (error: unknown) => ({ error }));
					if ('error' in outcome) {
						const { error } = outcome;
						// "Stop removals; report" (Meta's rule for 1870047): leavers wait for a later
						// run, but the additions still go, so a small audience can grow out of it.
						if (operation !== 'remove' || !(error instanceof MetaApiError) || error.kind !== 'too_small') throw error;
						summary.batches.pop();
						summary.removalsRefused = list.length - b * batchSize;
						summary.warning = describeError(error);
						break;
					}
					const { answer } = outcome;
					report.numReceived = answer.numReceived;
					report.numInvalidEntries = answer.numInvalidEntries;
					summary.invalidAtMeta += answer.numInvalidEntries ?? 0;
				}
				const action = operation === 'remove' ? 'remove' : 'add';
				summary.sent[action] += batch.length;
				if (!options.dryRun && operation !== 'replace') {
					options.onBatchAccepted?.({
						action,
						entries: batch.map((r) => ({ profileId: r.profileId, fingerprint: rowFingerprint(r.row) })),
					});
				}
			}
			const last = summary.batches[summary.batches.length - 1];
			if (last?.numReceived !== undefined) summary.received += last.numReceived;
			if (operation === 'replace' && !options.dryRun) {
				// A replace takes effect when its last batch lands: only then does it commit.
				options.onBatchAccepted?.({
					action: 'add',
					entries: list.map((r) => ({ profileId: r.profileId, fingerprint: rowFingerprint(r.row) })),
				});
			}
		}
		summary.status = options.dryRun
			? 'dry_run'
			: summary.removalsRefused
				? 'partial'
				: summary.batches.length
					? 'success'
					: 'nothing_to_do';
	} catch (error) {
		summary.status = 'error';
		summary.error = describeError(error);
	}
	summary.requests = client.stats.requests - requestsBefore;
	summary.durationMs = now() - started;
	return summary;
}
