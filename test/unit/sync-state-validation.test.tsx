// Stored-state validation, the watermark's moments, the guard's arithmetic and the status page's
// estimate cache: the pure parts of issue 10's state and surface findings.
import { buildLinkConfig } from '../../core/link/config';
import { cachedEstimate, clearEstimateCache } from '../../core/state/estimateCache';
import { encodeMembers } from '../../core/state/memberCodec';
import { emptyState, readState, stateKey, SyncStateError, validateState } from '../../core/state/syncState';
import { tripsGuard } from '../../core/sync/run';
import { classifySessions, newSessionId } from '../../core/sync/sessions';
import { decideProfile, parseMoment } from '../../core/sync/wanted';

const ref = { entity: 'acme', table: 'Customers', segmentation: 'Audiences:VIP' };
const link = 'actito:acme/Customers/seg:Audiences:VIP→meta:2385';
const NOW = Date.parse('2026-12-01T10:00:00Z');

function good() {
	const s = emptyState(ref, '2385');
	s.members = encodeMembers(new Map([[1, 5], [2, 6]]));
	s.memberCount = 2;
	s.watermark = '2026-12-01T09:00:00.000Z';
	return s as unknown as Record<string, unknown>;
}

describe('validateState', () => {
	it('accepts a sound state', () => {
		expect(validateState(good(), link, NOW).problems).toEqual([]);
	});
	it.each([
		['members ""', { members: '' }, /member count says 2 but its member list holds 0/],
		['members as a number', { members: 42 }, /member list is number/],
		['members as an object', { members: {} }, /member list is object/],
		['version "1"', { version: '1' }, /"1" \(string\), not the number 1/],
		['version 2', { version: 2 }, /version 2/],
		['runs as text', { runs: 'x' }, /run history is string/],
		['runs as an object', { runs: {} }, /run history is object/],
		['runs [null]', { runs: [null] }, /run 0 of its history is not an object/],
		['a watermark in 2099', { watermark: '2099-01-01T00:00:00Z' }, /lies in the future/],
		['a garbage watermark', { watermark: 'yesterday' }, /watermark is not a date/],
		['a negative member count', { memberCount: -1 }, /member count is not a whole number/],
		['a foreign link', { link: 'actito:x' }, /names the link/],
		['bad refusals', { pendingRefusals: [{ profileId: 'jane@example.com', reason: 'x' }] }, /refusals to log/],
	])('refuses %s, naming it', (_label, patch, expected) => {
		const bucket = { [stateKey(link)]: { ...good(), ...patch } };
		const before = JSON.stringify(bucket);
		expect(() => readState(bucket, link, NOW)).toThrow(SyncStateError);
		expect(() => readState(bucket, link, NOW)).toThrow(expected);
		expect(() => readState(bucket, link, NOW)).toThrow(/deleting the key/);
		// Never reset silently.
		expect(JSON.stringify(bucket)).toBe(before);
	});
	it('never echoes a stored identifier in its message', () => {
		const bucket = { [stateKey(link)]: { ...good(), pendingRefusals: [{ profileId: 'jane@example.com', reason: 'x' }] } };
		expect(() => readState(bucket, link, NOW)).not.toThrow(/jane/);
	});
});

describe('watermark moments', () => {
	it('parses dates, refuses non-dates and bounds the future', () => {
		expect(parseMoment('2026-12-01T09:59:00Z', NOW)).toEqual({ ms: Date.parse('2026-12-01T09:59:00Z') });
		expect(parseMoment('2099-01-01T00:00:00Z', NOW)).toEqual({ bad: 'in_the_future' });
		expect(parseMoment('not a date', NOW)).toEqual({ bad: 'not_a_date' });
		expect(parseMoment('2026-13-45T99:00:00Z', NOW)).toEqual({ bad: 'not_a_date' });
		expect(parseMoment(1234, NOW)).toEqual({ bad: 'not_a_date' });
		expect(parseMoment(null, NOW)).toBeNull();
	});
});

describe('the mass-removal guard', () => {
	const config = buildLinkConfig({ actito: { entity: 'a', table: 't', segmentation: 'A:B' }, meta: { adAccountId: '1', audienceId: '2' } });
	it('trips above the share once the minimum is reached', () => {
		expect(tripsGuard(201, 1000, config)).toBe(true);
		expect(tripsGuard(200, 1000, config)).toBe(false);
		expect(tripsGuard(199, 199, config)).toBe(false);
		expect(tripsGuard(1000, 1000, config)).toBe(true);
	});
});

describe('the one rule', () => {
	const config = buildLinkConfig({ actito: { entity: 'a', table: 't', attribute: 'tier', value: 'gold' }, meta: { adAccountId: '1', audienceId: '2' }, defaultCountry: 'BE', consent: { unknown: 'block' } });
	const profile = (attrs: Record<string, unknown>) => ({ profileId: '7', attributes: Object.entries(attrs).map(([name, value]) => ({ name, value })) });
	it('gives wanted, why not, a hashed row and a fingerprint', () => {
		const yes = decideProfile(profile({ tier: 'gold', marketingConsent: true, gsmNumber: '0470 12 34 56' }), config);
		expect(yes).toMatchObject({ wanted: true, whyNot: null, isMember: true });
		expect(yes.row![0]).toBe('7');
		expect(yes.row![2]).toMatch(/^[0-9a-f]{64}$/);
		expect(typeof yes.fingerprint).toBe('number');
		expect(decideProfile(profile({ tier: 'silver', marketingConsent: true }), config).whyNot).toBe('not_member');
		expect(decideProfile(profile({ tier: 'gold' }), config).whyNot).toBe('consent_unknown');
		expect(decideProfile(profile({ tier: 'gold', marketingConsent: false }), config).whyNot).toBe('consent_negative');
		expect(decideProfile(profile({ tier: 'gold', marketingConsent: true, emailAddress: 'nope' }), config).whyNot).toBe('no_valid_identifier');
		expect(decideProfile(null, config, '7').whyNot).toBe('deleted');
	});
});

describe('session classes', () => {
	it('item sessions are not unknown; hourly and foreign ones are', () => {
		const state = emptyState(ref, '2385');
		state.runs.push({ startedAt: '2026-12-01T09:00:00Z', finishedAt: null, status: 'success', mode: 'full', planned: { add: 0, remove: 0 }, added: 0, removed: 0, unchanged: 0, invalid: 0, blockedForConsent: 0, deferred: 0, sessions: [] });
		const t = Date.parse('2026-12-01T09:30:00Z') / 1000;
		const items = String(newSessionId('items'));
		const hourly = String(newSessionId('hourly'));
		const out = classifySessions(state, [
			{ session_id: items, start_time: t },
			{ session_id: hourly, start_time: t },
			{ session_id: '7306312345', start_time: t },
		]);
		expect(out.items).toEqual([items]);
		expect(out.unknown.sort()).toEqual([hourly, '7306312345'].sort());
	});
});

describe('the status estimate cache', () => {
	it('makes at most one call per audience per TTL, whatever the hits, failures included', async () => {
		clearEstimateCache();
		let calls = 0;
		let now = 0;
		const load = async () => {
			calls++;
			throw Object.assign(new Error('raw body {"secret":"x"}'), { kind: 'auth', code: 190 });
		};
		const answers = await Promise.all(Array.from({ length: 50 }, () => cachedEstimate('a1', load, { now: () => now })));
		expect(calls).toBe(1);
		expect(answers[0]).toEqual({ error: 'Meta could not be asked for the estimated size', kind: 'auth', code: 190 });
		expect(JSON.stringify(answers[0])).not.toContain('secret');
		now = 61_000;
		await cachedEstimate('a1', load, { now: () => now });
		expect(calls).toBe(2);
	});
});
