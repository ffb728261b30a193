// Compact encoding of the members pushed to Meta: profile id → 32-bit fingerprint.
// Layout (then base64): format byte, varint count, and per member in ascending id order a
// varint of the id delta followed by the fingerprint in 4 bytes. Ids are Actito's generated
// integers, so deltas are small: 5-7 bytes a member before base64, at most 8 after it for
// typical tables. No identifier ever enters this structure, only ids and fingerprints.

export type MemberMap = Map<number, number>;

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
	let n = 1;
	while (value >= 128) {
		value = Math.floor(value / 128);
		n++;
	}
	return n;
}

export function encodeMembers(members: MemberMap): string {
	const ids = Float64Array.from(members.keys()).sort();
	let size = 1 + varintLength(ids.length);
	let previous = 0;
	for (let i = 0; i < ids.length; i++) {
		size += varintLength(ids[i] - previous) + 4;
		previous = ids[i];
	}
	const bytes = Buffer.allocUnsafe(size);
	let offset = 0;
	const writeVarint = (value: number) => {
		while (value >= 128) {
			bytes[offset++] = (value % 128) | 128;
			value = Math.floor(value / 128);
		}
		bytes[offset++] = value;
	};
	bytes[offset++] = FORMAT;
	writeVarint(ids.length);
	previous = 0;
	for (let i = 0; i < ids.length; i++) {
		const id = ids[i];
		writeVarint(id - previous);
		previous = id;
		bytes.writeUInt32BE((members.get(id) as number) >>> 0, offset);
		offset += 4;
	}
	return bytes.toString('base64');
}

export function decodeMembers(encoded: string): MemberMap {
	const members: MemberMap = new Map();
	if (!encoded) return members;
	const bytes = Buffer.from(encoded, 'base64');
	let offset = 0;
	const readVarint = () => {
		let value = 0;
		let scale = 1;
		for (;;) {
			if (offset >= bytes.length) throw new MemberCodecError('member list is truncated');
			const byte = bytes[offset++];
			value += (byte & 127) * scale;
			if (byte < 128) return value;
			scale *= 128;
			if (scale > 2 ** 56) throw new MemberCodecError('member list holds an oversized number');
		}
	};
	if (bytes[offset++] !== FORMAT) throw new MemberCodecError(`unknown member list format ${bytes[0]}`);
	const count = readVarint();
	let id = 0;
	for (let i = 0; i < count; i++) {
		id += readVarint();
		if (offset + 4 > bytes.length) throw new MemberCodecError('member list is truncated');
		members.set(id, bytes.readUInt32BE(offset));
		offset += 4;
	}
	if (offset !== bytes.length) throw new MemberCodecError('member list has trailing bytes');
	return members;
}
