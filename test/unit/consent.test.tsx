import { consentVerdict, parseConsent, sendableAction } from '../../core/sync/consent';
import { NEGATIVE_FORMS, POSITIVE_FORMS, UNKNOWN_FORMS } from '../support/consentForms';

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
