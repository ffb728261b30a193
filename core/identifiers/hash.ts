// SHA-256 of normalized identifiers. Benchmarked against bare crypto over a million values,
// so the path per value is: normalize (no result object), one digest call, nothing else.

import * as crypto from 'node:crypto';
import type { MetaKey } from './metaKeys';
import { normalizeFast } from './normalize';
import type { NormalizeOptions } from './normalize';

const SHA256_HEX = /^[0-9a-f]{64}$/;

// crypto.hash (Node ≥ 20.12) skips the Hash object; fall back where it is missing.
const oneShot = (crypto as { hash?: (algorithm: string, data: string, encoding: string) => unknown }).hash;

export const sha256Hex: (text: string) => string =
	typeof oneShot === 'function'
		? (text) => oneShot('sha256', text, 'hex') as string
		: (text) => crypto.createHash('sha256').update(text, 'utf8').digest('hex');

/** True for a 64-character lowercase hex string (what Meta expects in hashed columns). */
export function isSha256Hex(value: unknown): boolean {
	return typeof value === 'string' && value.length === 64 && SHA256_HEX.test(value);
}

/** The column value for an already-normalized, non-empty value of `key`. */
export function hashNormalized(key: MetaKey, normalized: string): string {
	if (normalized === '' || key === 'EXTERN_ID' || key === 'MADID') return normalized;
	// Normalization returns upstream hashes as they are; hashing them again would never match.
	if (normalized.length === 64 && SHA256_HEX.test(normalized)) return normalized;
	return sha256Hex(normalized);
}

/**
 * What goes into Meta's column for `key`: SHA-256 lowercase hex of the normalized value;
 * '' when absent or invalid; EXTERN_ID and MADID normalized but unhashed; 64-hex unchanged.
 */
export function hashIdentifier(key: MetaKey, value: unknown, options?: NormalizeOptions): string {
	return hashNormalized(key, normalizeFast(key, value, options));
}
