// One customer's row for Meta's upload payload, in the audience's schema order.

import * as crypto from 'node:crypto';
import { hashNormalized } from './hash';
import type { MetaKey } from './metaKeys';
import { lastNormalizeReason, normalizeFast } from './normalize';
import type { NormalizeOptions } from './normalize';

export interface MetaRow {
	/** One value per schema key: hashed, plain (EXTERN_ID, MADID) or '' when unknown. */
	row: string[];
	/** Reason per key whose value was present but invalid. */
	invalid: Partial<Record<MetaKey, string>>;
	/** At least one non-empty key other than EXTERN_ID: the row can match a Meta account. */
	hasMatchKey: boolean;
}

// Stands in for a value whose getter threw: normalization reports it as 'not a text value'.
const UNREADABLE = Object.freeze({});

/** A field of an item that may be a hostile object (throwing getters, proxies). */
function read(source: object, key: string): unknown {
	try {
		return (source as Record<string, unknown>)[key];
	} catch {
		return UNREADABLE;
	}
}

export function buildMetaRow(
	schema: readonly MetaKey[],
	values: Partial<Record<MetaKey, unknown>>,
	options: NormalizeOptions = {},
): MetaRow {
	const source: object = values !== null && typeof values === 'object' ? values : {};
	let opts: NormalizeOptions | undefined;
	if (options !== null && typeof options === 'object') {
		const country = read(options, 'country');
		const itemCountry = read(source, 'COUNTRY');
		// The item's own COUNTRY is the country of its phone number, ZIP and state unless the
		// caller said otherwise.
		opts = {
			defaultCountry: read(options, 'defaultCountry') as string | undefined,
			country: (country === undefined || country === '' ? itemCountry : country) as string | undefined,
		};
	} else {
		opts = { country: read(source, 'COUNTRY') as string | undefined };
	}
	const row = new Array<string>(schema.length);
	const invalid: Partial<Record<MetaKey, string>> = {};
	let hasMatchKey = false;
	for (let i = 0; i < schema.length; i++) {
		const key = schema[i];
		let normalized = normalizeFast(key, read(source, key), opts);
		if (key === 'FI' && normalized === '' && lastNormalizeReason() === undefined) {
			normalized = normalizeFast('FI', read(source, 'FN'), opts);
		}
		if (normalized === '') {
			const reason = lastNormalizeReason();
			if (reason !== undefined) invalid[key] = reason;
			row[i] = '';
			continue;
		}
		row[i] = hashNormalized(key, normalized);
		if (key !== 'EXTERN_ID') hasMatchKey = true;
	}
	return { row, invalid, hasMatchKey };
}

const oneShot = (crypto as { hash?: (algorithm: string, data: string, encoding: string) => unknown }).hash;

/**
 * Unsigned 32-bit fingerprint of a row (first 4 bytes of SHA-256 of the values joined with
 * U+001F), stored per member to notice a changed row between runs without keeping PII.
 */
export function rowFingerprint(row: readonly string[]): number {
	const text = row.join('\u001f');
	const digest =
		typeof oneShot === 'function'
			? (oneShot('sha256', text, 'buffer') as Buffer)
			: crypto.createHash('sha256').update(text, 'utf8').digest();
	return digest.readUInt32BE(0);
}
