// Meta's customer-list multi-key schema. The order here is Meta's documented order, so a
// schema built from it reads the same way as Meta's examples.

export const META_KEYS = [
	'EXTERN_ID',
	'EMAIL',
	'PHONE',
	'GEN',
	'DOBY',
	'DOBM',
	'DOBD',
	'LN',
	'FN',
	'FI',
	'CT',
	'ST',
	'ZIP',
	'MADID',
	'COUNTRY',
] as const;

export type MetaKey = (typeof META_KEYS)[number];

/** Keys Meta takes in plain text (normalized, never hashed). */
export const UNHASHED_KEYS: readonly MetaKey[] = ['EXTERN_ID', 'MADID'];

const KEY_SET: ReadonlySet<string> = new Set(META_KEYS);

export function isMetaKey(value: unknown): value is MetaKey {
	return typeof value === 'string' && KEY_SET.has(value);
}

export function isHashedKey(key: MetaKey): boolean {
	return key !== 'EXTERN_ID' && key !== 'MADID';
}

// ---------------------------------------------------------------------------------------
// One row per key: how it is normalized (normalize.ts does it), whether it is hashed, and what
// a value must look like on the wire. The last gate before Meta (MetaClient.upload) asks
// `wireValueProblem` for every value of every row, whoever built the row.

export interface MetaKeyRule {
	hashed: boolean;
	/** Meta's normalization rule, as docs/contracts/meta-graph.md states it. */
	normalize: string;
}

export const META_KEY_RULES: Readonly<Record<MetaKey, MetaKeyRule>> = {
	EXTERN_ID: { hashed: false, normalize: 'as given (the Actito profile id), never an e-mail or phone' },
	EMAIL: { hashed: true, normalize: 'trim, lowercase' },
	PHONE: { hashed: true, normalize: 'digits with country calling code, no leading zeros' },
	GEN: { hashed: true, normalize: 'm or f' },
	DOBY: { hashed: true, normalize: 'YYYY' },
	DOBM: { hashed: true, normalize: 'MM' },
	DOBD: { hashed: true, normalize: 'DD' },
	LN: { hashed: true, normalize: 'lowercase letters, no punctuation or spaces' },
	FN: { hashed: true, normalize: 'lowercase letters, no punctuation or spaces' },
	FI: { hashed: true, normalize: 'first letter of the first name, lowercase' },
	CT: { hashed: true, normalize: 'lowercase letters only' },
	ST: { hashed: true, normalize: 'US: 2-letter code; elsewhere lowercase letters' },
	ZIP: { hashed: true, normalize: 'lowercase, no spaces; US: 5 digits' },
	MADID: { hashed: false, normalize: 'lowercase as written, hyphens kept' },
	COUNTRY: { hashed: true, normalize: 'ISO 3166-1 alpha-2, lowercase' },
};

const WIRE_HASH = /^[0-9a-f]{64}$/;
const WIRE_CONTROL = /[\p{Cc}\u2028\u2029]/u;
// Something@something.tld, also with spaces or odd case around it.
const LOOKS_EMAIL = /[^\s@]@[^\s@]+\.[^\s@]{2,}/;
const PHONE_CHARS = /^[\d\s+\-.()/\u00a0]+$/;

/** An unhashed value that is a plain e-mail address. */
export function looksLikeEmail(value: string): boolean {
	return LOOKS_EMAIL.test(value);
}

/**
 * An unhashed value that is a plain phone number: `+…` or `00…` with 7+ digits, digits with
 * phone separators, or a national number (leading 0, 9+ digits). A bare integer without a
 * leading zero is an id (Actito's profile ids are integers), not a phone.
 */
export function looksLikePhone(value: string): boolean {
	const v = value.trim();
	if (!PHONE_CHARS.test(v)) return false;
	const digits = v.replace(/\D/g, '');
	if (digits.length < 7 || digits.length > 17) return false;
	if (v.startsWith('+') || digits.startsWith('00')) return true;
	if (/[\s\-.()/\u00a0]/.test(v)) return true;
	return digits.startsWith('0') && digits.length >= 9;
}

/** Why `value` must not go to Meta in column `key`; undefined when it may. '' (unknown) always may. */
export function wireValueProblem(key: string, value: unknown): string | undefined {
	if (!isMetaKey(key)) return 'not a Meta key';
	if (value === '') return undefined;
	if (typeof value !== 'string') return 'not a text value';
	if (META_KEY_RULES[key].hashed) {
		return WIRE_HASH.test(value) ? undefined : 'not a SHA-256 hash (64 lowercase hex characters)';
	}
	if (value.length > 256) return 'too long';
	if (WIRE_CONTROL.test(value) || value.trim() !== value) return 'contains spaces or control characters';
	if (looksLikeEmail(value)) return 'looks like a plain e-mail address';
	if (looksLikePhone(value)) return 'looks like a plain phone number';
	if (key === 'MADID' && value !== value.toLowerCase()) return 'not lowercase';
	return undefined;
}

export interface RefusedRow {
	/** Index of the row in the batch. */
	index: number;
	key: string;
	reason: string;
}

/** Every row whose values may not go to Meta, with the first key and reason; no values. */
export function refusedRows(schema: readonly string[], rows: readonly (readonly unknown[])[]): RefusedRow[] {
	const out: RefusedRow[] = [];
	const keyProblems = schema.map((key) => (isMetaKey(key) ? undefined : 'not a Meta key'));
	for (let i = 0; i < rows.length; i++) {
		const row = rows[i];
		for (let k = 0; k < schema.length; k++) {
			const reason = keyProblems[k] ?? wireValueProblem(schema[k], row[k]);
			if (reason) {
				out.push({ index: i, key: String(schema[k]).slice(0, 20), reason });
				break;
			}
		}
	}
	return out;
}
