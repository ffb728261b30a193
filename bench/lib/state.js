'use strict';
// Benchmark 2: the sync state as n8n stores it (JSON of the workflow's static data): bytes per
// member and encode + decode time, with Actito-like ids (increasing, with gaps).
const core = require('./core');
const { log, bestOf, createRandom } = require('./util');

/**
 * `count` member ids as a segment of an Actito table holds them: ids grow from 1001, the
 * segment takes about 4 profiles in 5, and now and then a range of ids is missing.
 */
function realisticMembers(count, seed = 5) {
	const random = createRandom(seed);
	const members = new Map();
	let id = 1000;
	while (members.size < count) {
		id++;
		// About one profile in five in between is not a member (geometric gaps)…
		while (random() < 0.2) id++;
		// …and one time in 10,000 a range of up to 5,000 ids is missing (deleted, other tables' imports).
		if (random() < 0.0001) id += Math.floor(random() * 5000);
		members.set(id, (random() * 4294967296) >>> 0);
	}
	return members;
}

function stateWith(members) {
	const open = core.openState({}, { entity: 'acme', table: 'Customers', segmentation: 'Audiences:VIP' }, '23851234567890123');
	// As a run holds them: the decoded member table (core/state/memberTable.ts).
	open.members = core.MemberTable.from(members);
	const t = Date.UTC(2026, 10, 29, 10, 0, 0);
	// A full history of 20 runs, as a state that has been running for a day holds.
	for (let i = 0; i < 20; i++) {
		open.state.runs.push({
			startedAt: new Date(t + i * 3600_000).toISOString(),
			finishedAt: new Date(t + i * 3600_000 + 4000).toISOString(),
			status: 'success',
			mode: i === 0 ? 'full' : 'incremental',
			planned: { add: 120, remove: 80 },
			added: 120,
			removed: 80,
			unchanged: 0,
			invalid: 3,
			blockedForConsent: 12,
			deferred: 0,
			sessions: ['4503599627370496', '4503599627370497'],
		});
	}
	open.state.watermark = new Date(t).toISOString();
	open.state.lastFullReconcileAt = open.state.watermark;
	open.state.syncedAt = open.state.watermark;
	open.state.schema = ['EXTERN_ID', 'EMAIL', 'PHONE'];
	return open;
}

function runState({ sizes, rounds = 3 }) {
	const results = [];
	for (const size of sizes) {
		log(`state: ${size.toLocaleString('en')} members`);
		const members = realisticMembers(size);
		const open = stateWith(members);
		const link = open.state.link;
		let json = '';
		let decodedSize = 0;
		const encodeMs = [];
		const decodeMs = [];
		for (let r = 0; r < rounds; r++) {
			// Encode: what the Sync step does at the end of a run, then n8n's JSON.stringify of the static data.
			let t0 = process.hrtime.bigint();
			const bucket = {};
			core.writeState(bucket, open);
			json = JSON.stringify({ global: bucket });
			encodeMs.push(Number(process.hrtime.bigint() - t0) / 1e6);
			// Decode: n8n's JSON.parse of the static data, then reading the link state.
			t0 = process.hrtime.bigint();
			const parsed = JSON.parse(json);
			const back = core.readState(parsed.global, link);
			decodeMs.push(Number(process.hrtime.bigint() - t0) / 1e6);
			decodedSize = back.members.size;
		}
		// Round trip must be exact.
		const check = core.readState(JSON.parse(json).global, link).members;
		let same = check.size === members.size;
		if (same) for (const [id, fp] of members) if (check.get(id) !== fp) { same = false; break; }
		const bytes = Buffer.byteLength(json);
		const membersBytes = open.state.members.length;
		const encode = bestOf(encodeMs);
		const decode = bestOf(decodeMs);
		const ids = [...members.keys()];
		results.push({
			members: size,
			firstId: ids[0],
			lastId: ids[ids.length - 1],
			bytes,
			bytesPerMember: bytes / size,
			membersFieldBytes: membersBytes,
			encodeMs: encode,
			decodeMs: decode,
			totalMs: encode + decode,
			roundTrip: same && decodedSize === size,
		});
	}
	return results;
}

module.exports = { runState, realisticMembers };
