// A per-process budget for the status page's profile checks: each costs Actito calls, so
// however many hits the page gets, at most `perMinute` checks a minute go to Actito.

const DEFAULT_PER_MINUTE = 30;
let windowStart = 0;
let used = 0;

export function takeProfileCheck(options: { perMinute?: number; now?: () => number } = {}): boolean {
	const now = (options.now ?? Date.now)();
	if (now - windowStart >= 60_000) {
		windowStart = now;
		used = 0;
	}
	if (used >= (options.perMinute ?? DEFAULT_PER_MINUTE)) return false;
	used++;
	return true;
}

export function resetProfileCheckBudget(): void {
	windowStart = 0;
	used = 0;
}
