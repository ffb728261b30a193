// A corpus of hostile values through the Hash Identifiers node (in-process), then through Sync
// Members to the Meta sandbox: every item gets a valid hash or a clear per-item reason, the run
// never crashes, and no plain value reaches meta.row, the item, or Meta.
import fc from 'fast-check';
import type { IDataObject, INodeExecutionData } from 'n8n-workflow';

import { HashIdentifiers } from '../../nodes/HashIdentifiers/HashIdentifiers.node';
import { MetaCustomAudience } from '../../nodes/MetaCustomAudience/MetaCustomAudience.node';
import { AD_ACCOUNT, createMetaAudience, metaMembers, metaRequests, startSandboxes, type Sandboxes } from '../nodes/sandboxes';
import { runNode } from '../support/n8nContext';

const hashNode = new HashIdentifiers();
const metaNode = new MetaCustomAudience();
const HEX64 = /^[0-9a-f]{64}$/;

// Every hashed key the template or a user might map, each from its own field.
const MAPPING = [
	{ key: 'EXTERN_ID', field: 'profileId' },
	{ key: 'EMAIL', field: 'email' },
	{ key: 'PHONE', field: 'phone' },
	{ key: 'FN', field: 'firstName' },
	{ key: 'LN', field: 'lastName' },
	{ key: 'FI', field: 'initial' },
	{ key: 'CT', field: 'city' },
	{ key: 'ST', field: 'state' },
	{ key: 'ZIP', field: 'zip' },
	{ key: 'COUNTRY', field: 'country' },
	{ key: 'GEN', field: 'sex' },
	{ key: 'DOBY', field: 'birthYear' },
	{ key: 'DOBM', field: 'birthMonth' },
	{ key: 'DOBD', field: 'birthDay' },
];
const FIELDS = MAPPING.filter((m) => m.key !== 'EXTERN_ID').map((m) => m.field);

const VALID: IDataObject = {
	email: 'jane.doe@example.com',
	phone: '+32 470 12 34 56',
	firstName: 'Jane',
	lastName: 'Doe',
	initial: 'J',
	city: 'Bruxelles',
	state: 'BRU',
	zip: '1000',
	country: 'BE',
	sex: 'f',
	birthYear: '1985',
	birthMonth: '07',
	birthDay: '14',
};

const CORPUS: Array<[string, unknown]> = [
	['empty', ''],
	['space', ' '],
	['whitespace', ' \t\r\n  '],
	['no-break and ideographic spaces', '\u00a0\u3000'],
	['zero-width space', '\u200b'],
	['"null"', 'null'],
	['"NULL"', 'NULL'],
	['"undefined"', 'undefined'],
	['"N/A"', 'N/A'],
	['10,000 letters', 'x'.repeat(10_000)],
	['10,000 digits', '9'.repeat(10_000)],
	['10,000-char e-mail', `${'a'.repeat(9_988)}@example.com`],
	['NUL inside', 'jane\u0000doe@example.com'],
	['bell and backspace', '\u0007\u0008'],
	['unit separator', 'a\u001fb'],
	['DEL', 'jane\u007f@example.com'],
	['BOM first', '\ufeffjane@example.com'],
	['right-to-left override', '\u202ejane@example.com'],
	['lone surrogate', 'jane\ud800@example.com'],
	['emoji', '😀'],
	['emoji e-mail', '👩‍👩‍👧@example.com'],
	['flag', '🇧🇪'],
	['mixed scripts', 'Jöhn Ωmega 山田 Иван'],
	['cyrillic e-mail', 'иван@пример.рф'],
	['arabic', 'محمد'],
	['HTML', '<script>alert(1)</script>'],
	['SQL', "'; DROP TABLE profiles; --"],
	['template', '{{ $json.email }}'],
	['zero', 0],
	['integer', 42],
	['negative', -1],
	['float', 3.14],
	['NaN', NaN],
	['Infinity', Infinity],
	['1e21', 1e21],
	['phone as number', 32470123456],
	['true', true],
	['false', false],
	['null', null],
	['undefined', undefined],
	['empty object', {}],
	['nested object', { email: 'jane.doe@example.com', deep: { phone: '+32470123456' } }],
	['object with toString', { toString: () => 'jane.doe@example.com' }],
	['empty array', []],
	['array of e-mail', ['jane.doe@example.com']],
	['array of numbers', [1, 2, 3]],
	['nested arrays', [[['x']]]],
	['date object', new Date(0)],
	['already hashed', 'a'.repeat(64)],
	['upper-case hex', 'A'.repeat(64)],
];

/** A value that carries nothing: no reason is needed when it is left empty. */
function absentLike(value: unknown): boolean {
	if (value === undefined || value === null) return true;
	if (typeof value !== 'string') return false;
	const text = value.replace(/[\s\u200b\ufeff]/g, '');
	return text === '' || /^(null|undefined)$/i.test(text);
}

function hashItems(items: INodeExecutionData[]) {
	return runNode(hashNode, {
		items,
		parameters: {
			identifiers: { mapping: MAPPING },
			countryField: 'country',
			defaultCountry: 'BE',
			options: { stripPlain: true },
		},
	});
}

interface MetaOut {
	schema: string[];
	row: string[];
	invalid: Record<string, string>;
	hasMatchKey: boolean;
}

/** A short label of any value, for failure messages (null-prototype objects have no String()). */
function label(value: unknown): string {
	try {
		return String(value).slice(0, 40);
	} catch {
		return Object.prototype.toString.call(value);
	}
}

/** The invariants of one hashed item. */
function checkItem(out: INodeExecutionData, input: IDataObject) {
	const meta = out.json.meta as unknown as MetaOut;
	expect(meta.schema).toEqual(MAPPING.map((m) => m.key));
	expect(meta.row).toHaveLength(MAPPING.length);
	for (let i = 0; i < MAPPING.length; i++) {
		const { key, field } = MAPPING[i];
		const cell = meta.row[i];
		expect(typeof cell).toBe('string');
		if (key === 'EXTERN_ID') continue;
		// Never a plain value: a hash or nothing.
		expect({ key, cell, ok: cell === '' || HEX64.test(cell) }).toEqual({ key, cell, ok: true });
		const value = input[field];
		if (cell === '' && !absentLike(value)) {
			// Left out for a reason the user can read, per item and per key.
			const reason = meta.invalid[key];
			const shown = label(value);
			expect({ key, value: shown, reason: typeof reason }).toEqual({ key, value: shown, reason: 'string' });
			expect(reason.length).toBeGreaterThan(2);
			expect(reason.length).toBeLessThan(120);
			if (typeof value === 'string' && value.length >= 4) expect(reason).not.toContain(value);
		}
		if (cell !== '') expect(meta.invalid[key]).toBeUndefined();
	}
	expect(meta.hasMatchKey).toBe(meta.row.some((cell, i) => cell !== '' && MAPPING[i].key !== 'EXTERN_ID'));
	// The plain fields are gone from the item: only the id, the action and the hashed row are left.
	expect(Object.keys(out.json).sort()).toEqual(['meta', ...Object.keys(input).filter((k) => !FIELDS.includes(k))].sort());
	// The reasons say what is wrong, never what the value was.
	// (Values that are plain words could occur in a reason by chance: only telling values are looked for.)
	const reasons = Object.values(meta.invalid);
	const telling = (value: unknown): value is string => typeof value === 'string' && value.trim().length >= 6 && !/^[a-z ,.'-]+$/i.test(value);
	for (const value of [...FIELDS.map((f) => input[f]), ...Object.values(VALID)]) {
		if (telling(value)) for (const reason of reasons) expect(reason).not.toContain(value);
	}
}

let s: Sandboxes;
beforeAll(async () => {
	s = await startSandboxes();
});
afterAll(async () => {
	await s?.close();
});

describe('Hash Identifiers on hostile values', () => {
	const inputs: IDataObject[] = [];
	let outputs: INodeExecutionData[] = [];

	beforeAll(async () => {
		let id = 5000;
		for (const [, value] of CORPUS) {
			// Every key hostile at once…
			inputs.push({ profileId: String(++id), action: 'add', ...Object.fromEntries(FIELDS.map((f) => [f, value])) });
			// …and each key hostile beside valid others.
			for (const field of FIELDS) inputs.push({ profileId: String(++id), action: 'add', ...VALID, [field]: value });
		}
		[outputs] = await hashItems(inputs.map((json) => ({ json })));
	});

	test('the run does not crash and every item comes out, paired', () => {
		expect(outputs).toHaveLength(inputs.length);
		outputs.forEach((out, i) => expect(out.pairedItem).toEqual({ item: i }));
	});

	test.each(CORPUS.map(([name], i) => [name, i] as const))('%s: a hash or a per-item reason in meta.invalid, never a plain value', (_name, index) => {
		const per = FIELDS.length + 1;
		for (let k = index * per; k < (index + 1) * per; k++) checkItem(outputs[k], inputs[k]);
	});

	test('the reasons are few and readable', () => {
		const reasons = new Set<string>();
		for (const out of outputs) for (const r of Object.values((out.json.meta as unknown as MetaOut).invalid)) reasons.add(r);
		expect(reasons.size).toBeGreaterThan(3);
		expect(reasons.size).toBeLessThan(40);
		for (const r of reasons) expect(r).toMatch(/^[a-z][a-z0-9 ,()'.\-/]*$/i);
	});

	test('the input items are left as they were (hashing works on a copy)', async () => {
		const item = { profileId: '1', email: 'jane.doe@example.com', nested: { phone: '+32470123456' } };
		const copy = JSON.parse(JSON.stringify(item));
		await runNode(hashNode, {
			items: [{ json: item }],
			parameters: { identifiers: { mapping: [{ key: 'EMAIL', field: 'email' }, { key: 'PHONE', field: 'nested.phone' }] }, options: { stripPlain: true } },
		});
		expect(item).toEqual(copy);
	});

	test('a hostile external id (EXTERN_ID is sent as it is) never crashes the run', async () => {
		const items = CORPUS.map(([, value]) => ({ json: { profileId: value, email: 'jane.doe@example.com' } as IDataObject }));
		const [out] = await runNode(hashNode, {
			items,
			parameters: { identifiers: { mapping: [{ key: 'EXTERN_ID', field: 'profileId' }, { key: 'EMAIL', field: 'email' }] } },
		});
		expect(out).toHaveLength(items.length);
		for (const o of out) {
			const meta = o.json.meta as unknown as MetaOut;
			expect(typeof meta.row[0]).toBe('string');
			expect(meta.row[0].length).toBeLessThanOrEqual(1000);
			expect(meta.row[1]).toMatch(HEX64);
		}
	});

	test('anything at all in any mapped field (fast-check)', async () => {
		const value = fc.anything({ maxDepth: 2, maxKeys: 4, withBigInt: false, withDate: true, withSparseArray: true, withNullPrototype: true, withBoxedValues: true, withObjectString: true });
		await fc.assert(
			fc.asyncProperty(fc.array(fc.record(Object.fromEntries(FIELDS.map((f) => [f, value])), { requiredKeys: [] }), { minLength: 1, maxLength: 5 }), async (records) => {
				const inputsHere = records.map((r, i) => ({ profileId: String(9000 + i), ...r }) as IDataObject);
				const [out] = await hashItems(inputsHere.map((json) => ({ json })));
				expect(out).toHaveLength(inputsHere.length);
				out.forEach((o, i) => checkItem(o, inputsHere[i]));
			}),
			{ numRuns: 100 },
		);
	});

	test('sent to Meta: every row is accepted as hashed, nothing invalid, no plain value stored', async () => {
		const audienceId = await createMetaAudience(s, 'Hostile corpus');
		await s.metaControl('POST', 'requests/clear');
		const [[summary]] = await runNode(metaNode, {
			items: outputs,
			credentials: { metaMarketingApi: s.metaCredentials },
			parameters: {
				resource: 'audience',
				operation: 'syncMembers',
				adAccount: { __rl: true, mode: 'id', value: AD_ACCOUNT },
				audience: { __rl: true, mode: 'id', value: audienceId },
				options: { batchSize: 500 },
			},
		});
		const withKey = outputs.filter((o) => (o.json.meta as unknown as MetaOut).hasMatchKey).length;
		expect(summary.json).toMatchObject({ status: 'success', invalidAtMeta: 0, skippedNoIdentifier: outputs.length - withKey, sent: { add: withKey, remove: 0 } });
		expect((await metaRequests(s)).filter((r) => r.status >= 400)).toEqual([]);
		const members = await metaMembers(s, audienceId);
		expect(members.rows).toHaveLength(withKey);
		for (const row of members.rows) {
			row.forEach((cell, i) => {
				if (members.schema![i] !== 'EXTERN_ID') expect(cell === '' || HEX64.test(cell)).toBe(true);
			});
		}
		// The summary carries counts and reasons, not values.
		const text = JSON.stringify(summary.json);
		for (const [, value] of CORPUS) if (typeof value === 'string' && value.trim().length >= 5 && !/^[a-z0-9 ]+$/i.test(value)) expect(text).not.toContain(value);
	});
});
