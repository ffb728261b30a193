// The ids a full read has seen, in a fraction of a Set<number>'s memory. Actito numbers the
// profiles of a table densely, so one bit per id, in chunks of 4,096 ids (512 bytes each), holds
// the million ids of a large first sync in about 200 KB where a Set needs tens of MB (the
// memory bound of the 1,000,000-member benchmark in BENCHMARKS.md). Sparse ids cost at most one
// chunk each, so the worst case stays bounded by the number of ids read.

const CHUNK_BITS = 4096;
const WORDS = CHUNK_BITS / 32;

export class IdSet {
	private readonly chunks = new Map<number, Uint32Array>();
	private count = 0;

	get size(): number {
		return this.count;
	}

	has(id: number): boolean {
		const chunk = this.chunks.get(Math.floor(id / CHUNK_BITS));
		if (!chunk) return false;
		const bit = id % CHUNK_BITS;
		return (chunk[bit >>> 5] & (1 << (bit & 31))) !== 0;
	}

	/** Adds the id; false when it was already there. */
	add(id: number): boolean {
		if (!Number.isSafeInteger(id) || id < 0) throw new RangeError(`A member id must be a non-negative integer (got ${String(id).slice(0, 20)})`);
		const key = Math.floor(id / CHUNK_BITS);
		let chunk = this.chunks.get(key);
		if (!chunk) {
			chunk = new Uint32Array(WORDS);
			this.chunks.set(key, chunk);
		}
		const bit = id % CHUNK_BITS;
		const mask = 1 << (bit & 31);
		if ((chunk[bit >>> 5] & mask) !== 0) return false;
		chunk[bit >>> 5] |= mask;
		this.count++;
		return true;
	}
}
