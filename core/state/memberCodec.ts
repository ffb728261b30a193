// Compact encoding of the members pushed to Meta: profile id → 32-bit fingerprint.
// Layout (then base64): format byte, varint count, and per member in ascending id order a
// varint of the id delta followed by the fingerprint in 4 bytes. Ids are Actito's generated
// integers, so deltas are small: 5-7 bytes a member before base64, at most 8 after it for
// typical tables. No identifier ever enters this structure, only ids and fingerprints.

import { MemberTable, type MemberMap } from './memberTable';

export type { MemberMap } from './memberTable';
export { MemberTable } from './memberTable';

const FORMAT = 1;

export class MemberCodecError extends Error {
	constructor(message: string) {
		super(message);
		this.name = 'MemberCodecError';
	}
}

export function toMemberId(profileId: unknown): number {
	const id = typeof profileId === 'number' ? profileId : Number(String(profileId ?? '').trim());
	if (!Number.isSafeInteger(id) || id < 0 || String(profileId).trim() === '') {
		throw new MemberCodecError(`Profile id "${String(profileId).slice(0, 40)}" is not a non-negative integer`);
	}
	return id;
}

function varintLength(value: number): number {
	if (value < 128) return 1;
	if (value < 16384) return 2;
	if (value < 2097152) return 3;
	if (value < 268435456) return 4;
	let n = 4;
	value = Math.floor(value / 268435456);
	while (value > 0) {
		value = Math.floor(value / 128);
		n++;
	}
	return n;
}

// The loops below are the hot path of a million-member state (encode + decode well under a
// second): bytes are written by hand, and 31-bit values take the bitwise path.

export function encodeMembers(members: MemberMap): string {
	let ids: Float64Array;
	let fps: Uint32Array;
	if (members instanceof MemberTable) ({ ids, fps } = members.sorted());
	else {
		ids = new Float64Array(members.size);
		let k = 0;
		for (const id of members.keys()) ids[k++] = id;
		ids.sort();
		fps = new Uint32Array(ids.length);
		for (let i = 0; i < ids.length; i++) fps[i] = members.get(ids[i]) as number;
	}
	const n = ids.length;
	let size = 1 + varintLength(n);
	let previous = 0;
	for (let i = 0; i < n; i++) {
		size += varintLength(ids[i] - previous) + 4;
		previous = ids[i];
	}
	const bytes = Buffer.allocUnsafe(size);
	let offset = 0;
	bytes[offset++] = FORMAT;
	offset = writeVarint(bytes, offset, n);
	previous = 0;
	for (let i = 0; i < n; i++) {
		const id = ids[i];
		let delta = id - previous;
		previous = id;
		if (delta < 2147483648) {
			while (delta >= 128) {
				bytes[offset++] = (delta & 127) | 128;
				delta >>>= 7;
			}
			bytes[offset++] = delta;
		} else {
			offset = writeVarint(bytes, offset, delta);
		}
		const fp = fps[i];
		bytes[offset++] = fp >>> 24;
		bytes[offset++] = (fp >>> 16) & 255;
		bytes[offset++] = (fp >>> 8) & 255;
		bytes[offset++] = fp & 255;
	}
	return bytes.toString('base64');
}

function writeVarint(bytes: Buffer, offset: number, value: number): number {
	while (value >= 128) {
		bytes[offset++] = (value % 128) | 128;
		value = Math.floor(value / 128);
	}
	bytes[offset++] = value;
	return offset;
}

export function decodeMembers(encoded: string): MemberTable {
	if (!encoded) return new MemberTable();
	const bytes = Buffer.from(encoded, 'base64');
	const length = bytes.length;
	let offset = 0;
	const readVarint = () => {
		let value = 0;
		let scale = 1;
		for (;;) {
			if (offset >= length) throw new MemberCodecError('member list is truncated');
			const byte = bytes[offset++];
			value += (byte & 127) * scale;
			if (byte < 128) return value;
			scale *= 128;
			if (scale > 2 ** 56) throw new MemberCodecError('member list holds an oversized number');
		}
	};
	if (bytes[offset++] !== FORMAT) throw new MemberCodecError(`unknown member list format ${bytes[0]}`);
	const count = readVarint();
	// Every member takes at least 5 bytes: a count beyond that is corruption, not a size to allocate.
	if (count > (length - offset) / 5) throw new MemberCodecError('member list is truncated');
	const ids = new Float64Array(count);
	const fps = new Uint32Array(count);
	let id = 0;
	for (let i = 0; i < count; i++) {
		const before = id;
		// Fast path: deltas of up to four bytes fit the bitwise arithmetic.
		let byte = offset < length ? bytes[offset] : -1;
		if (byte >= 0 && byte < 128) {
			id += byte;
			offset++;
		} else if (byte >= 128 && offset + 1 < length && bytes[offset + 1] < 128) {
			id += (byte & 127) | (bytes[offset + 1] << 7);
			offset += 2;
		} else {
			id += readVarint();
		}
		if (i > 0 && id === before) throw new MemberCodecError('member list repeats a profile id');
		if (offset + 4 > length) throw new MemberCodecError('member list is truncated');
		byte = bytes[offset];
		ids[i] = id;
		fps[i] = ((byte << 24) | (bytes[offset + 1] << 16) | (bytes[offset + 2] << 8) | bytes[offset + 3]) >>> 0;
		offset += 4;
	}
	if (offset !== length) throw new MemberCodecError('member list has trailing bytes');
	return new MemberTable(ids, fps);
}
