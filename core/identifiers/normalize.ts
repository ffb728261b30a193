// Normalization of Meta match keys before hashing (docs/contracts/meta-graph.md, "Normalization
// before hashing"). Every function here is total: any input gives a string, '' when the value
// is absent or invalid, and invalid values leave a short human reason.
//
// The hot path (hashIdentifier over a million values) calls normalizeFast, which reports the
// reason through a module variable instead of allocating a result object per call. Everything
// is synchronous, so the variable cannot be overwritten between a call and its read.

import { countryForCallingCode, countryInfo, countryToIso2, matchCallingCode } from './countries';
import type { CountryInfo } from './countries';
import { isMetaKey, looksLikeEmail, looksLikePhone } from './metaKeys';
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
// C0 and C1 control characters (U+0000–U+001F, U+007F–U+009F).
const CONTROL = /\p{Cc}/u;
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
	// Common case of dirty input: spaces around otherwise clean text.
	if (s.charCodeAt(0) === 32 || s.charCodeAt(s.length - 1) === 32) {
		s = s.trim();
		if (s === '') return '';
	}
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
// with a TLD of 2+ characters, no leading, trailing or double dots. Unicode is allowed
// (internationalized addresses exist) and checked by regex; ASCII takes a faster loop.
const EMAIL_RE = /^[^\s@<>()[\]\\,;:"]{1,64}@(?:[^\s@<>()[\]\\,;:".]+\.)+[^\s@<>()[\]\\,;:".]{2,}$/;
const FORMAT_CHAR = /\p{Cf}/u;
const MAILTO = /^mailto:/i;

let emailHasUpper = false;

/** ASCII addresses: 1 valid, 0 invalid; -1 when non-ASCII (the regex decides). */
function scanAsciiEmail(e: string): number {
	const n = e.length;
	let at = -1;
	let lastDot = -1;
	let prev = 0;
	let upper = false;
	for (let i = 0; i < n; i++) {
		const c = e.charCodeAt(i);
		if (c >= 127) return -1;
		if (c === 64) {
			if (at !== -1 || i === 0 || i > 64 || prev === 46) return 0;
			at = i;
		} else if (c === 46) {
			if (i === 0 || prev === 46 || prev === 64) return 0;
			if (at !== -1) lastDot = i;
		} else if (c >= 65 && c <= 90) {
			upper = true;
		} else if (c <= 32 || c === 34 || c === 40 || c === 41 || c === 44 || c === 58 || c === 59 || c === 60 || c === 62 || (c >= 91 && c <= 93)) {
			return 0;
		}
		prev = c;
	}
	emailHasUpper = upper;
	return at > 0 && lastDot > at + 1 && n - lastDot > 2 ? 1 : 0;
}

function normalizeEmail(s: string): string {
	let e = s;
	if (e.length > 7 && e.charCodeAt(6) === 58 && MAILTO.test(e)) e = e.slice(7);
	if (e.length > 254) return invalid('too long');
	const shape = scanAsciiEmail(e);
	if (shape === 1) return emailHasUpper ? e.toLowerCase() : e;
	if (shape === 0) return invalid('not an e-mail address');
	e = e.toLowerCase();
	if (!EMAIL_RE.test(e)) return invalid('not an e-mail address');
	// Invisible format characters (bidi overrides, joiners) make an address that can never match.
	if (FORMAT_CHAR.test(e)) return invalid('not an e-mail address');
	const at = e.indexOf('@');
	if (e.charCodeAt(0) === 46 || e.charCodeAt(at - 1) === 46 || e.lastIndexOf('..', at) !== -1) {
		return invalid('not an e-mail address');
	}
	return e;
}

// ---------------------------------------------------------------------------------------
// PHONE

const UNICODE_SPACE = /\s/;

/** Phone separators: spaces, dashes, dots, slashes, parentheses (one pass, no regex). */
function isPhoneSeparator(c: number): boolean {
	if (c === 32 || c === 45 || c === 46 || c === 47 || c === 40 || c === 41) return true;
	return c > 127 && ((c >= 0x2010 && c <= 0x2015) || UNICODE_SPACE.test(String.fromCharCode(c)));
}

function isExtensionMark(c: number): boolean {
	return (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 35 || c === 42 || c === 44 || c === 59;
}

function normalizePhone(s: string, options: NormalizeOptions | undefined): string {
	// One pass: validate the characters, note a leading '+', drop '(0)' (the "omit this 0
	// abroad" notation) and collect the digits as slices of the input.
	let international = false;
	let digits = '';
	let run = -1;
	const n = s.length;
	for (let i = 0; i < n; i++) {
		const c = s.charCodeAt(i);
		if (c >= 48 && c <= 57) {
			if (run < 0) run = i;
			continue;
		}
		if (run >= 0) {
			digits += s.slice(run, i);
			run = -1;
		}
		if (c === 40 && s.charCodeAt(i + 1) === 48 && s.charCodeAt(i + 2) === 41) {
			i += 2;
		} else if (c === 43 && i === 0) {
			international = true;
		} else if (!isPhoneSeparator(c)) {
			return invalid(isExtensionMark(c) ? 'contains letters or an extension' : 'not a phone number');
		}
	}
	if (run >= 0) digits += run === 0 ? s : s.slice(run);
	if (digits === '') return invalid('not a phone number');

	let country: CountryInfo | undefined;
	if (!international) {
		if (digits.startsWith('00')) {
			international = true;
			digits = digits.slice(2);
		} else {
			country = resolveCountry(options);
			if (!country) {
				// No country known: digits that begin with a calling code and fit its plan were
				// written in international form without '+' (CRM exports do that).
				const read = digits.charCodeAt(0) !== 48 ? internationalReading(digits) : '';
				return read || invalid('no country code');
			}
			if (country.callingCode === '1' && digits.startsWith('011')) {
				international = true;
				digits = digits.slice(3);
			}
		}
	}

	if (international) {
		const cc = matchCallingCode(digits);
		if (!cc) return invalid(digits.length < 4 ? 'too short' : 'unknown country code');
		return finishPhone(cc, digits.slice(cc.length));
	}

	const c = country as CountryInfo;
	const cc = c.callingCode;
	if (cc === '1') {
		// NANP: 10-digit national numbers; the trunk '1' equals the country code.
		const nsn = digits.length === 11 && digits.charCodeAt(0) === 49 ? digits.slice(1) : digits;
		if (nsn.length !== 10 && digits.charCodeAt(0) !== 48) {
			const read = internationalReading(digits);
			if (read) return read;
		}
		return finishPhone(cc, nsn);
	}
	const trunks = c.trunkPrefixes;
	for (let i = 0; i < trunks.length; i++) {
		if (digits.length > trunks[i].length && digits.startsWith(trunks[i])) {
			return finishPhone(cc, digits.slice(trunks[i].length));
		}
	}
	if (digits.startsWith(cc) && looksInternational(digits, cc, c)) {
		return finishPhone(cc, digits.slice(cc.length));
	}
	// It cannot be a national number of this country (too long or too short for its plan), but
	// it fits another country's plan with that country's code in front: international without '+'.
	if (!fitsPlan(c, digits) && digits.charCodeAt(0) !== 48) {
		const read = internationalReading(digits);
		if (read) return read;
	}
	return finishPhone(cc, digits);
}

/** Whether `nsn` has a length the country's plan allows (true where the plan is not known). */
function fitsPlan(c: CountryInfo, nsn: string): boolean {
	if (c.callingCode === '1') return nsn.length === 10;
	if (c.nsnMin !== undefined && nsn.length < c.nsnMin) return false;
	if (c.nsnMax !== undefined && nsn.length > c.nsnMax) return false;
	return true;
}

/**
 * The number read as `<calling code><national number>`, when the code exists and the rest fits
 * that country's plan (or, where the plan is not known, E.164's length); '' otherwise.
 */
function internationalReading(digits: string): string {
	const cc = matchCallingCode(digits);
	if (!cc) return '';
	const c = countryForCallingCode(cc);
	const nsn = digits.slice(cc.length);
	if (!c || nsn.charCodeAt(0) === 48) return '';
	const known = c.callingCode === '1' || c.nsnMin !== undefined || c.nsnMax !== undefined;
	if (known ? !fitsPlan(c, nsn) : digits.length < 8 || digits.length > 15) return '';
	const saved = lastReason;
	const out = finishPhone(cc, nsn);
	if (!out) lastReason = saved;
	return out;
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

/**
 * The last checks, the same whether the number came national or international (so the output
 * reads back unchanged). Only what holds for every number is refused: E.164's length, NANP's
 * fixed 10 digits, a doubled trunk. Ranges of a national plan that Meta does not check (NANP
 * area codes starting 0 or 1, a country's usual lengths) are not refused.
 */
function finishPhone(cc: string, nsn: string): string {
	const c = countryForCallingCode(cc) as CountryInfo;
	// '+32 0470 …': a trunk 0 kept after the country code by mistake.
	if (nsn.charCodeAt(0) === 48 && c.trunkPrefixes.includes('0')) {
		nsn = nsn.slice(1);
		if (nsn.charCodeAt(0) === 48) return invalid('not a phone number');
	}
	if (cc === '1' && nsn.length !== 10) return invalid(nsn.length < 10 ? 'too short' : 'too long');
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
// Latin-1 text is already NFC and lowercases within Latin-1: no Unicode normalization needed.
const LATIN1 = /^[^\u0100-\uffff]+$/;
const LATIN1_NOT_LETTER = /[^A-Za-z\u00aa\u00b5\u00ba\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u00ff]/g;

function lettersOnly(s: string): string {
	if (ASCII_LETTERS.test(s)) return s.toLowerCase();
	if (LATIN1.test(s)) return s.replace(LATIN1_NOT_LETTER, '').toLowerCase();
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

// Advertising ids come in several forms (IDFA/GAID/AAID UUIDs, Android ids, Fire/Roku/OAID):
// Meta wants them lowercased as written, hyphens kept. Only what cannot be an id is refused.
const MADID_RE = /^[0-9a-z][0-9a-z_-]{7,127}$/;
const ZEROS = /^[0-]+$/;

function normalizeMadid(s: string): string {
	const m = s.toLowerCase();
	if (looksLikeEmail(m) || looksLikePhone(s)) return invalid('not an advertising ID');
	if (!MADID_RE.test(m) || !/\d/.test(m)) return invalid('not an advertising ID');
	// The all-zero IDFA/GAID is what a device sends when ad tracking is limited.
	if (ZEROS.test(m)) return invalid('zeroed advertising ID');
	return m;
}

/** EXTERN_ID goes to Meta in plain text: never an e-mail or a phone mapped into it by mistake. */
function normalizeExternId(s: string): string {
	if (s.length > MAX_EXTERN_ID) return invalid('too long');
	if (looksLikeEmail(s)) return invalid('looks like an e-mail address');
	if (looksLikePhone(s)) return invalid('looks like a phone number');
	return s;
}

// ---------------------------------------------------------------------------------------
// Dispatch

/** Hashed keys: 64 hex characters are a hash computed upstream; never hash it again. */
function isHex64(s: string): boolean {
	return s.length === 64 && HEX64.test(s);
}

function normalizeCore(key: MetaKey, value: unknown, options: NormalizeOptions | undefined): string {
	if (typeof value === 'object' && value instanceof Date) {
		if (key === 'DOBY' || key === 'DOBM' || key === 'DOBD') return normalizeDatePart(key, value, '');
		return invalid(isMetaKey(key) ? 'not a text value' : 'unknown key');
	}
	let s: string;
	// Each case converts the value itself so that an unknown key is refused before any work.
	switch (key) {
		case 'EMAIL':
			s = toText(value);
			return s === '' ? s : isHex64(s) ? s.toLowerCase() : normalizeEmail(s);
		case 'PHONE':
			s = toText(value);
			return s === '' ? s : isHex64(s) ? s.toLowerCase() : normalizePhone(s, options);
		case 'FN':
		case 'LN':
		case 'CT':
			s = toText(value);
			return s === '' ? s : isHex64(s) ? s.toLowerCase() : normalizeLetters(s);
		case 'FI':
			s = toText(value);
			return s === '' ? s : isHex64(s) ? s.toLowerCase() : normalizeInitial(s);
		case 'GEN':
			s = toText(value);
			return s === '' ? s : isHex64(s) ? s.toLowerCase() : normalizeGender(s);
		case 'ZIP':
			s = toText(value);
			return s === '' ? s : isHex64(s) ? s.toLowerCase() : normalizeZip(value, s, options);
		case 'ST':
			s = toText(value);
			return s === '' ? s : isHex64(s) ? s.toLowerCase() : normalizeState(s, options);
		case 'COUNTRY':
			s = toText(value);
			return s === '' ? s : isHex64(s) ? s.toLowerCase() : countryToIso2(s) || invalid('unknown country');
		case 'DOBY':
		case 'DOBM':
		case 'DOBD':
			s = toText(value);
			return s === '' ? s : isHex64(s) ? s.toLowerCase() : normalizeDatePart(key, value, s);
		case 'EXTERN_ID':
			s = toText(value);
			return s === '' ? s : normalizeExternId(s);
		case 'MADID':
			s = toText(value);
			return s === '' ? s : normalizeMadid(s);
		default:
			return invalid('unknown key');
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
