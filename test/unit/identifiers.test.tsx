import { createHash } from 'node:crypto';
import {
	COUNTRIES,
	META_KEYS,
	UNHASHED_KEYS,
	buildMetaRow,
	countryToIso2,
	hashIdentifier,
	isMetaKey,
	isSha256Hex,
	matchCallingCode,
	normalizeIdentifier,
	normalizeWithReason,
	rowFingerprint,
	sha256Hex,
	usStateCode,
} from '../../core/identifiers';
import type { MetaKey, NormalizeOptions } from '../../core/identifiers';

const sha = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex');

type Vector = [key: MetaKey, input: unknown, expected: string, options?: NormalizeOptions];

function label(value: unknown): string {
	if (typeof value === 'bigint') return `${value}n`;
	if (value instanceof Date) return `Date(${Number.isNaN(value.getTime()) ? 'invalid' : value.toISOString()})`;
	const text = JSON.stringify(value) ?? String(value);
	return text.length > 60 ? `${text.slice(0, 40)}…(${text.length} chars)` : text;
}

function check(vectors: Vector[]) {
	test.each(vectors.map((v) => [v[0], label(v[1]), v[2], v[3] ?? {}, v[1]] as const))(
		'%s %s → %j (%j)',
		(key, _label, expected, options, input) => {
			expect(normalizeIdentifier(key, input, options)).toBe(expected);
		},
	);
}

function checkInvalid(vectors: Array<[key: MetaKey, input: unknown, reason: string, options?: NormalizeOptions]>) {
	test.each(vectors.map((v) => [v[0], label(v[1]), v[2], v[3] ?? {}, v[1]] as const))(
		'%s %s is invalid: %s (%j)',
		(key, _label, reason, options, input) => {
			expect(normalizeWithReason(key, input, options)).toEqual({ value: '', reason });
			expect(hashIdentifier(key, input, options)).toBe('');
		},
	);
}

describe('contract reference hashes', () => {
	test('mary@example.com', () => {
		const expected = 'f1904cf1a9d73a55fa5de0ac823c4403ded71afd4c3248d00bdcd0866552bb79';
		expect(sha256Hex('mary@example.com')).toBe(expected);
		expect(hashIdentifier('EMAIL', '  Mary@Example.COM ')).toBe(expected);
	});
	test('15559876543', () => {
		const expected = '1ef970831d7963307784fa8688e8fce101a15685d62aa765fed23f3a2c576a4e';
		expect(sha256Hex('15559876543')).toBe(expected);
		expect(hashIdentifier('PHONE', '+1 (555) 987-6543')).toBe(expected);
		expect(hashIdentifier('PHONE', '(555) 987-6543', { defaultCountry: 'US' })).toBe(expected);
	});
});

describe('metaKeys', () => {
	test('the 15 multi-keys, two unhashed', () => {
		expect(META_KEYS).toHaveLength(15);
		expect([...UNHASHED_KEYS].sort()).toEqual(['EXTERN_ID', 'MADID']);
		expect(isMetaKey('EMAIL')).toBe(true);
		expect(isMetaKey('email')).toBe(false);
		expect(isMetaKey({})).toBe(false);
	});
});

describe('EMAIL', () => {
	check([
		['EMAIL', 'mary@example.com', 'mary@example.com'],
		['EMAIL', '  Mary.Smith+news@Example.CO.UK\t', 'mary.smith+news@example.co.uk'],
		['EMAIL', '\ufeffjean@exemple.be', 'jean@exemple.be'],
		['EMAIL', 'MAILTO:Jean@Exemple.be', 'jean@exemple.be'],
		['EMAIL', 'josé@exämple.de', 'josé@exämple.de'],
	]);
	checkInvalid([
		['EMAIL', 'mary.example.com', 'not an e-mail address'],
		['EMAIL', 'mary@example', 'not an e-mail address'],
		['EMAIL', 'mary@@example.com', 'not an e-mail address'],
		['EMAIL', 'mary smith@example.com', 'not an e-mail address'],
		['EMAIL', 'Mary <mary@example.com>', 'not an e-mail address'],
		['EMAIL', 'a@b@example.com', 'not an e-mail address'],
		['EMAIL', '.mary@example.com', 'not an e-mail address'],
		['EMAIL', 'mary..smith@example.com', 'not an e-mail address'],
		['EMAIL', 'mary@example..com', 'not an e-mail address'],
		['EMAIL', 'mary@\u0000example.com', 'contains control characters'],
		['EMAIL', `${'a'.repeat(64)}@${'b'.repeat(190)}.com`, 'too long'],
		['EMAIL', 12345, 'not an e-mail address'],
		['EMAIL', true, 'not a text value'],
	]);
});

describe('PHONE', () => {
	check([
		['PHONE', '0470 12 34 56', '32470123456', { defaultCountry: 'BE' }],
		['PHONE', '0470 12 34 56', '32470123456', { country: 'Belgique' }],
		['PHONE', '0470/12.34.56', '32470123456', { country: 'be', defaultCountry: 'FR' }],
		['PHONE', '+32 (0)470 12 34 56', '32470123456'],
		['PHONE', '+32 470 12 34 56', '32470123456', { defaultCountry: 'US' }],
		['PHONE', '0032 470 12 34 56', '32470123456', { defaultCountry: 'FR' }],
		['PHONE', '+32 0470 12 34 56', '32470123456'],
		['PHONE', '32470123456', '32470123456', { defaultCountry: 'BE' }],
		['PHONE', 32470123456, '32470123456', { defaultCountry: 'BE' }],
		['PHONE', '470 12 34 56', '32470123456', { defaultCountry: 'BE' }],
		['PHONE', '02 123 45 67', '3221234567', { defaultCountry: 'BE' }],
		['PHONE', '(555) 987-6543', '15559876543', { country: 'US' }],
		['PHONE', '555.987.6543', '15559876543', { country: 'United States' }],
		['PHONE', '1-555-987-6543', '15559876543', { country: 'USA' }],
		['PHONE', '011 32 470 12 34 56', '32470123456', { country: 'US' }],
		['PHONE', '(416) 555-0199', '14165550199', { country: 'Canada' }],
		['PHONE', '06 1234 5678', '390612345678', { country: 'IT' }],
		['PHONE', '+39 06 1234 5678', '390612345678'],
		['PHONE', '392 123 4567', '393921234567', { country: 'Italia' }],
		['PHONE', '06 12 34 56 78', '33612345678', { country: 'FR' }],
		['PHONE', '+33 (0)6 12 34 56 78', '33612345678'],
		['PHONE', '06-12345678', '31612345678', { country: 'Nederland' }],
		['PHONE', '030 1234567', '49301234567', { country: 'Deutschland' }],
		['PHONE', '07911 123456', '447911123456', { country: 'UK' }],
		['PHONE', '06 30 123 4567', '36301234567', { country: 'HU' }],
		['PHONE', '8 (912) 345-67-89', '79123456789', { country: 'RU' }],
		['PHONE', '612 34 56 78', '34612345678', { country: 'ES' }],
		['PHONE', '34612345678', '34612345678', { country: 'ES' }],
		['PHONE', '079 123 45 67', '41791234567', { country: 'CH' }],
		['PHONE', '621 123 456', '352621123456', { country: 'LU' }],
	]);
	checkInvalid([
		['PHONE', '0470 12 34 56', 'no country code'],
		['PHONE', '0470 12 34 56', 'no country code', { defaultCountry: 'Atlantis' }],
		['PHONE', '+32 470', 'too short'],
		['PHONE', '+1 555 987 65', 'too short'],
		['PHONE', '+32 470 12 34 56 78 90 12 34', 'too long'],
		['PHONE', '+1234567890123456', 'too long'],
		['PHONE', '0470 12 34 56 ext. 12', 'contains letters or an extension', { defaultCountry: 'BE' }],
		['PHONE', '555-987-6543 x12', 'contains letters or an extension', { defaultCountry: 'US' }],
		['PHONE', '0470 12 34 56#12', 'contains letters or an extension', { defaultCountry: 'BE' }],
		['PHONE', 'call me', 'contains letters or an extension'],
		['PHONE', '+999 123 456 789', 'unknown country code'],
		['PHONE', '0470 12 34 56 😀', 'not a phone number', { defaultCountry: 'BE' }],
		['PHONE', '+32+470123456', 'not a phone number'],
		['PHONE', 3.5e21, 'contains letters or an extension'],
		['PHONE', Number.NaN, 'not a number'],
		['PHONE', ['0470123456'], 'not a text value', { defaultCountry: 'BE' }],
	]);
});

describe('FN, LN, FI', () => {
	check([
		['FN', 'Valéry', 'valéry'],
		['FN', '  Mary ', 'mary'],
		['FN', 'Anne-Marie', 'annemarie'],
		['FN', 'Jean Pierre', 'jeanpierre'],
		['FN', 'Vale\u0301ry', 'valéry'], // decomposed input becomes NFC
		['FN', 'ZOË', 'zoë'],
		['FN', 'Łukasz', 'łukasz'],
		['FN', 'Дмитрий', 'дмитрий'],
		['LN', "O'Brien", 'obrien'],
		['LN', 'van der Berg', 'vanderberg'],
		['LN', 'Müller-Lüdenscheidt', 'müllerlüdenscheidt'],
		['LN', 'Smith Jr.', 'smithjr'],
		['LN', '山田', '山田'],
		['FI', 'Valéry', 'v'],
		['FI', 'élodie', 'é'],
		['FI', 'J.', 'j'],
		['FI', ' Zoë ', 'z'],
	]);
	checkInvalid([
		['FN', '123', 'no letters'],
		['FN', '😀🎉', 'no letters'],
		['FN', '---', 'no letters'],
		['LN', 'Smith\nJones', 'contains control characters'],
		['FI', '42', 'no letters'],
		['FN', { first: 'Mary' }, 'not a text value'],
	]);
});

describe('GEN', () => {
	check([
		['GEN', 'M', 'm'],
		['GEN', 'f', 'f'],
		['GEN', 'Male', 'm'],
		['GEN', 'FEMALE', 'f'],
		['GEN', 'man', 'm'],
		['GEN', 'Woman', 'f'],
		['GEN', 'homme', 'm'],
		['GEN', 'Femme', 'f'],
	]);
	checkInvalid([
		['GEN', 'x', 'not m or f'],
		['GEN', 'unknown', 'not m or f'],
		['GEN', 1, 'not m or f'],
		['GEN', true, 'not a text value'],
	]);
});

describe('DOBY, DOBM, DOBD', () => {
	check([
		['DOBY', '1985', '1985'],
		['DOBY', 1985, '1985'],
		['DOBY', '1985-04-12', '1985'],
		['DOBY', new Date('1985-04-12'), '1985'],
		['DOBY', '1985-04-12T00:00:00.000Z', '1985'],
		['DOBY', '19850412', '1985'],
		['DOBM', '4', '04'],
		['DOBM', 12, '12'],
		['DOBM', '1985-04-12', '04'],
		['DOBM', new Date('1985-04-12T00:00:00Z'), '04'],
		['DOBM', 'April', '04'],
		['DOBM', 'sept.', '09'],
		['DOBD', '7', '07'],
		['DOBD', 31, '31'],
		['DOBD', '1985-04-12', '12'],
		['DOBD', '2000/02/29', '29'],
		['DOBD', new Date(Date.UTC(1990, 0, 3)), '03'],
	]);
	checkInvalid([
		['DOBY', '85', 'not a year'],
		['DOBY', '1899', 'not a year'],
		['DOBY', String(new Date().getUTCFullYear() + 1), 'not a year'],
		['DOBY', '1985-13-01', 'not a date'],
		['DOBM', '13', 'not a month'],
		['DOBM', '0', 'not a month'],
		['DOBM', 'Smarch', 'not a month'],
		['DOBD', '32', 'not a day'],
		['DOBD', '0', 'not a day'],
		['DOBD', '2001-02-29', 'not a date'],
		['DOBD', new Date('not a date'), 'not a date'],
		['DOBD', 12.5, 'not a day'],
	]);
	test('a date object is refused for keys other than DOB*', () => {
		expect(normalizeWithReason('FN', new Date())).toEqual({ value: '', reason: 'not a text value' });
	});
});

describe('CT, ST, ZIP, COUNTRY', () => {
	check([
		['CT', 'Liège', 'liège'],
		['CT', 'New York', 'newyork'],
		['CT', "Villeneuve-d'Ascq", 'villeneuvedascq'],
		['CT', 'Sint-Niklaas', 'sintniklaas'],
		['ST', 'California', 'ca', { country: 'US' }],
		['ST', 'new york', 'ny', { defaultCountry: 'us' }],
		['ST', 'TX', 'tx', { country: 'United States' }],
		['ST', 'District of Columbia', 'dc'],
		['ST', 'Texas', 'tx'],
		['ST', 'Texas', 'texas', { country: 'DE' }],
		['ST', 'Brabant wallon', 'brabantwallon', { country: 'BE' }],
		['ST', 'Île-de-France', 'îledefrance'],
		['ST', 'Ontario', 'ontario', { country: 'CA' }],
		['ZIP', '12345-6789', '12345'],
		['ZIP', '12345-6789', '12345', { country: 'US' }],
		['ZIP', '123456789', '12345', { country: 'US' }],
		['ZIP', 2134, '02134', { country: 'US' }],
		['ZIP', '1000', '1000', { country: 'BE' }],
		['ZIP', 1000, '1000', { defaultCountry: 'BE' }],
		['ZIP', 'SW1A 1AA', 'sw1a1aa', { country: 'GB' }],
		['ZIP', 'K1A 0B6', 'k1a0b6', { country: 'CA' }],
		['ZIP', '75008', '75008'],
		['COUNTRY', 'BE', 'be'],
		['COUNTRY', 'be', 'be'],
		['COUNTRY', 'Belgium', 'be'],
		['COUNTRY', 'Belgique', 'be'],
		['COUNTRY', 'België', 'be'],
		['COUNTRY', 'Deutschland', 'de'],
		['COUNTRY', 'Nederland', 'nl'],
		['COUNTRY', 'The Netherlands', 'nl'],
		['COUNTRY', 'UK', 'gb'],
		['COUNTRY', 'USA', 'us'],
		['COUNTRY', 'United States', 'us'],
		['COUNTRY', 'United States of America', 'us'],
		['COUNTRY', 'Côte d’Ivoire', 'ci'],
		['COUNTRY', 'FRA', 'fr'],
		['COUNTRY', 'Bosnia & Herzegovina', 'ba'],
	]);
	checkInvalid([
		['CT', '75008', 'no letters'],
		['ST', 'Bavaria', 'not a US state', { country: 'US' }],
		['ZIP', '1234', 'not a US ZIP code', { country: 'US' }],
		['ZIP', 'ABCDE', 'not a US ZIP code', { country: 'US' }],
		['ZIP', 'é', 'not a postal code'],
		['ZIP', '12345678901', 'not a postal code', { country: 'BE' }],
		['COUNTRY', 'Atlantis', 'unknown country'],
		['COUNTRY', 'XX', 'unknown country'],
		['COUNTRY', 32, 'unknown country'],
	]);
	test('every ISO country code and English name maps to itself', () => {
		expect(COUNTRIES.length).toBeGreaterThanOrEqual(249);
		for (const c of COUNTRIES) {
			expect(countryToIso2(c.iso2.toUpperCase())).toBe(c.iso2);
			expect(countryToIso2(c.iso3.toUpperCase())).toBe(c.iso2);
			expect(countryToIso2(c.name)).toBe(c.iso2);
			expect(c.callingCode).toMatch(/^[1-9]\d{0,2}$/);
			expect(matchCallingCode(c.callingCode + '123456789')).toBe(c.callingCode);
		}
	});
	test('US state names and codes', () => {
		expect(usStateCode('Massachusetts')).toBe('ma');
		expect(usStateCode('NORTH CAROLINA')).toBe('nc');
		expect(usStateCode('Washington, D.C.')).toBe('dc');
		expect(usStateCode('Puerto Rico')).toBe('pr');
		expect(usStateCode('Bavaria')).toBe('');
	});
});

describe('MADID, EXTERN_ID', () => {
	check([
		['MADID', 'AEBE52E7-03EE-455A-B3C4-E57283966239', 'aebe52e7-03ee-455a-b3c4-e57283966239'],
		['MADID', ' 38400000-8cf0-11bd-b23e-10b96e40000d ', '38400000-8cf0-11bd-b23e-10b96e40000d'],
		['MADID', '9774D56D682E549C', '9774d56d682e549c'],
		['EXTERN_ID', '1042', '1042'],
		['EXTERN_ID', 1042, '1042'],
		['EXTERN_ID', ' CRM-00017 ', 'CRM-00017'],
		['EXTERN_ID', 12345678901234567890n, '12345678901234567890'],
	]);
	checkInvalid([
		['MADID', 'not-an-id', 'not an advertising ID'],
		['MADID', '00000000-0000-0000-0000-000000000000', 'zeroed advertising ID'],
		['MADID', '1234', 'not an advertising ID'],
		['EXTERN_ID', { id: 1 }, 'not a text value'],
		['EXTERN_ID', 'x'.repeat(300), 'too long'],
		['EXTERN_ID', Infinity, 'not a number'],
	]);
});

describe('absent values', () => {
	const absent: unknown[] = [undefined, null, '', '   ', '\t\n', 'null', 'NULL', 'undefined', '\ufeff'];
	test.each(META_KEYS.flatMap((key) => absent.map((value) => [key, label(value), value] as const)))('%s %s is absent', (key, _label, value) => {
		expect(normalizeWithReason(key, value, { defaultCountry: 'BE' })).toEqual({ value: '' });
		expect(hashIdentifier(key, value, { defaultCountry: 'BE' })).toBe('');
	});
});

describe('hashIdentifier', () => {
	test('hashed keys give the SHA-256 of the normalized text', () => {
		expect(hashIdentifier('FN', 'Valéry')).toBe(sha('valéry'));
		expect(hashIdentifier('PHONE', '0470 12 34 56', { defaultCountry: 'BE' })).toBe(sha('32470123456'));
		expect(hashIdentifier('COUNTRY', 'Belgique')).toBe(sha('be'));
		expect(hashIdentifier('DOBM', '1985-04-12')).toBe(sha('04'));
	});
	test('EXTERN_ID and MADID are normalized, not hashed', () => {
		expect(hashIdentifier('EXTERN_ID', ' 1042 ')).toBe('1042');
		expect(hashIdentifier('MADID', 'AEBE52E7-03EE-455A-B3C4-E57283966239')).toBe('aebe52e7-03ee-455a-b3c4-e57283966239');
	});
	test('a 64-hex value is taken as already hashed', () => {
		const h = sha('mary@example.com');
		for (const key of META_KEYS.filter((k) => !UNHASHED_KEYS.includes(k))) {
			expect(hashIdentifier(key, h)).toBe(h);
			expect(hashIdentifier(key, h.toUpperCase())).toBe(h);
			expect(normalizeIdentifier(key, ` ${h} `)).toBe(h);
		}
	});
	test('an empty value is never the hash of an empty string', () => {
		expect(hashIdentifier('EMAIL', '')).toBe('');
		expect(hashIdentifier('EMAIL', 'not valid')).toBe('');
	});
	test('isSha256Hex', () => {
		expect(isSha256Hex(sha('x'))).toBe(true);
		expect(isSha256Hex(sha('x').toUpperCase())).toBe(false);
		expect(isSha256Hex('')).toBe(false);
	});
	test('an unknown key is refused, not guessed', () => {
		expect(normalizeWithReason('NAME' as MetaKey, 'x')).toEqual({ value: '', reason: 'unknown key' });
		expect(hashIdentifier('NAME' as MetaKey, sha('x'))).toBe('');
	});
});

describe('buildMetaRow', () => {
	const schema: MetaKey[] = ['EXTERN_ID', 'EMAIL', 'PHONE', 'FN', 'FI', 'COUNTRY'];

	test('hashes per key, derives FI from FN, uses the item COUNTRY for the phone', () => {
		const { row, invalid, hasMatchKey } = buildMetaRow(
			schema,
			{ EXTERN_ID: 1042, EMAIL: 'Mary@Example.com', PHONE: '0470 12 34 56', FN: 'Élodie', COUNTRY: 'Belgique' },
			{ defaultCountry: 'FR' },
		);
		expect(row).toEqual(['1042', sha('mary@example.com'), sha('32470123456'), sha('élodie'), sha('é'), sha('be')]);
		expect(invalid).toEqual({});
		expect(hasMatchKey).toBe(true);
	});

	test('options.country wins over the item COUNTRY; defaultCountry applies when neither', () => {
		expect(buildMetaRow(['PHONE'], { PHONE: '06 12 34 56 78', COUNTRY: 'BE' }, { country: 'FR' }).row).toEqual([sha('33612345678')]);
		expect(buildMetaRow(['PHONE'], { PHONE: '06 12 34 56 78' }, { defaultCountry: 'FR' }).row).toEqual([sha('33612345678')]);
	});

	test('an explicit FI is used as given', () => {
		expect(buildMetaRow(['FI'], { FI: 'K', FN: 'Mary' }, {}).row).toEqual([sha('k')]);
	});

	test('invalid values are reported and sent as empty', () => {
		const result = buildMetaRow(schema, { EXTERN_ID: '7', EMAIL: 'nope', PHONE: '0470 12 34 56', FN: '42' }, {});
		expect(result.row).toEqual(['7', '', '', '', '', '']);
		expect(result.invalid).toEqual({ EMAIL: 'not an e-mail address', PHONE: 'no country code', FN: 'no letters', FI: 'no letters' });
		expect(result.hasMatchKey).toBe(false);
	});

	test('EXTERN_ID alone is not a match key', () => {
		expect(buildMetaRow(['EXTERN_ID', 'EMAIL'], { EXTERN_ID: '1' }, {}).hasMatchKey).toBe(false);
		expect(buildMetaRow(['EXTERN_ID', 'MADID'], { MADID: '9774d56d682e549c' }, {}).hasMatchKey).toBe(true);
	});

	test('one value per schema key, whatever the input', () => {
		for (const values of [{}, null, 'x', [1, 2]] as unknown[]) {
			const result = buildMetaRow([...META_KEYS], values as Record<string, unknown>, undefined as unknown as NormalizeOptions);
			expect(result.row).toHaveLength(META_KEYS.length);
			expect(result.row.every((v) => v === '')).toBe(true);
			expect(result.hasMatchKey).toBe(false);
		}
	});
});

describe('rowFingerprint', () => {
	test('unsigned 32-bit from the first 4 bytes of sha256(row joined by U+001F)', () => {
		const row = ['1042', sha('mary@example.com'), ''];
		const expected = createHash('sha256').update(row.join('\u001f')).digest().readUInt32BE(0);
		expect(rowFingerprint(row)).toBe(expected);
		expect(Number.isInteger(expected) && expected >= 0 && expected < 2 ** 32).toBe(true);
	});
	test('changes when a value changes or moves', () => {
		expect(rowFingerprint(['a', 'b'])).not.toBe(rowFingerprint(['a', 'c']));
		expect(rowFingerprint(['a', 'b'])).not.toBe(rowFingerprint(['b', 'a']));
		expect(rowFingerprint(['ab', ''])).not.toBe(rowFingerprint(['a', 'b']));
		expect(rowFingerprint(['a', 'b'])).toBe(rowFingerprint(['a', 'b']));
	});
});

// Issue 9, "match quality": numbers written with their country code but without '+'/'00',
// numbering-plan ranges Meta does not check, advertising ids lowercased as written.
describe('match quality', () => {
	describe('a country code without + or 00 is read as international when the number cannot be national', () => {
		check([
			['PHONE', '33612345678', '33612345678', { defaultCountry: 'BE' }],
			['PHONE', '33 6 12 34 56 78', '33612345678', { country: 'BE' }],
			['PHONE', '4915112345678', '4915112345678', { defaultCountry: 'FR' }],
			['PHONE', '31612345678', '31612345678', { country: 'US' }],
			['PHONE', '447911123456', '447911123456', { defaultCountry: 'NL' }],
		]);
	});
	describe('…and when no country is known', () => {
		check([
			['PHONE', '32470123456', '32470123456'],
			['PHONE', '32 470 12 34 56', '32470123456'],
			['PHONE', '447911123456', '447911123456'],
			['PHONE', '15559876543', '15559876543'],
			['PHONE', 33612345678, '33612345678'],
		]);
		checkInvalid([
			['PHONE', '0470 12 34 56', 'no country code'],
			['PHONE', '5559876543', 'no country code'],
			['PHONE', '12345678', 'no country code'],
		]);
	});
	describe('a number that fits the country stays national', () => {
		check([
			['PHONE', '470123456', '32470123456', { country: 'BE' }],
			['PHONE', '612345678', '33612345678', { defaultCountry: 'FR' }],
			['PHONE', '0612345678', '33612345678', { defaultCountry: 'FR' }],
			['PHONE', '392 123 4567', '393921234567', { country: 'IT' }],
		]);
	});
	describe('numbering-plan ranges Meta does not check are not refused', () => {
		check([
			['PHONE', '(012) 987-6543', '10129876543', { country: 'US' }],
			['PHONE', '+1 212 055 1234', '12120551234'],
			['PHONE', '+1 112 555 1234', '11125551234'],
			['PHONE', '+32 12 34 56 78 90', '321234567890'],
			['PHONE', '+33 1 23 45 67 8', '3312345678'],
		]);
	});
	describe('advertising ids are sent lowercased as written', () => {
		check([
			['MADID', 'AEBE52E7-03EE-455A-B3C4-E57283966239', 'aebe52e7-03ee-455a-b3c4-e57283966239'],
			['MADID', 'AEBE52E703EE455AB3C4E57283966239', 'aebe52e703ee455ab3c4e57283966239'],
			['MADID', 'Roku-7F3A9C1E-0B2D-4E5F', 'roku-7f3a9c1e-0b2d-4e5f'],
			['MADID', 'amzn1_ABCD1234efgh', 'amzn1_abcd1234efgh'],
		]);
		checkInvalid([
			['MADID', 'jane@example.com', 'not an advertising ID'],
			['MADID', '+32 470 12 34 56', 'not an advertising ID'],
			['MADID', 'not-an-id', 'not an advertising ID'],
		]);
		test('MADID is never hashed', () => {
			expect(hashIdentifier('MADID', 'AEBE52E703EE455AB3C4E57283966239')).toBe('aebe52e703ee455ab3c4e57283966239');
		});
	});
	describe('EXTERN_ID never carries an e-mail or a phone', () => {
		checkInvalid([
			['EXTERN_ID', 'jane.doe@example.com', 'looks like an e-mail address'],
			['EXTERN_ID', '+32 470 12 34 56', 'looks like a phone number'],
			['EXTERN_ID', '0470123456', 'looks like a phone number'],
			['EXTERN_ID', '0032470123456', 'looks like a phone number'],
		]);
		check([
			['EXTERN_ID', '1042', '1042'],
			['EXTERN_ID', '32470123456', '32470123456'],
			['EXTERN_ID', 'CRM-00017', 'CRM-00017'],
		]);
	});
});
