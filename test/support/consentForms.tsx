// Consent values in the forms CRM exports and hostile inputs write them (issue 10), shared by
// the consent unit tests and the hostile-input sweep.

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

