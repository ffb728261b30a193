// The members a link has pushed to Meta (profile id → 32-bit fingerprint), held in two sorted
// typed arrays plus a small overlay of changes. A Map<number, number> of a million members takes
// 40-80 MB of heap and a few hundred milliseconds to rebuild from the stored state on every run;
// these arrays take 12 bytes a member and decode without hashing a key (BENCHMARKS.md, sections 2
// and 5). Lookups are a binary search; changes go to the overlay, which is merged into the arrays
// whenever it outgrows a quarter of them, so memory stays close to 12 bytes a member even during a
// first sync that adds every member.

/** What the sync needs of a member list; a Map<number, number> fits it too (tests use one). */
export interface MemberMap {
	readonly size: number;
	get(id: number): number | undefined;
	has(id: number): boolean;
	set(id: number, fingerprint: number): this;
	delete(id: number): boolean;
	clear(): void;
	keys(): IterableIterator<number>;
	entries(): IterableIterator<[number, number]>;
	[Symbol.iterator](): IterableIterator<[number, number]>;
}

/** Overlay value of a base member that was deleted. Fingerprints are unsigned, so never -1. */
const DELETED = -1;
const MIN_OVERLAY = 4096;

export class MemberTable implements MemberMap {
	private ids: Float64Array;
	private fps: Uint32Array;
	/** id → new fingerprint, or DELETED for a member of the arrays that is gone. */
	private readonly overlay = new Map<number, number>();
	private live: number;
	/** Open iterators: merging the overlay while one runs would hide entries from it. */
	private iterating = 0;

	/** `ids` strictly ascending; `fps` the fingerprints at the same positions. Both are kept, not copied. */
	constructor(ids: Float64Array = new Float64Array(0), fps: Uint32Array = new Uint32Array(0)) {
		if (ids.length !== fps.length) throw new RangeError('ids and fingerprints differ in length');
		this.ids = ids;
		this.fps = fps;
		this.live = ids.length;
	}

	static from(entries: Iterable<[number, number]>): MemberTable {
		const table = new MemberTable();
		for (const [id, fp] of entries) table.set(id, fp);
		return table;
	}

	get size(): number {
		return this.live;
	}

	private find(id: number): number {
		const ids = this.ids;
		let lo = 0;
		let hi = ids.length - 1;
		while (lo <= hi) {
			const mid = (lo + hi) >>> 1;
			const value = ids[mid];
			if (value < id) lo = mid + 1;
			else if (value > id) hi = mid - 1;
			else return mid;
		}
		return -1;
	}

	get(id: number): number | undefined {
		const o = this.overlay.get(id);
		if (o !== undefined) return o === DELETED ? undefined : o;
		const i = this.find(id);
		return i < 0 ? undefined : this.fps[i];
	}

	has(id: number): boolean {
		return this.get(id) !== undefined;
	}

	set(id: number, fingerprint: number): this {
		const fp = fingerprint >>> 0;
		const i = this.find(id);
		const o = this.overlay.get(id);
		const wasLive = o !== undefined ? o !== DELETED : i >= 0;
		if (!wasLive) this.live++;
		if (i >= 0 && this.fps[i] === fp) this.overlay.delete(id);
		else this.overlay.set(id, fp);
		this.maybeMerge();
		return this;
	}

	delete(id: number): boolean {
		const i = this.find(id);
		const o = this.overlay.get(id);
		const wasLive = o !== undefined ? o !== DELETED : i >= 0;
		if (!wasLive) return false;
		this.live--;
		if (i >= 0) this.overlay.set(id, DELETED);
		else this.overlay.delete(id);
		this.maybeMerge();
		return true;
	}

	clear(): void {
		this.ids = new Float64Array(0);
		this.fps = new Uint32Array(0);
		this.overlay.clear();
		this.live = 0;
	}

	*entries(): IterableIterator<[number, number]> {
		this.iterating++;
		try {
			const { ids, fps, overlay } = this;
			for (let i = 0; i < ids.length; i++) {
				const o = overlay.get(ids[i]);
				if (o === undefined) yield [ids[i], fps[i]];
				else if (o !== DELETED) yield [ids[i], o];
			}
			for (const [id, o] of overlay) if (o !== DELETED && this.find(id) < 0) yield [id, o];
		} finally {
			this.iterating--;
		}
	}

	*keys(): IterableIterator<number> {
		for (const [id] of this.entries()) yield id;
	}

	[Symbol.iterator](): IterableIterator<[number, number]> {
		return this.entries();
	}

	/** The members in ascending id order, the overlay merged in: what the state encoding writes. */
	sorted(): { ids: Float64Array; fps: Uint32Array } {
		if (this.overlay.size) this.merge();
		return { ids: this.ids, fps: this.fps };
	}

	private maybeMerge(): void {
		if (this.iterating === 0 && this.overlay.size > Math.max(MIN_OVERLAY, this.ids.length >>> 2)) this.merge();
	}

	private merge(): void {
		const { ids, fps, overlay } = this;
		// The overlay's members that the arrays do not hold yet, in ascending order.
		const added = new Float64Array(overlay.size);
		let a = 0;
		for (const [id, o] of overlay) if (o !== DELETED && this.find(id) < 0) added[a++] = id;
		const fresh = added.subarray(0, a).sort();
		const outIds = new Float64Array(this.live);
		const outFps = new Uint32Array(this.live);
		let n = 0;
		let j = 0;
		for (let i = 0; i < ids.length; i++) {
			const id = ids[i];
			while (j < fresh.length && fresh[j] < id) {
				outIds[n] = fresh[j];
				outFps[n++] = overlay.get(fresh[j++]) as number;
			}
			const o = overlay.get(id);
			if (o === DELETED) continue;
			outIds[n] = id;
			outFps[n++] = o === undefined ? fps[i] : o;
		}
		while (j < fresh.length) {
			outIds[n] = fresh[j];
			outFps[n++] = overlay.get(fresh[j++]) as number;
		}
		if (n !== this.live) throw new Error(`member table out of step: ${n} merged for ${this.live} live`);
		this.ids = outIds;
		this.fps = outFps;
		overlay.clear();
	}
}
