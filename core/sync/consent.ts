// The consent rule of the sync, in one place: the planner and the Consent Filter node both
// ask it. A negative consent always blocks; what an unknown consent means is a setting.

export type UnknownConsentPolicy = 'allow' | 'block';

const TRUE_WORDS = new Set(['true', '1', 'yes', 'y', 'on', 'oui', 'ja', 'optin', 'opt-in', 'opted_in', 'subscribed', 'granted']);
const FALSE_WORDS = new Set(['false', '0', 'no', 'n', 'off', 'non', 'nee', 'nein', 'optout', 'opt-out', 'opted_out', 'unsubscribed', 'denied', 'withdrawn']);

/** true, false, or null when absent or not recognisable. Never throws. */
export function parseConsent(value: unknown): boolean | null {
	if (value === true || value === false) return value;
	if (typeof value === 'number') return value === 1 ? true : value === 0 ? false : null;
	if (typeof value === 'string') {
		const word = value.trim().toLowerCase();
		if (TRUE_WORDS.has(word)) return true;
		if (FALSE_WORDS.has(word)) return false;
	}
	return null;
}

export type ConsentVerdict = 'allowed' | 'blocked_negative' | 'blocked_unknown';

export function consentVerdict(value: unknown, unknownPolicy: UnknownConsentPolicy): ConsentVerdict {
	const consent = parseConsent(value);
	if (consent === false) return 'blocked_negative';
	if (consent === null && unknownPolicy === 'block') return 'blocked_unknown';
	return 'allowed';
}

/**
 * What may be sent to Meta for an item: an add of a profile that refused marketing goes as a
 * removal, never as an add (the last line of defence if the Consent Filter was left out).
 */
export function sendableAction(action: string, consent: unknown): string {
	return action === 'add' && parseConsent(consent) === false ? 'remove' : action;
}
