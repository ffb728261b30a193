import { IdSet } from '../../core/state/idSet';

describe('IdSet (the ids a full read has seen)', () => {
	it('agrees with a Set<number> on dense, sparse, chunk-edge and huge ids', () => {
		const ids = new IdSet();
		const reference = new Set<number>();
		const sample = [0, 1, 31, 32, 4095, 4096, 4097, 8191, 1001, 1_496_669, 2 ** 31 - 1, 2 ** 31, 2 ** 32 + 5, Number.MAX_SAFE_INTEGER];
		for (let i = 0; i < 20_000; i++) sample.push(1000 + Math.floor(i * 1.25));
		for (const id of sample) {
			expect(ids.add(id)).toBe(!reference.has(id));
			reference.add(id);
		}
		expect(ids.size).toBe(reference.size);
		for (const id of sample) expect(ids.has(id)).toBe(true);
		for (const id of [2, 30, 33, 4094, 8190, 999, 2 ** 31 + 1, 2 ** 32 + 4]) expect(ids.has(id)).toBe(reference.has(id));
	});

	it('adding an id twice counts it once', () => {
		const ids = new IdSet();
		expect(ids.add(7)).toBe(true);
		expect(ids.add(7)).toBe(false);
		expect(ids.size).toBe(1);
	});

	it('refuses what is not a member id', () => {
		const ids = new IdSet();
		for (const bad of [-1, 1.5, Number.NaN, Number.MAX_SAFE_INTEGER + 1]) expect(() => ids.add(bad)).toThrow(RangeError);
	});
});
