'use strict';

const started = Date.now();

function log(message) {
	const s = ((Date.now() - started) / 1000).toFixed(1).padStart(7);
	process.stderr.write(`[bench ${s}s] ${message}\n`);
}

function bestOf(list) {
	return Math.min(...list);
}

function median(list) {
	const sorted = [...list].sort((a, b) => a - b);
	return sorted[Math.floor(sorted.length / 2)];
}

/** mulberry32, for reproducible choices. */
function createRandom(seed) {
	let a = seed >>> 0 || 0x9e3779b9;
	return () => {
		a = (a + 0x6d2b79f5) >>> 0;
		let t = a;
		t = Math.imul(t ^ (t >>> 15), t | 1);
		t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
		return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
	};
}

function peakRssBytes() {
	// The kernel's high-water mark of this process (KiB on Linux).
	return process.resourceUsage().maxRSS * 1024;
}

module.exports = { log, bestOf, median, createRandom, peakRssBytes };
