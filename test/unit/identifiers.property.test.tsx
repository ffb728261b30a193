// Property tests and a hostile corpus for the identifier core: whatever arrives from Actito
// or a user's mapping, normalization returns a string (never throws), hashed columns hold
// only SHA-256 hex or '', and no plain value comes out of a hashed key.

import fc from 'fast-check';
import {
	META_KEYS,
	UNHASHED_KEYS,
	buildMetaRow,
	hashIdentifier,
	normalizeIdentifier,
	normalizeWithReason,
	rowFingerprint,
} from '../../core/identifiers';
import type { MetaKey, NormalizeOptions } from '../../core/identifiers';

const HEX64 = /^[0-9a-f]{64}$/;
const HASHED_KEYS = META_KEYS.filter((k) => !UNHASHED_KEYS.includes(k));
const RUNS = { numRuns: 300 };

const countryArb = fc.oneof(
	fc.constantFrom('BE', 'be', 'FR', 'US', 'United States', 'IT', 'Nederland', 'DE', 'GB', 'ES', 'RU', 'HU', 'LU', 'CA', 'JP'),
	fc.string(),
	fc.constant(undefined),
);
const optionsArb: fc.Arbitrary<NormalizeOptions | undefined> = fc.oneof(
	fc.constant(undefined),
	fc.record({ defaultCountry: countryArb, country: countryArb }, { requiredKeys: [] }) as fc.Arbitrary<NormalizeOptions>,
	// Whatever a workflow passes: the core must not trust the options' shape either.
	fc.anything() as fc.Arbitrary<NormalizeOptions>,
);
const keyArb = fc.constantFrom(...META_KEYS);

// Any UTF-16 code unit, lone surrogates and controls included.
const anyUnitString = fc.string({ unit: fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c)), maxLength: 40 });
const textArb = fc.oneof(
	fc.string(),
	fc.string({ unit: 'grapheme' }),
	fc.string({ unit: 'binary' }),
	anyUnitString,
	fc.stringMatching(/^[ +()0-9.\-/]{0,24}$/),
	fc.emailAddress(),
	fc.date({ noInvalidDate: false }).map((d) => (Number.isNaN(d.getTime()) ? 'x' : d.toISOString().slice(0, 10))),
	fc.uuid(),
);

describe('normalization never throws', () => {
	test('on anything, for every key and any options', () => {
		fc.assert(
			fc.property(keyArb, fc.anything({ withBigInt: true, withDate: true, withMap: true, withSet: true, withTypedArray: true, withSparseArray: true, withNullPrototype: true, withObjectString: true, withBoxedValues: true }), optionsArb, (key, value, options) => {
				const result = normalizeWithReason(key, value, options);
				expect(typeof result.value).toBe('string');
				if (result.reason !== undefined) {
					expect(result.value).toBe('');
					expect(result.reason.length).toBeGreaterThan(0);
				}
				expect(normalizeIdentifier(key, value, options)).toBe(result.value);
				expect(typeof hashIdentifier(key, value, options)).toBe('string');
			}),
			{ numRuns: 2000 },
		);
	});

	test('on text of any kind', () => {
		fc.assert(
			fc.property(keyArb, textArb, optionsArb, (key, value, options) => {
				expect(typeof normalizeIdentifier(key, value, options)).toBe('string');
			}),
			{ numRuns: 2000 },
		);
	});

	test('on objects whose every access throws', () => {
		const trap = new Proxy(
			{},
			{
				get() {
					throw new Error('trap');
				},
				getPrototypeOf() {
					throw new Error('trap');
				},
			},
		);
		for (const key of META_KEYS) {
			expect(normalizeWithReason(key, trap)).toEqual({ value: '', reason: 'not a text value' });
			expect(typeof normalizeIdentifier(key, '0470123456', trap as NormalizeOptions)).toBe('string');
			expect(normalizeIdentifier('PHONE', '0470123456', trap as NormalizeOptions)).toBe('');
			expect(() => buildMetaRow([key], trap as Record<string, unknown>, trap as NormalizeOptions)).not.toThrow();
		}
	});
});

describe('hashed keys are always 64 lowercase hex or empty', () => {
	test.each(HASHED_KEYS)('%s', (key) => {
		fc.assert(
			fc.property(fc.oneof(textArb, fc.anything()), optionsArb, (value, options) => {
				const h = hashIdentifier(key, value, options);
				expect(h === '' || HEX64.test(h)).toBe(true);
				// Never a plain value: a hash equal to the input only when the input was a hash.
				if (h !== '' && typeof value === 'string' && h === value) expect(HEX64.test(value)).toBe(true);
			}),
			RUNS,
		);
	});

	test('buildMetaRow: hashed columns hex or empty, unhashed columns normalized', () => {
		fc.assert(
			fc.property(
				fc.uniqueArray(keyArb, { minLength: 1 }),
				fc.dictionary(keyArb, fc.oneof(textArb, fc.anything())),
				optionsArb,
				(schema, values, options) => {
					const { row, invalid, hasMatchKey } = buildMetaRow(schema, values as Record<MetaKey, unknown>, options ?? {});
					expect(row).toHaveLength(schema.length);
					schema.forEach((key, i) => {
						if (UNHASHED_KEYS.includes(key)) expect(typeof row[i]).toBe('string');
						else expect(row[i] === '' || HEX64.test(row[i])).toBe(true);
						if (invalid[key] !== undefined) expect(row[i]).toBe('');
					});
					expect(hasMatchKey).toBe(schema.some((key, i) => key !== 'EXTERN_ID' && row[i] !== ''));
					const fp = rowFingerprint(row);
					expect(Number.isInteger(fp) && fp >= 0 && fp <= 0xffffffff).toBe(true);
				},
			),
			RUNS,
		);
	});
});

describe('normalization is idempotent', () => {
	// Every key except PHONE: normalizing a normalized value (with the same options) gives it
	// back. PHONE's output is international digits without '+', which reads back as national
	// (or as missing a country); it is idempotent when read back in international form.
	const IDEMPOTENT_KEYS: MetaKey[] = META_KEYS.filter((k) => k !== 'PHONE');

	const realistic: Partial<Record<MetaKey, fc.Arbitrary<unknown>>> = {
		EMAIL: fc.emailAddress().map((e) => ` ${e.toUpperCase()} `),
		FN: fc.constantFrom('Valéry', 'Anne-Marie', 'ZOË', 'Łukasz', 'Дмитрий', 'İlker', 'ß', 'O\u0301scar', 'ǅemal', 'Ὀδυσσεύς'),
		GEN: fc.constantFrom('M', 'female', 'Homme', 'x'),
		DOBY: fc.oneof(fc.integer({ min: 1850, max: 2100 }), fc.date({ noInvalidDate: true })),
		DOBM: fc.oneof(fc.integer({ min: -1, max: 14 }), fc.date({ noInvalidDate: true }), fc.constantFrom('April', 'sep')),
		DOBD: fc.oneof(fc.integer({ min: -1, max: 33 }), fc.date({ noInvalidDate: true })),
		ST: fc.constantFrom('New York', 'TX', 'Bavaria', 'Île-de-France', 'Washington D.C.'),
		ZIP: fc.oneof(fc.integer({ min: 0, max: 999999999 }), fc.constantFrom('12345-6789', 'SW1A 1AA', '1000', 'K1A 0B6')),
		COUNTRY: fc.constantFrom('Belgique', 'USA', 'the netherlands', 'DEU', 'Côte d’Ivoire', 'UK'),
		MADID: fc.oneof(fc.uuid(), fc.stringMatching(/^[0-9A-F]{16}$/)),
		EXTERN_ID: fc.oneof(fc.integer(), fc.string()),
	};

	test.each(IDEMPOTENT_KEYS)('%s', (key) => {
		fc.assert(
			fc.property(fc.oneof(textArb, realistic[key] ?? textArb, fc.anything()), optionsArb, (value, options) => {
				const once = normalizeIdentifier(key, value, options);
				expect(normalizeIdentifier(key, once, options)).toBe(once);
			}),
			{ numRuns: 1000 },
		);
	});

	test('PHONE: the output read back as +<digits> is unchanged', () => {
		const national = fc.tuple(fc.constantFrom('', '0', '00', '+', '8', '06', '011', '(0)'), fc.stringMatching(/^[0-9 ]{4,16}$/));
		fc.assert(
			fc.property(fc.oneof(national.map(([p, d]) => p + d), textArb), optionsArb, (value, options) => {
				const once = normalizeIdentifier('PHONE', value, options);
				if (once === '') return;
				expect(once).toMatch(/^[1-9]\d{7,14}$/);
				expect(normalizeIdentifier('PHONE', '+' + once)).toBe(once);
				expect(normalizeIdentifier('PHONE', '00' + once, options)).toBe(once);
			}),
			{ numRuns: 3000 },
		);
	});
});

describe('hostile corpus', () => {
	const circular: Record<string, unknown> = { a: 1 };
	circular.self = circular;
	const corpus: Array<[label: string, value: unknown]> = [
		['empty', ''],
		['whitespace', ' \t\n\r\u00a0\u2003 '],
		['null', null],
		['undefined', undefined],
		['"null"', 'null'],
		['"undefined"', ' Undefined '],
		['10,000 characters', 'a'.repeat(10_000)],
		['10,000-character e-mail', `${'a'.repeat(9_980)}@example.com`],
		['10,000 digits', '4'.repeat(10_000)],
		['NUL', 'mary\u0000@example.com'],
		['control characters', '\u0001\u0002\u0003'],
		['escape sequence', '\u001b[31mred'],
		['DEL', 'abc\u007f'],
		['C1 control', 'abc\u0085def'],
		['emoji', '😀🎉👍🏽'],
		['emoji e-mail', '😀@example.com'],
		['ZWJ sequence', '👩‍👩‍👧'],
		['lone surrogate', 'ab\ud800cd'],
		['mixed scripts', 'Jöhn Дмитрий 山田 محمد'],
		['right-to-left override', '\u202emary@example.com'],
		['zero-width only', '\u200b\u200b'],
		['SQL', "'; DROP TABLE users; --"],
		['HTML', '<script>alert(1)</script>'],
		['template', '{{ $json.email }}'],
		['number', 42],
		['negative number', -1],
		['float', 3.14159],
		['NaN', Number.NaN],
		['Infinity', Infinity],
		['huge number', 1e300],
		['bigint', 10n ** 30n],
		['true', true],
		['false', false],
		['array', ['mary@example.com']],
		['empty array', []],
		['nested object', { email: { value: 'mary@example.com' } }],
		['circular object', circular],
		['function', () => 'mary@example.com'],
		['symbol', Symbol('x')],
		['invalid date', new Date('nope')],
		['boxed string', Object('mary@example.com')],
		['Map', new Map([['email', 'x']])],
		['Buffer', Buffer.from('mary@example.com')],
	];
	const ABSENT = new Set(['empty', 'whitespace', 'null', 'undefined', '"null"', '"undefined"', 'zero-width only']);

	test.each(META_KEYS.flatMap((key) => corpus.map(([label, value]) => [key, label, value] as const)))(
		'%s ← %s',
		(key, label, value) => {
			const options = { defaultCountry: 'BE' };
			let result: ReturnType<typeof normalizeWithReason> = { value: '' };
			expect(() => {
				result = normalizeWithReason(key, value, options);
			}).not.toThrow();
			const hashed = hashIdentifier(key, value, options);
			if (ABSENT.has(label)) {
				expect(result).toEqual({ value: '' });
				expect(hashed).toBe('');
				return;
			}
			if (result.value === '') {
				// Invalid: a short reason a person can act on.
				expect(typeof result.reason).toBe('string');
				expect(result.reason!.length).toBeGreaterThan(0);
				expect(result.reason!.length).toBeLessThan(40);
				expect(hashed).toBe('');
			} else if (UNHASHED_KEYS.includes(key)) {
				expect(hashed).toBe(result.value);
			} else {
				// Valid: hashed, never the raw value.
				expect(hashed).toMatch(HEX64);
				expect(hashed).not.toBe(value);
			}
			// Nothing longer than a real identifier survives, whatever came in.
			expect(result.value.length).toBeLessThanOrEqual(256);
		},
	);

	test('invalid values get the expected reasons', () => {
		expect(normalizeWithReason('EMAIL', 'a'.repeat(10_000)).reason).toBe('too long');
		expect(normalizeWithReason('EMAIL', 'mary\u0000@example.com').reason).toBe('contains control characters');
		expect(normalizeWithReason('FN', '😀🎉').reason).toBe('no letters');
		expect(normalizeWithReason('FN', 'ab\ud800cd').reason).toBe('not valid text');
		expect(normalizeWithReason('EMAIL', { email: 'mary@example.com' }).reason).toBe('not a text value');
		expect(normalizeWithReason('PHONE', ['0470123456']).reason).toBe('not a text value');
		expect(normalizeWithReason('GEN', true).reason).toBe('not a text value');
		expect(normalizeWithReason('EXTERN_ID', Number.NaN).reason).toBe('not a number');
		expect(normalizeWithReason('EMAIL', '\u202emary@example.com').reason).toBe('not an e-mail address');
	});

	test('mixed scripts and emoji in names keep only the letters', () => {
		expect(normalizeIdentifier('FN', 'Jöhn Дмитрий 山田 محمد')).toBe('jöhnдмитрий山田محمد');
		expect(normalizeIdentifier('FN', 'Mary 😀')).toBe('mary');
	});
});
