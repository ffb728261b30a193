import { consentVerdict, parseConsent, sendableAction } from '../../core/sync/consent';

describe('the consent rule (core/sync/consent)', () => {
	it.each([
		[true, true], ['true', true], [' Yes ', true], [1, true], ['oui', true],
		[false, false], ['false', false], ['NO', false], [0, false], ['unsubscribed', false],
		[null, null], [undefined, null], ['', null], ['maybe', null], [2, null], [{}, null], [['false'], null],
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
