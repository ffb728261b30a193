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
