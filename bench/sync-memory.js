#!/usr/bin/env node
'use strict';
// Where the memory of one streaming first sync goes: core runSync in this process against the
// sandboxes (in a process of their own, licence raised), heap and RSS every 200 pages, then the
// heap after a collection and the size of a Map and a Set of the same sizes as the run's state
// (`open.members`) and its `seen` ids. A diagnosis tool, not part of BENCHMARKS.md:
//   npm run build && node --expose-gc --max-old-space-size=8192 bench/sync-memory.js [members]
const core = require('./lib/core');
const { createTransport, sleep } = require('./lib/transport');
const { startSandboxProcess } = require('./lib/sandboxProcess');
const scenario = require('../scripts/lib/scenario');
const members = Number(process.argv[2] || 1_000_000);
const mib = (b) => (b / 2 ** 20).toFixed(0);
(async () => {
	const sb = await startSandboxProcess();
	try {
		const { audienceId } = await scenario.seedScenario(sb, { profiles: Math.round(members * 1.25), members, seed: 42 });
		await scenario.control(sb.actito.url, 'POST', 'config', { callsPerMinute: 10_000_000 });
		global.gc();
		const base = process.memoryUsage();
		console.log(`base rss ${mib(base.rss)} heapUsed ${mib(base.heapUsed)}`);
		const transport = createTransport();
		const client = new core.ActitoClient({ credentials: { apiKey: 'sandbox-actito-key', baseUrl: sb.actito.url, entity: 'acme' }, transport, sleep, callsPerMinute: 100000 });
		const meta = new core.MetaClient({ credentials: { accessToken: 'sandbox-meta-token', apiVersion: 'v26.0', baseUrl: sb.meta.url }, transport, sleep });
		const config = core.buildLinkConfig({
			actito: { entity: 'acme', table: 'Customers', segmentation: scenario.SEGMENTATION },
			meta: { adAccountId: scenario.AD_ACCOUNT, audienceId },
			defaultCountry: 'BE',
			limits: { callsPerMinute: 100 },
		});
		let peakRss = 0, peakHeap = 0;
		const t0 = Date.now();
		const timer = setInterval(() => {
			const m = process.memoryUsage();
			peakRss = Math.max(peakRss, m.rss); peakHeap = Math.max(peakHeap, m.heapUsed);
		}, 50);
		const api = new core.ActitoApi(client);
		const orig = api.iterateProfilePages.bind(api);
		let pages = 0;
		api.iterateProfilePages = async function* (...a) {
			for await (const p of orig(...a)) {
				pages++;
				if (pages % 200 === 0) { const m = process.memoryUsage(); console.log(`page ${pages}: rss ${mib(m.rss)} heapUsed ${mib(m.heapUsed)} heapTotal ${mib(m.heapTotal)} external ${mib(m.external)} arrayBuffers ${mib(m.arrayBuffers)}`); }
				yield p;
			}
		};
		const bucket = {};
		const out = await core.runSync({ config, actito: api, meta, bucket });
		clearInterval(timer);
		const end = process.memoryUsage();
		console.log(`run ${out.details.status} in ${Date.now() - t0} ms, members ${out.details.memberCount}; at end rss ${mib(end.rss)} heapUsed ${mib(end.heapUsed)}; peak rss ${mib(peakRss)} heapUsed ${mib(peakHeap)}`);
		const json = JSON.stringify(bucket);
		console.log(`static data ${json.length} bytes`);
		global.gc();
		const kept = process.memoryUsage();
		console.log(`after gc, result kept: rss ${mib(kept.rss)} heapUsed ${mib(kept.heapUsed)}`);
		// The same-size structures alone: a Map id -> 32-bit fingerprint and a Set of ids.
		global.gc();
		const h0 = process.memoryUsage().heapUsed;
		const map = new Map();
		for (let i = 0; i < out.details.memberCount; i++) map.set(1001 + i * 1.5 | 0, (Math.random() * 2 ** 32) >>> 0);
		global.gc();
		const h1 = process.memoryUsage().heapUsed;
		const set = new Set();
		for (let i = 0; i < members; i++) set.add(1001 + i * 1.2 | 0);
		global.gc();
		const h2 = process.memoryUsage().heapUsed;
		console.log(`Map of ${map.size} id->fingerprint: ${mib(h1 - h0)} MiB; Set of ${set.size} ids: ${mib(h2 - h1)} MiB`);
	} finally {
		await sb.close();
	}
})().catch((e) => { console.error(e); process.exit(1); });
