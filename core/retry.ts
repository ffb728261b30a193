// Backoff shared by both API clients. The decision *whether* to retry and how long the
// service asked us to wait belongs to each client's error classifier; this module only
// schedules the attempts and enforces the caller's ceiling on total waiting.

import { CoreError } from './errors';
import type { Sleep } from './http';

export interface RetryDecision {
	retry: boolean;
	/** A wait the service asked for (e.g. Meta's estimated_time_to_regain_access), in ms. */
	waitMs?: number;
	/**
	 * Throttling whose length the service did not say: keep backing off until the caller's
	 * maximum total wait is spent, however many attempts that takes (not maxAttempts).
	 */
	untilBudget?: boolean;
}

export interface RetryOptions {
	/** Attempts in all, the first included. */
	maxAttempts: number;
	/** First backoff; doubles each attempt, with jitter. */
	baseDelayMs: number;
	maxDelayMs: number;
	/** Total time this call may spend waiting; past it the last error is thrown. */
	maxTotalWaitMs: number;
	sleep: Sleep;
	/** For deterministic tests. Defaults to Math.random. */
	random?: () => number;
	/** Told about each wait, for the run summary (no payloads, no identifiers). */
	onRetry?: (info: { attempt: number; waitMs: number; error: unknown }) => void;
}

export const DEFAULT_RETRY: Omit<RetryOptions, 'sleep'> = {
	maxAttempts: 6,
	baseDelayMs: 1000,
	maxDelayMs: 60_000,
	maxTotalWaitMs: 15 * 60_000,
};

/** Thrown when the service asks for a longer wait than the caller allows; names the cause. */
export class RetryBudgetExceededError extends CoreError {
	readonly subcode?: number;

	constructor(
		readonly cause: unknown,
		readonly waitedMs: number,
		readonly neededMs: number,
	) {
		const c = (cause ?? {}) as { message?: string; hint?: string; kind?: string; code?: number; subcode?: number; status?: number };
		super(
			`${c.message ?? 'The service is throttling the requests'} — waiting ${Math.ceil(neededMs / 1000)} s more would pass ` +
				`the maximum wait (${Math.round(waitedMs / 1000)} s already waited).`,
			{
				kind: c.kind ?? 'rate_limit',
				code: c.code,
				status: c.status,
				hint: 'Raise "Maximum Wait (Minutes)", or let the next run continue: what was accepted so far is kept.' + (c.hint ? ` ${c.hint}` : ''),
			},
		);
		this.name = 'RetryBudgetExceededError';
		this.subcode = c.subcode;
	}
}

export function backoffDelay(attempt: number, options: Pick<RetryOptions, 'baseDelayMs' | 'maxDelayMs' | 'random'>): number {
	const exp = Math.min(options.maxDelayMs, options.baseDelayMs * 2 ** Math.max(0, attempt - 1));
	const random = options.random ?? Math.random;
	// "Equal jitter": never less than half the exponential step, so waits still grow.
	return Math.round(exp / 2 + (random() * exp) / 2);
}

export async function withRetry<T>(
	operation: (attempt: number) => Promise<T>,
	classify: (error: unknown) => RetryDecision,
	options: RetryOptions,
): Promise<T> {
	let waited = 0;
	for (let attempt = 1; ; attempt++) {
		let error: unknown;
		try {
			return await operation(attempt);
		} catch (caught) {
			error = caught;
		}
		const decision = classify(error);
		if (!decision.retry) throw error;
		if (attempt >= options.maxAttempts && !decision.untilBudget) throw error;
		const wait = Math.max(decision.waitMs ?? 0, backoffDelay(attempt, options), decision.untilBudget ? 100 : 0);
		if (waited + wait > options.maxTotalWaitMs) {
			if (decision.untilBudget) {
				// Spend what is left of the budget on one last attempt before giving up.
				const rest = options.maxTotalWaitMs - waited;
				if (rest > 0 && decision.waitMs === undefined) {
					options.onRetry?.({ attempt, waitMs: rest, error });
					waited += rest;
					await options.sleep(rest);
					continue;
				}
			}
			if (decision.waitMs !== undefined || decision.untilBudget) throw new RetryBudgetExceededError(error, waited, wait);
			throw error;
		}
		options.onRetry?.({ attempt, waitMs: wait, error });
		waited += wait;
		await options.sleep(wait);
	}
}
