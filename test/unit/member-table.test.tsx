// MemberTable (core/state/memberTable.ts) against a plain Map as the model: any sequence of
// sets, deletes and clears, with merges of the overlay in between, reads the same.
import fc from 'fast-check';
import { decodeMembers, encodeMembers } from '../../core/state/memberCodec';
import { MemberTable } from '../../core/state/memberTable';

type Op = ['set', number, number] | ['delete', number] | ['clear'] | ['encode'];

const sortedEntries = (m: Iterable<[number, number]>) => [...m].sort((a, b) => a[0] - b[0]);

function check(table: MemberTable, model: Map<number, number>, probes: number[]) {
	expect(table.size).toBe(model.size);
	for (const id of probes) {
		expect(table.get(id)).toBe(model.get(id));
		expect(table.has(id)).toBe(model.has(id));
	}
	expect(sortedEntries(table)).toEqual(sortedEntries(model));
	expect([...table.keys()].sort((a, b) => a - b)).toEqual([...model.keys()].sort((a, b) => a - b));
}

describe('MemberTable', () => {
	// Small id ranges make sets and deletes hit the same ids; many operations force merges.
	const op = (maxId: number): fc.Arbitrary<Op> =>
		fc.oneof(
			{ weight: 10, arbitrary: fc.tuple(fc.constant('set' as const), fc.nat(maxId), fc.integer({ min: 0, max: 0xffffffff })) },
			{ weight: 5, arbitrary: fc.tuple(fc.constant('delete' as const), fc.nat(maxId)) },
			{ weight: 1, arbitrary: fc.constant(['encode'] as ['encode']) },
			{ weight: 1, arbitrary: fc.constant(['clear'] as ['clear']) },
		);

	test('reads like a Map after any sequence of changes, decoded or fresh', () => {
		fc.assert(
			fc.property(
				fc.array(fc.tuple(fc.nat(20_000), fc.integer({ min: 0, max: 0xffffffff })), { maxLength: 3000 }),
				fc.array(op(20_000), { maxLength: 12_000 }),
				(initial, ops) => {
					const model = new Map(initial);
					let table = decodeMembers(encodeMembers(new Map(initial)));
					for (const o of ops) {
						if (o[0] === 'set') {
							expect(table.set(o[1], o[2])).toBe(table);
							model.set(o[1], o[2] >>> 0);
						} else if (o[0] === 'delete') expect(table.delete(o[1])).toBe(model.delete(o[1]));
						else if (o[0] === 'clear') {
							table.clear();
							model.clear();
						} else {
							// A run ends by encoding; the next one decodes.
							const encoded = encodeMembers(table);
							expect(encoded).toBe(encodeMembers(model));
							table = decodeMembers(encoded);
						}
					}
					check(table, model, [0, 1, 20_000, ...ops.slice(0, 50).map((o) => (o.length > 1 ? (o[1] as number) : 0))]);
				},
			),
			{ numRuns: 40 },
		);
	});

	test('a first sync of 100,000 members merges its overlay and keeps every member', () => {
		const table = new MemberTable();
		const model = new Map<number, number>();
		for (let id = 1001; model.size < 100_000; id += 1 + (id % 3)) {
			const fp = Math.imul(id, 2654435761) >>> 0;
			table.set(id, fp);
			model.set(id, fp);
		}
		// Identifier changes and leavers of a later run.
		for (const [id] of [...model].filter((_, i) => i % 97 === 0)) {
			table.set(id, 7);
			model.set(id, 7);
		}
		for (const [id] of [...model].filter((_, i) => i % 89 === 0)) {
			expect(table.delete(id)).toBe(true);
			model.delete(id);
		}
		check(table, model, [1001, 1002, 1003, 500_000]);
		expect(new Map(decodeMembers(encodeMembers(table)))).toEqual(model);
	});

	test('deleting while iterating, as Map allows, sees every member once', () => {
		const table = decodeMembers(encodeMembers(new Map(Array.from({ length: 10_000 }, (_, i) => [i * 2, i] as [number, number]))));
		const seen: number[] = [];
		for (const id of table.keys()) {
			seen.push(id);
			if (id % 4 === 0) table.delete(id);
		}
		expect(seen).toHaveLength(10_000);
		expect(table.size).toBe(5_000);
		expect(table.has(4)).toBe(false);
		expect(table.get(6)).toBe(3);
	});

	test('a stored list that repeats an id or claims more members than it holds is refused', () => {
		// Format 1, count 2, id 5 (fp 0), delta 0 (fp 0).
		const repeated = Buffer.from([1, 2, 5, 0, 0, 0, 0, 0, 0, 0, 0, 0]).toString('base64');
		expect(() => decodeMembers(repeated)).toThrow(/repeats a profile id/);
		const oversized = Buffer.from([1, 0xff, 0xff, 0xff, 0x7f, 5, 0, 0, 0, 0]).toString('base64');
		expect(() => decodeMembers(oversized)).toThrow(/truncated/);
	});
});
