import { consentVerdict, parseConsent, sendableAction } from '../../core/sync/consent';

describe('the consent rule (core/sync/consent)', () => {
	it.each([
		[true, true], ['true', true], [' Yes ', true], [1, true], ['oui', true],
		[false, false], ['false', false], ['NO', false], [0, false], ['unsubscribed', false],
		[null, null], [undefined, null], ['', null], ['maybe', null], [2, null], [{}, null], [['false'], false],
	])('parseConsent(%p) is %p', (value, expected) => {
		expect(parseConsent(value)).toBe(expected);
	});

	it('a negative consent always blocks; an unknown one follows the policy', () => {
		expect(consentVerdict('false', 'allow')).toBe('blocked_negative');
		expect(consentVerdict(null, 'allow')).toBe('allowed');
		expect(consentVerdict(null, 'block')).toBe('blocked_unknown');
		expect(consentVerdict(true, 'block')).toBe('allowed');
	});

	it('an add of a profile that refused marketing is never sent as an add', () => {
		expect(sendableAction('add', false)).toBe('remove');
		expect(sendableAction('add', 'no')).toBe('remove');
		expect(sendableAction('add', null)).toBe('add');
		expect(sendableAction('add', true)).toBe('add');
		expect(sendableAction('remove', false)).toBe('remove');
	});
});

// Issue 10: negative consent in other words must read as negative; a value that is neither
// clearly yes nor clearly no is unknown, never yes.
export const NEGATIVE_FORMS: unknown[] = [
	false, 0, -1, '-1', 'false', 'FALSE', 'False ', 'no', 'No', 'N', 'n', 'off', 'f', '0', ' 0 ',
	'opt_out', 'opt-out', 'Opt Out', 'optout', 'OPTED_OUT', 'opted-out', 'unsubscribed', 'Unsubscribed', 'denied',
	'declined', 'refused', 'revoked', 'withdrawn', 'rejected', 'disagree', 'not allowed', 'do not contact', 'Not subscribed',
	// Dutch / Flemish
	'nee', 'Neen', 'afgemeld', 'uitgeschreven', 'geweigerd', 'ingetrokken', 'niet akkoord',
	// French
	'non', 'Non.', 'refusé', 'Refusée', 'désabonné', 'désinscrit', 'retiré', 'révoqué', "pas d'accord",
	// German
	'nein', 'Nein!', 'abgemeldet', 'abgelehnt', 'widerrufen', 'abbestellt',
	// Nordic
	'nej', 'Nej', 'nei', 'ei', 'avregistrerad', 'avmeldt', 'afmeldt', 'avslått', 'afvist', 'tilbagekaldt', 'återkallad',
	// Portuguese, Spanish, Italian
	'não', 'NÃO', 'nao', 'recusado', 'revogado', 'cancelado', 'descadastrado', 'rechazado', 'revocado', 'dado de baja',
	'rifiutato', 'revocato', 'disiscritto', 'negato',
	// Shapes
	[false], ['no'], [0], { value: false }, { value: 'no' }, { subscribe: false }, { status: 'opted_out' }, { value: { value: false } },
	new Boolean(false), 0n, -1n, [true, false, 'x'], '[false]', '"false"', "'no'",
	// Invisible characters, case, accents
	'false\u200b', '\u200bfalse', '\ufefffalse', 'fal\u00adse', 'no\u200d', 'NO\u2060', '\u202efalse', 'f\u0061lse', 'FaLsE', 'ＮＯ', 'ｆａｌｓｅ',
	'nao\u0303', 'ne\u0301e'.normalize('NFD'),
];

export const POSITIVE_FORMS: unknown[] = [
	true, 1, '1', 'true', 'TRUE', 'yes', 'Y', 'on', 't', 'opt_in', 'opt-in', 'Opted In', 'subscribed', 'granted', 'accepted',
	'oui', 'Oui', 'accepté', 'abonné', 'ja', 'Ja', 'akkoord', 'aangemeld', 'angemeldet', 'zugestimmt', 'jo', 'kyllä', 'godkänd',
	'sim', 'sí', 'si', 'sì', 'aceito', 'aceptado', 'suscrito', 'iscritto', 'accettato', [true], { value: true }, new Boolean(true),
	'true\u200b', 'ＹＥＳ',
];

export const UNKNOWN_FORMS: unknown[] = [
	null, undefined, '', ' ', 'maybe', 'unknown', 'n/a', 'pending', 'null', 2, 0.5, Number.NaN, Infinity, {}, [], [null], [true, 'x'],
	{ other: true }, 'yes no', 'truely', 'nope?', 'yess', 'on hold', 'ja nee', new Date(0), () => true, Symbol('yes'),
	'x'.repeat(10_000), 'consent', 'active', { value: 'maybe' }, [[[[true]]]], '2', '10', 'true false', '1 0', { get value() { throw new Error('boom'); } },
	new Proxy({}, { get() { throw new Error('trap'); }, has() { throw new Error('trap'); } }),
];

describe('consent vocabulary (issue 10)', () => {
	it.each(NEGATIVE_FORMS.map((v) => [typeof v === 'string' ? JSON.stringify(v) : String(v), v]))('%s is negative', (_label, value) => {
		expect(parseConsent(value)).toBe(false);
		expect(consentVerdict(value, 'allow')).toBe('blocked_negative');
		expect(sendableAction('add', value)).toBe('remove');
	});

	it.each(POSITIVE_FORMS.map((v) => [typeof v === 'string' ? JSON.stringify(v) : String(v), v]))('%s is positive', (_label, value) => {
		expect(parseConsent(value)).toBe(true);
	});

	it.each(UNKNOWN_FORMS.map((v, i) => [`#${i} ${typeof v === 'string' ? JSON.stringify(v.slice(0, 20)) : typeof v}`, v]))(
		'%s is unknown, never yes',
		(_label, value) => {
			expect(parseConsent(value)).toBeNull();
			expect(consentVerdict(value, 'block')).toBe('blocked_unknown');
		},
	);

	it('counts: at least 100 negative forms, none of them read as yes or unknown', () => {
		expect(NEGATIVE_FORMS.length).toBeGreaterThanOrEqual(100);
		expect(NEGATIVE_FORMS.filter((v) => parseConsent(v) !== false)).toEqual([]);
		expect(UNKNOWN_FORMS.filter((v) => parseConsent(v) === true)).toEqual([]);
	});
});
