import { emptyState, type LinkState } from '../../core/state/syncState';
import { findUnknownSessions } from '../../core/sync/recovery';

function stateWithRuns(runs: Array<{ startedAt: string; sessions: string[] }>): LinkState {
	const state = emptyState({ entity: 'acme', table: 'Customers', segmentation: 'Audiences:VIP' }, '2385');
	for (const r of runs) {
		state.runs.push({
			startedAt: r.startedAt,
			finishedAt: r.startedAt,
			status: 'success',
			mode: 'incremental',
			planned: { add: 0, remove: 0 },
			added: 0,
			removed: 0,
			unchanged: 0,
			invalid: 0,
			blockedForConsent: 0,
			deferred: 0,
			sessions: r.sessions,
		});
	}
	return state;
}

const at = (iso: string) => Math.floor(Date.parse(iso) / 1000);

describe('findUnknownSessions', () => {
	const state = stateWithRuns([
		{ startedAt: '2026-11-29T10:00:00Z', sessions: ['11', '12'] },
		{ startedAt: '2026-11-29T11:00:00Z', sessions: ['21'] },
	]);

	it('reports sessions Meta lists that no stored run recorded', () => {
		const sessions = [
			{ session_id: '11', start_time: at('2026-11-29T10:00:05Z') },
			{ session_id: '21', start_time: at('2026-11-29T11:00:05Z') },
			{ session_id: '31', start_time: at('2026-11-29T11:30:00Z') },
		];
		expect(findUnknownSessions(state, sessions)).toEqual(['31']);
	});

	it('ignores sessions older than the stored history (they fell out of the last runs)', () => {
		expect(findUnknownSessions(state, [{ session_id: '1', start_time: at('2026-11-28T09:00:00Z') }])).toEqual([]);
	});

	it('has nothing to compare on a first run', () => {
		expect(findUnknownSessions(stateWithRuns([]), [{ session_id: '9', start_time: at('2026-11-29T11:30:00Z') }])).toEqual([]);
	});

	it('accepts numeric session ids as Meta sends them', () => {
		expect(findUnknownSessions(state, [{ session_id: 21, start_time: at('2026-11-29T11:00:05Z') }])).toEqual([]);
	});
});
