// Identifier normalization and hashing for Meta customer lists. Pure: Node's crypto only.

export {
	META_KEYS,
	META_KEY_RULES,
	UNHASHED_KEYS,
	isHashedKey,
	isMetaKey,
	looksLikeEmail,
	looksLikePhone,
	refusedRows,
	wireValueProblem,
} from './metaKeys';
export type { MetaKey, MetaKeyRule, RefusedRow } from './metaKeys';
export { COUNTRIES, countryForCallingCode, countryInfo, countryToIso2, matchCallingCode } from './countries';
export type { CountryInfo } from './countries';
export { US_STATE_CODES, usStateCode } from './usStates';
export { lastNormalizeReason, normalizeFast, normalizeIdentifier, normalizeWithReason } from './normalize';
export type { NormalizeOptions, NormalizeResult } from './normalize';
export { hashIdentifier, hashNormalized, isSha256Hex, sha256Hex } from './hash';
export { buildMetaRow, rowFingerprint } from './row';
export type { MetaRow } from './row';
