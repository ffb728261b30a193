// The consent rule of the sync, in one place: the planner and the Consent Filter node both
// ask it. A negative consent always blocks; what an unknown consent means is a setting.
// Reading a consent value is asymmetric on purpose: a value that is not clearly yes or clearly
// no is unknown, never yes, and the vocabulary of "no" is wide (CRM exports write it in many
// languages and forms).

export type UnknownConsentPolicy = 'allow' | 'block';

// Words are compared folded: lowercase, accents dropped, spaces, '-', '_', '.', '/' removed
// ("Opt_Out", "opt-out", "Opted out" → "optout"/"optedout"; "Não" → "nao"; "Désabonné" → "desabonne").
const TRUE_WORDS = new Set([
	// English and codes
	'true', 't', '1', 'yes', 'y', 'on', 'ok', 'optin', 'optedin', 'subscribed', 'subscribe', 'granted', 'given', 'accepted',
	'agreed', 'agree', 'consented', 'allow', 'allowed', 'permitted', 'enabled', 'confirmed',
	// French
	'oui', 'accepte', 'acceptee', 'abonne', 'abonnee', 'inscrit', 'inscrite', 'autorise', 'autorisee', 'daccord',
	// Dutch / Flemish
	'ja', 'akkoord', 'aangemeld', 'ingeschreven', 'toegestaan', 'geaccepteerd', 'toestemming',
	// German
	'angemeldet', 'zugestimmt', 'einverstanden', 'erlaubt', 'abonniert', 'akzeptiert',
	// Nordic
	'jo', 'joo', 'kylla', 'godkand', 'godkjent', 'godkendt', 'samtykket', 'tilmeldt', 'pameldt', 'prenumererar',
	// Portuguese, Spanish, Italian
	'sim', 'si', 'aceito', 'aceite', 'autorizado', 'autorizada', 'inscrito', 'inscrita', 'aceptado', 'aceptada', 'suscrito',
	'suscrita', 'accettato', 'accettata', 'iscritto', 'iscritta', 'autorizzato', 'autorizzata',
]);

const FALSE_WORDS = new Set([
	// English and codes
	'false', 'f', '0', '-1', 'no', 'n', 'off', 'optout', 'optedout', 'unsubscribed', 'unsubscribe', 'denied', 'deny',
	'withdrawn', 'withdraw', 'declined', 'decline', 'refused', 'refuse', 'revoked', 'revoke', 'rejected', 'reject',
	'disagreed', 'disagree', 'notallowed', 'disallowed', 'disabled', 'blocked', 'blacklisted', 'suppressed', 'nooptin',
	'noconsent', 'notconsented', 'donotcontact', 'donotemail', 'dnc', 'stop', 'unsubscribedall', 'optoutall',
	'notsubscribed', 'notoptedin', 'never', 'nothanks', 'nonabonne', 'nietingeschreven', 'nichtangemeldet',
	// French
	'non', 'refuse', 'refusee', 'desabonne', 'desabonnee', 'desinscrit', 'desinscrite', 'retire', 'retiree', 'revoque',
	'revoquee', 'pasdaccord',
	// Dutch / Flemish
	'nee', 'neen', 'afgemeld', 'uitgeschreven', 'geweigerd', 'ingetrokken', 'nietakkoord', 'afgewezen', 'geentoestemming',
	// German
	'nein', 'abgemeldet', 'abgelehnt', 'widerrufen', 'abbestellt', 'nichterlaubt', 'keineeinwilligung',
	// Nordic (Swedish, Danish, Norwegian, Finnish, Icelandic)
	'nej', 'nei', 'ei', 'avregistrerad', 'avregistrert', 'avmeldt', 'afmeldt', 'avslatt', 'afvist', 'tilbagekaldt',
	'aterkallad', 'avbestalld', 'kielletty', 'peruttu',
	// Portuguese, Spanish, Italian
	'nao', 'recusado', 'recusada', 'revogado', 'revogada', 'cancelado', 'cancelada', 'descadastrado', 'descadastrada',
	'rechazado', 'rechazada', 'revocado', 'revocada', 'dadodebaja', 'baja', 'desuscrito', 'rifiutato', 'rifiutata',
	'revocato', 'revocata', 'disiscritto', 'disiscritta', 'negato', 'negata',
]);

// Invisible characters that copy-paste and exports leave behind: zero-width spaces and joiners,
// BOM, soft hyphen, word joiner, bidi marks and isolates, other format characters.
// An alternation, not one class: some of these are combining marks, which a class would misread.
const INVISIBLE = /\u00ad|\u034f|\u061c|\u115f|\u1160|\u17b4|\u17b5|\u180e|[\u200b-\u200f]|[\u202a-\u202e]|[\u2060-\u206f]|\u3164|\ufeff|\uffa0/g;
const FORMAT = /\p{Cf}/gu;
const MARKS = /\p{M}/gu;
const SEPARATORS = /[\s\-_./\\'’`´"“”«»‹›]+/g;
// Wrapping that says nothing about the value: brackets, quotes, trailing punctuation.
const WRAPPING = /^[\s[\](){}<>"'“”«»‹›]+|[\s[\](){}<>"'“”«»‹›!?.;:,]+$/g;
const NUMERIC = /^[+-]?\d+(?:[.,]0+)?$/;
const MAX_TEXT = 64;
const NESTED_KEYS = ['value', 'subscribe', 'subscribed', 'consent', 'marketingConsent', 'optIn', 'optin', 'status', 'state', 'granted', 'accepted'];

/** Lowercase, accents and invisible characters dropped, separators removed. */
function cleanConsentText(text: string): string {
	return text.replace(INVISIBLE, '').replace(FORMAT, '').replace(WRAPPING, '').normalize('NFKD').replace(MARKS, '').toLowerCase();
}

export function foldConsentWord(text: string): string {
	let t = cleanConsentText(text);
	// Letters that NFKD does not split into base + mark.
	t = t.replace(/ø/g, 'o').replace(/æ/g, 'ae').replace(/ß/g, 'ss').replace(/đ/g, 'd').replace(/ł/g, 'l');
	return t.replace(SEPARATORS, '');
}

function fromNumber(n: number): boolean | null {
	if (n === 1) return true;
	if (n === 0 || n === -1) return false;
	return null;
}

function read(value: unknown, depth: number): boolean | null {
	if (value === true || value === false) return value;
	if (typeof value === 'number') return fromNumber(value);
	if (typeof value === 'bigint') return value === 1n ? true : value === 0n || value === -1n ? false : null;
	if (typeof value === 'string') {
		if (value.length > MAX_TEXT * 4) return null;
		// Numbers first, before separators go: "-1" must not fold to "1".
		const clean = cleanConsentText(value).trim();
		if (NUMERIC.test(clean)) return fromNumber(Number(clean.replace(',', '.')));
		const word = foldConsentWord(value);
		if (!word || word.length > MAX_TEXT) return null;
		if (/\d/.test(word)) return TRUE_WORDS.has(word) || FALSE_WORDS.has(word) ? TRUE_WORDS.has(word) : null;
		if (TRUE_WORDS.has(word)) return true;
		if (FALSE_WORDS.has(word)) return false;
		return null;
	}
	if (value === null || typeof value !== 'object' || depth >= 3) return null;
	// Boxed primitives (new Boolean(false)) read as their value.
	if (value instanceof Boolean || value instanceof Number || value instanceof String) return read(value.valueOf(), depth + 1);
	if (Array.isArray(value)) {
		// One value in a list ([false], ['no']) is that value; of several, a "no" wins and a yes
		// needs every one to say yes.
		if (value.length === 0 || value.length > 8) return null;
		const verdicts = value.map((v) => read(v, depth + 1));
		if (verdicts.includes(false)) return false;
		return verdicts.every((v) => v === true) ? true : null;
	}
	// {value:false}, {subscribe:false}, {status:'opted_out'}: the first field that says something.
	for (const key of NESTED_KEYS) {
		if (Object.prototype.hasOwnProperty.call(value, key)) return read((value as Record<string, unknown>)[key], depth + 1);
	}
	return null;
}

/** true, false, or null when absent or not clearly yes or no. Never throws, never says yes by default. */
export function parseConsent(value: unknown): boolean | null {
	try {
		return read(value, 0);
	} catch {
		// A hostile object (throwing getter, proxy): not a consent.
		return null;
	}
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
