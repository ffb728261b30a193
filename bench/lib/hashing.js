'use strict';
// Benchmark 1: normalize + hash of realistic identifiers with the core, against bare SHA-256
// of the same strings already normalized (crypto.createHash, and Node's one-shot crypto.hash).
const crypto = require('node:crypto');
const { generateProfiles } = require('../../sandbox/seed');
const core = require('./core');
const { log, bestOf } = require('./util');

const DEFAULT_COUNTRY = 'BE';

/** `count` raw identifiers as a marketing database holds them: e-mails, phones, first and last names. */
function realisticIdentifiers(count, seed = 11) {
	const profiles = generateProfiles({ profiles: Math.ceil(count / 3.4) + 10, seed, segmentations: [] });
	const keys = [];
	const values = [];
	const countries = [];
	const mix = { EMAIL: 0, PHONE: 0, FN: 0, LN: 0 };
	outer: for (;;) {
		for (const p of profiles) {
			const a = p.attributes;
			const country = typeof a.country === 'string' ? a.country : undefined;
			for (const [key, value] of [['EMAIL', a.emailAddress], ['PHONE', a.gsmNumber], ['FN', a.firstName], ['LN', a.lastName]]) {
				if (value === undefined) continue;
				keys.push(key);
				values.push(value);
				countries.push(country);
				mix[key]++;
				if (values.length >= count) break outer;
			}
		}
	}
	return { keys, values, countries, mix };
}

function runHashing({ count, rounds = 3 }) {
	log(`hashing: generating ${count.toLocaleString('en')} identifiers`);
	const { keys, values, countries, mix } = realisticIdentifiers(count);
	const options = values.map((_, i) => ({ country: countries[i], defaultCountry: DEFAULT_COUNTRY }));
	// The baselines hash the very strings the core hashes: normalized, non-empty, not already a hash.
	const normalized = [];
	let invalid = 0;
	for (let i = 0; i < values.length; i++) {
		const n = core.normalizeIdentifier(keys[i], values[i], options[i]);
		if (n === '') invalid++;
		else normalized.push(n);
	}
	let sink = 0;
	const coreRun = () => {
		for (let i = 0; i < values.length; i++) sink += core.hashIdentifier(keys[i], values[i], options[i]).length;
	};
	const createHashRun = () => {
		for (let i = 0; i < normalized.length; i++) sink += crypto.createHash('sha256').update(normalized[i]).digest('hex').length;
	};
	const hasOneShot = typeof crypto.hash === 'function';
	const oneShotRun = () => {
		for (let i = 0; i < normalized.length; i++) sink += crypto.hash('sha256', normalized[i], 'hex').length;
	};
	// Warm-up on a slice, then interleaved rounds; the best round of each counts.
	const times = { core: [], createHash: [], oneShot: [] };
	for (let r = 0; r < rounds; r++) {
		log(`hashing: round ${r + 1}/${rounds}`);
		times.core.push(timed(coreRun));
		times.createHash.push(timed(createHashRun));
		if (hasOneShot) times.oneShot.push(timed(oneShotRun));
	}
	if (sink === 0) throw new Error('nothing hashed');
	const best = {
		core: bestOf(times.core),
		createHash: bestOf(times.createHash),
		oneShot: hasOneShot ? bestOf(times.oneShot) : null,
	};
	return {
		count: values.length,
		hashedCount: normalized.length,
		invalid,
		mix,
		rounds,
		ms: best,
		allMs: times,
		throughput: {
			core: values.length / (best.core / 1000),
			createHash: values.length / (best.createHash / 1000),
			oneShot: best.oneShot ? values.length / (best.oneShot / 1000) : null,
		},
		ratio: {
			createHash: best.createHash / best.core,
			oneShot: best.oneShot ? best.oneShot / best.core : null,
		},
	};
}

function timed(fn) {
	// Each path starts from a collected heap, so none pays for another's garbage.
	if (typeof global.gc === 'function') global.gc();
	const start = process.hrtime.bigint();
	fn();
	return Number(process.hrtime.bigint() - start) / 1e6;
}

module.exports = { runHashing, realisticIdentifiers };
