// Normalization of Meta match keys before hashing (contracts/meta-graph.md, "Normalization
// before hashing"). Every function here is total: any input gives a string, '' when the value
// is absent or invalid, and invalid values leave a short human reason.
//
// The hot path (hashIdentifier over a million values) calls normalizeFast, which reports the
// reason through a module variable instead of allocating a result object per call. Everything
// is synchronous, so the variable cannot be overwritten between a call and its read.

import { countryForCallingCode, countryInfo, countryToIso2, matchCallingCode } from './countries';
import type { CountryInfo } from './countries';
import { isMetaKey } from './metaKeys';
import type { MetaKey } from './metaKeys';
import { usStateCode } from './usStates';

export interface NormalizeOptions {
	/** ISO alpha-2 code (or name) used when the item gives no country. */
	defaultCountry?: string;
	/** The item's own country (ISO code or name); wins over defaultCountry. */
	country?: string;
}

export interface NormalizeResult {
	value: string;
	/** Set when the value was present but invalid. */
	reason?: string;
}

let lastReason: string | undefined;

function invalid(reason: string): string {
	lastReason = reason;
	return '';
}

/** Longest input considered at all; longer text is refused before any regex runs on it. */
const MAX_INPUT = 1024;
const MAX_EXTERN_ID = 256;
const HEX64 = /^[0-9a-fA-F]{64}$/;
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
// Zero-width characters are copy-paste debris (BOMs from CSV files, ZWSP from web forms).
const ZERO_WIDTH_ALL = /[\u200b\u2060\ufeff]/g;
const MISSING_WORD = /^(?:null|undefined)$/i;

/**
 * Whether the text needs the slow path: leading/trailing whitespace, control characters,
 * zero-width characters or surrogates. A char-code loop: cheaper than regexes for the short
 * strings identifiers are, and this runs on every value.
 */
function needsCleaning(s: string): boolean {
	const n = s.length;
	if (s.charCodeAt(0) <= 32 || s.charCodeAt(n - 1) <= 32) return true;
	for (let i = 0; i < n; i++) {
		const c = s.charCodeAt(i);
		if (c >= 32 && c < 127) continue;
		if (c < 32 || c <= 0xa0 || c === 0x200b || c === 0x2060 || c === 0xfeff || (c >= 0xd800 && c <= 0xdfff)) return true;
		// Other Unicode spaces at either end are trimmed by the slow path.
		if ((i === 0 || i === n - 1) && /\s/.test(s[i])) return true;
	}
	return false;
}

/**
 * Trimmed text of a string, number or bigint. '' with lastReason unset when absent, '' with
 * a reason when the value cannot be text.
 */
function toText(value: unknown): string {
	let s: string;
	if (typeof value === 'string') {
		s = value;
	} else if (typeof value === 'number') {
		if (!Number.isFinite(value)) return invalid('not a number');
		s = String(value);
	} else if (typeof value === 'bigint') {
		s = value.toString();
	} else if (value === undefined || value === null) {
		return '';
	} else {
		return invalid('not a text value');
	}
	if (s.length === 0) return '';
	if (s.length > MAX_INPUT) return invalid('too long');
	if (needsCleaning(s)) {
		s = s.replace(ZERO_WIDTH_ALL, '').trim();
		if (s === '') return '';
		if (CONTROL.test(s)) return invalid('contains control characters');
		if (LONE_SURROGATE.test(s)) return invalid('not valid text');
	}
	// Exports and templates write missing values as these words.
	if ((s.length === 4 || s.length === 9) && MISSING_WORD.test(s)) return '';
	return s;
}

// ---------------------------------------------------------------------------------------
// Country of the item

function resolveCountry(options: NormalizeOptions | undefined): CountryInfo | undefined {
	if (!options || typeof options !== 'object') return undefined;
	const iso = countryToIso2(options.country) || countryToIso2(options.defaultCountry);
	return iso ? countryInfo(iso) : undefined;
}

// ---------------------------------------------------------------------------------------
// EMAIL

// Pragmatic, not RFC 5322: one '@', no spaces or address-list punctuation, a dotted domain
// with a TLD of 2+ characters. Unicode is allowed (internationalized addresses exist).
const EMAIL_RE = /^[^\s@<>()[\]\\,;:"]{1,64}@(?:[^\s@<>()[\]\\,;:".]+\.)+[^\s@<>()[\]\\,;:".]{2,}$/;

const NON_ASCII = /[^\x00-\x7f]/;
const FORMAT_CHAR = /\p{Cf}/u;

function normalizeEmail(s: string): string {
	let e = s.toLowerCase();
	if (e.startsWith('mailto:')) e = e.slice(7);
	if (e.length > 254) return invalid('too long');
	if (!EMAIL_RE.test(e)) return invalid('not an e-mail address');
	// Invisible format characters (bidi overrides, joiners) make an address that can never match.
	if (NON_ASCII.test(e) && FORMAT_CHAR.test(e)) return invalid('not an e-mail address');
	const at = e.indexOf('@');
	if (e.charCodeAt(0) === 46 || e.charCodeAt(at - 1) === 46 || e.lastIndexOf('..', at) !== -1) {
		return invalid('not an e-mail address');
	}
	return e;
}

// ---------------------------------------------------------------------------------------
// PHONE

// Digits and the usual separators; '(0)' is the "drop this 0 abroad" notation.
const PHONE_CHARS = /^[0-9+\-.()/\s]+$/;
const PHONE_EXTENSION = /[a-z#;,*]/i;
const NON_DIGITS = /\D/g;
const ALL_DIGITS = /^\d+$/;

function normalizePhone(s: string, options: NormalizeOptions | undefined): string {
	if (!PHONE_CHARS.test(s)) {
		return invalid(PHONE_EXTENSION.test(s) ? 'contains letters or an extension' : 'not a phone number');
	}
	let international = false;
	let rest = s;
	if (rest.charCodeAt(0) === 43) {
		international = true;
		rest = rest.slice(1);
	}
	if (rest.indexOf('+') !== -1) return invalid('not a phone number');
	if (rest.indexOf('(0)') !== -1) rest = rest.replace(/\(0\)/g, '');
	let digits = ALL_DIGITS.test(rest) ? rest : rest.replace(NON_DIGITS, '');
	if (digits === '') return invalid('not a phone number');

	let country: CountryInfo | undefined;
	if (!international) {
		if (digits.startsWith('00')) {
			international = true;
			digits = digits.slice(2);
		} else {
			country = resolveCountry(options);
			if (!country) return invalid('no country code');
			if (country.callingCode === '1' && digits.startsWith('011')) {
				international = true;
				digits = digits.slice(3);
			}
		}
	}

	if (international) {
		const cc = matchCallingCode(digits);
		if (!cc) return invalid(digits.length < 4 ? 'too short' : 'unknown country code');
		return finishPhone(cc, digits.slice(cc.length), countryForCallingCode(cc) as CountryInfo);
	}

	const c = country as CountryInfo;
	const cc = c.callingCode;
	if (cc === '1') {
		// NANP: 10-digit national numbers; the trunk '1' equals the country code.
		return finishPhone(cc, digits.length === 11 && digits.charCodeAt(0) === 49 ? digits.slice(1) : digits, c);
	}
	const trunks = c.trunkPrefixes;
	for (let i = 0; i < trunks.length; i++) {
		if (digits.length > trunks[i].length && digits.startsWith(trunks[i])) {
			return finishPhone(cc, digits.slice(trunks[i].length), c);
		}
	}
	if (digits.startsWith(cc) && looksInternational(digits, cc, c)) {
		return finishPhone(cc, digits.slice(cc.length), c);
	}
	return finishPhone(cc, digits, c);
}

/**
 * Digits that start with the country's own calling code: international form without '+'
 * (common in CRM exports), or a national number that happens to start with those digits?
 * Trunk countries write national numbers with the trunk, so "no trunk, starts with the code,
 * long enough" is international. Elsewhere it must be longer than any national number.
 */
function looksInternational(digits: string, cc: string, c: CountryInfo): boolean {
	const nsnLength = digits.length - cc.length;
	if (c.trunkPrefixes.length > 0) return nsnLength >= (c.nsnMin ?? 7);
	return nsnLength >= (c.nsnMin ?? 6) && digits.length > (c.nsnMax ?? 8);
}

function finishPhone(cc: string, nsn: string, c: CountryInfo): string {
	// '+32 0470 …': a trunk 0 kept after the country code by mistake.
	if (nsn.charCodeAt(0) === 48 && c.trunkPrefixes.includes('0')) {
		nsn = nsn.slice(1);
		if (nsn.charCodeAt(0) === 48) return invalid('not a phone number');
	}
	if (cc === '1' && nsn.length === 10 && (nsn.charCodeAt(0) < 50 || nsn.charCodeAt(3) < 50)) {
		// NANP area codes and exchanges never start with 0 or 1.
		return invalid('not a phone number');
	}
	if (c.nsnMin !== undefined && nsn.length < c.nsnMin) return invalid('too short');
	if (c.nsnMax !== undefined && nsn.length > c.nsnMax) return invalid('too long');
	const total = cc.length + nsn.length;
	if (total < 8) return invalid('too short');
	if (total > 15) return invalid('too long');
	return cc + nsn;
}

// ---------------------------------------------------------------------------------------
// FN, LN, CT, FI

const ASCII_LETTERS = /^[A-Za-z]+$/;
const NOT_LETTER = /[^\p{L}\p{M}]/gu;
const HAS_LETTER = /\p{L}/u;
const FIRST_LETTER = /^\p{L}\p{M}*/u;

/** Lowercase letters (any script, UTF-8) without spaces, punctuation or digits; NFC. */
function lettersOnly(s: string): string {
	if (ASCII_LETTERS.test(s)) return s.toLowerCase();
	const out = s.normalize('NFC').toLowerCase().replace(NOT_LETTER, '').normalize('NFC');
	return HAS_LETTER.test(out) ? out : '';
}

function normalizeLetters(s: string): string {
	return lettersOnly(s) || invalid('no letters');
}

function normalizeInitial(s: string): string {
	const letters = lettersOnly(s);
	if (!letters) return invalid('no letters');
	const m = FIRST_LETTER.exec(letters);
	return m ? m[0].normalize('NFC') : invalid('no letters');
}

// ---------------------------------------------------------------------------------------
// GEN

const GENDERS: Readonly<Record<string, string>> = {
	m: 'm',
	male: 'm',
	man: 'm',
	homme: 'm',
	masculin: 'm',
	masculine: 'm',
	mann: 'm',
	männlich: 'm',
	f: 'f',
	female: 'f',
	woman: 'f',
	femme: 'f',
	féminin: 'f',
	feminine: 'f',
	frau: 'f',
	weiblich: 'f',
	vrouw: 'f',
};

function normalizeGender(s: string): string {
	const g = s.toLowerCase().normalize('NFC');
	return (Object.prototype.hasOwnProperty.call(GENDERS, g) && GENDERS[g]) || invalid('not m or f');
}

// ---------------------------------------------------------------------------------------
// DOBY, DOBM, DOBD

interface DateParts {
	y: number;
	m: number;
	d: number;
}

const ISO_DATE = /^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?:[T ]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?$/i;
const COMPACT_DATE = /^(\d{4})(\d{2})(\d{2})$/;

function daysInMonth(y: number, m: number): number {
	return m === 2 ? (y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0) ? 29 : 28) : [4, 6, 9, 11].includes(m) ? 30 : 31;
}

/** Parts of a full date; null when it looks like a date but is not one; undefined otherwise. */
function parseFullDate(s: string): DateParts | null | undefined {
	const match = ISO_DATE.exec(s) ?? (s.length === 8 ? COMPACT_DATE.exec(s) : null);
	if (!match) return undefined;
	const y = Number(match[1]);
	const m = Number(match[2]);
	const d = Number(match[3]);
	if (m < 1 || m > 12 || d < 1 || d > daysInMonth(y, m)) return null;
	return { y, m, d };
}

function dateObjectParts(date: Date): DateParts | null {
	const t = date.getTime();
	if (Number.isNaN(t)) return null;
	// A birth date is a calendar day: UTC midnight is how date-only strings parse; a local
	// midnight is how `new Date(y, m, d)` builds one. Anything else: read it in UTC.
	if (date.getUTCHours() !== 0 && date.getHours() === 0 && date.getMinutes() === 0) {
		return { y: date.getFullYear(), m: date.getMonth() + 1, d: date.getDate() };
	}
	return { y: date.getUTCFullYear(), m: date.getUTCMonth() + 1, d: date.getUTCDate() };
}

const MONTHS: Readonly<Record<string, number>> = {
	jan: 1, january: 1, feb: 2, february: 2, mar: 3, march: 3, apr: 4, april: 4, may: 5,
	jun: 6, june: 6, jul: 7, july: 7, aug: 8, august: 8, sep: 9, sept: 9, september: 9,
	oct: 10, october: 10, nov: 11, november: 11, dec: 12, december: 12,
};

function pad2(n: number): string {
	return n < 10 ? '0' + n : String(n);
}

/** `s` is the text of the value, '' for a Date object. */
function normalizeDatePart(key: 'DOBY' | 'DOBM' | 'DOBD', value: unknown, s: string): string {
	const parts = value instanceof Date ? dateObjectParts(value) : parseFullDate(s);
	if (parts === null) return invalid('not a date');
	if (key === 'DOBY') {
		const y = parts ? parts.y : /^\d{4}$/.test(s) ? Number(s) : NaN;
		if (!(y >= 1900 && y <= new Date().getUTCFullYear())) return invalid('not a year');
		return String(y);
	}
	if (key === 'DOBM') {
		let m = parts ? parts.m : NaN;
		if (!parts) {
			if (/^\d{1,2}$/.test(s)) m = Number(s);
			else {
				const lower = s.toLowerCase().replace(/\.$/, '');
				if (Object.prototype.hasOwnProperty.call(MONTHS, lower)) m = MONTHS[lower];
			}
		}
		if (!(m >= 1 && m <= 12)) return invalid('not a month');
		return pad2(m);
	}
	const d = parts ? parts.d : /^\d{1,2}$/.test(s) ? Number(s) : NaN;
	if (!(d >= 1 && d <= 31)) return invalid('not a day');
	return pad2(d);
}

// ---------------------------------------------------------------------------------------
// ZIP, ST, COUNTRY

// Territories that use US ZIP codes and state codes.
const US_POSTAL = new Set(['us', 'pr', 'gu', 'vi', 'as', 'mp', 'um']);
const ZIP_SEPARATORS = /[\s\-.]/g;
const ZIP_RE = /^[a-z0-9]{2,10}$/;
const US_ZIP_PLUS4 = /^\d{5}[-\s]?\d{4}$/;

function normalizeZip(value: unknown, s: string, options: NormalizeOptions | undefined): string {
	const iso = resolveCountry(options)?.iso2;
	const z = s.toLowerCase().replace(ZIP_SEPARATORS, '');
	if (iso !== undefined && US_POSTAL.has(iso)) {
		// A ZIP stored as a number lost its leading zeros (02134 → 2134).
		if (typeof value === 'number' && /^\d{3,4}$/.test(z)) return z.padStart(5, '0');
		if (/^\d{5}(?:\d{4})?$/.test(z)) return z.slice(0, 5);
		return invalid('not a US ZIP code');
	}
	if (iso === undefined && US_ZIP_PLUS4.test(s) && /[-\s]/.test(s)) return z.slice(0, 5);
	if (!ZIP_RE.test(z)) return invalid('not a postal code');
	return z;
}

function normalizeState(s: string, options: NormalizeOptions | undefined): string {
	const iso = resolveCountry(options)?.iso2;
	if (iso !== undefined && US_POSTAL.has(iso)) return usStateCode(s) || invalid('not a US state');
	if (iso === undefined) {
		const code = usStateCode(s);
		if (code) return code;
	}
	return normalizeLetters(s);
}

// ---------------------------------------------------------------------------------------
// MADID, EXTERN_ID

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const HEX_ID_RE = /^[0-9a-f]{16,64}$/;
const ZEROS = /^[0-]+$/;

function normalizeMadid(s: string): string {
	const m = s.toLowerCase();
	if (!UUID_RE.test(m) && !HEX_ID_RE.test(m)) return invalid('not an advertising ID');
	// The all-zero IDFA/GAID is what a device sends when ad tracking is limited.
	if (ZEROS.test(m)) return invalid('zeroed advertising ID');
	return m;
}

// ---------------------------------------------------------------------------------------
// Dispatch

function normalizeCore(key: MetaKey, value: unknown, options: NormalizeOptions | undefined): string {
	if (!isMetaKey(key)) return invalid('unknown key');
	const isDate = value instanceof Date;
	if (isDate && key !== 'DOBY' && key !== 'DOBM' && key !== 'DOBD') return invalid('not a text value');
	const s = isDate ? '' : toText(value);
	if (s === '' && !isDate) return '';
	if (key === 'EXTERN_ID') return s.length > MAX_EXTERN_ID ? invalid('too long') : s;
	if (key === 'MADID') return normalizeMadid(s);
	// Hashed keys: 64 hex characters are a hash computed upstream; never hash it again.
	if (s.length === 64 && HEX64.test(s)) return s.toLowerCase();
	switch (key) {
		case 'EMAIL':
			return normalizeEmail(s);
		case 'PHONE':
			return normalizePhone(s, options);
		case 'FN':
		case 'LN':
		case 'CT':
			return normalizeLetters(s);
		case 'FI':
			return normalizeInitial(s);
		case 'GEN':
			return normalizeGender(s);
		case 'ZIP':
			return normalizeZip(value, s, options);
		case 'ST':
			return normalizeState(s, options);
		case 'COUNTRY':
			return countryToIso2(s) || invalid('unknown country');
		default:
			return normalizeDatePart(key, value, s);
	}
}

/**
 * Normalized text, '' when absent or invalid; the reason for an invalid value is then
 * available from lastNormalizeReason() until the next call. For the hashing hot path.
 */
export function normalizeFast(key: MetaKey, value: unknown, options?: NormalizeOptions): string {
	lastReason = undefined;
	try {
		return normalizeCore(key, value, options);
	} catch {
		// Unreachable by design; a hostile object (throwing getters, odd Date subclass) must
		// still not stop a run.
		return invalid('not a text value');
	}
}

/** Reason the last normalizeFast call returned '' for a present value; undefined if absent. */
export function lastNormalizeReason(): string | undefined {
	return lastReason;
}

export function normalizeWithReason(key: MetaKey, value: unknown, options?: NormalizeOptions): NormalizeResult {
	const normalized = normalizeFast(key, value, options);
	if (normalized === '' && lastReason !== undefined) return { value: '', reason: lastReason };
	return { value: normalized };
}

export function normalizeIdentifier(key: MetaKey, value: unknown, options?: NormalizeOptions): string {
	return normalizeFast(key, value, options);
}
