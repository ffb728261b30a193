#!/usr/bin/env node
'use strict';
// The demo: a real n8n (installed once into a cache folder) runs the bundled hourly template
// against the local sandboxes, twice, with changes in Actito in between, and prints what a
// person would look at. `npm run demo -- --keep-running` leaves n8n up with the editor URL.
//   options: --profiles N (20000)  --members N (5000)  --keep-running
const { ensureN8n, cacheRoot, DEFAULT_VERSION } = require('./ensure-n8n');
const scenario = require('./lib/scenario');
const { stopWithLauncher } = require('./lib/lifeline');

function parseArgs(argv) {
	const args = { profiles: 20000, members: 5000, keepRunning: false };
	for (let i = 0; i < argv.length; i++) {
		if (argv[i] === '--profiles') args.profiles = Number(argv[++i]);
		else if (argv[i] === '--members') args.members = Number(argv[++i]);
		else if (argv[i] === '--keep-running') args.keepRunning = true;
		else throw new Error(`unknown argument ${argv[i]}`);
	}
	if (!(args.members > 0 && args.profiles >= args.members)) throw new Error('need 0 < --members <= --profiles');
	return args;
}

const say = (text = '') => process.stdout.write(text + '\n');
const num = (n) => (typeof n === 'number' ? n.toLocaleString('en-US') : String(n ?? '—'));

function printRun(title, result) {
	say(`\n== ${title} ==`);
	const error = scenario.runError(result);
	if (error) say(`  run failed: ${error.message}${error.description ? ` — ${error.description}` : ''}`);
	const sync = scenario.nodeOutput(result, scenario.SYNC_NODE);
	if (!sync) {
		say('  the Sync step did not run');
		return;
	}
	const s = sync[0];
	say(`  status            ${s.status}   (${s.mode} read${s.replace ? ', replace' : ''}; ${num(s.pagesRead)} Actito page(s), ${num(s.profilesRead)} profiles)`);
	const sent = s.sent.add + s.sent.remove + s.sent.replace;
	say(
		sent
			? `  sent to Meta      +${num(s.sent.add + s.sent.replace)} added, -${num(s.sent.remove)} removed, in ${s.sessions.length} session(s), ${s.batches} batch(es)`
			: '  sent to Meta      nothing (no change; no upload call)',
	);
	say(`  unchanged         ${num(s.unchanged)}`);
	say(`  refused (consent) ${num(s.refusedForConsent)}   no valid identifier: ${num(s.invalid)}`);
	say(`  identifier coverage of the rows sent: ${Object.entries(s.coverage).map(([k, v]) => `${k} ${num(v)}`).join(', ')}`);
	const reasons = Object.entries(s.invalidByReason || {}).sort((a, b) => b[1] - a[1]);
	if (reasons.length) say(`  invalid values    ${reasons.slice(0, 6).map(([k, v]) => `${k} (${num(v)})`).join('; ')}`);
	for (const note of s.notes || []) say(`  note              ${note}`);
	const logged = scenario.nodeOutput(result, 'Log Negative Consent');
	if (logged) say(`  negative consent logged in Actito: ${logged.length} record(s)`);
	const size = scenario.nodeOutput(result, 'Estimated Size');
	if (size) {
		const z = size[0];
		say(`  Meta estimated size ${num(z.lowerBound)} – ${num(z.upperBound)}; delivery: ${z.deliveryStatus?.meaning ?? z.deliveryStatus?.description}${z.tooSmall ? '  ⚠ too small to deliver' : ''}`);
	}
}

async function main() {
	const args = parseArgs(process.argv.slice(2));
	const version = process.env.N8N_VERSION || DEFAULT_VERSION;
	say(`Preparing n8n ${version} (installed once into ${cacheRoot()}; the first time takes about 5 minutes)…`);
	ensureN8n({ version });
	const sandboxes = await scenario.startSandboxes();
	say(`Sandboxes: Meta ${sandboxes.meta.url}, Actito ${sandboxes.actito.url}`);
	const { audienceId } = await scenario.seedScenario(sandboxes, { profiles: args.profiles, members: args.members });
	say(`Seeded Actito table "Customers": ${num(args.profiles)} profiles, ${num(args.members)} in Audiences:VIP (mixed consent and phone formats).`);
	say(`Meta customer-list audience ${audienceId} in ad account ${scenario.AD_ACCOUNT}.`);
	const { host, workflow } = await scenario.setupN8n(sandboxes, { audienceId });
	say(`n8n user folder ${host.userFolder}; workflow "${workflow.name}" (${workflow.id}) imported.`);
	const core = require('../dist/core');
	let exitCode = 0;
	try {
		const first = await host.execute(workflow.id);
		printRun('Run 1: first sync (full read)', first.result);

		// Life goes on in Actito.
		const { profiles } = await scenario.control(sandboxes.actito.url, 'GET', 'profiles');
		const vip = profiles.filter((p) => p.segments.includes(scenario.SEGMENTATION));
		const others = profiles.filter((p) => !p.segments.includes(scenario.SEGMENTATION));
		const changes = [
			...others.slice(0, 60).map((p) => ({ profileId: p.profileId, join: [scenario.SEGMENTATION] })),
			...vip.slice(0, 40).map((p) => ({ profileId: p.profileId, leave: [scenario.SEGMENTATION] })),
			...vip.slice(40, 55).map((p) => ({ profileId: p.profileId, attributes: { marketingConsent: false } })),
			...vip.slice(55, 70).map((p) => ({ profileId: p.profileId, attributes: { emailAddress: `new.${p.profileId}@example.net` } })),
			...vip.slice(70, 80).map((p) => ({ profileId: p.profileId, attributes: { gsmNumber: '+32 470 99 ' + String(p.profileId).slice(-4) } })),
		];
		await scenario.control(sandboxes.actito.url, 'POST', 'profiles/changes', changes);
		say('\nIn Actito: 60 profiles joined, 40 left, 15 withdrew marketing consent, 15 changed e-mail, 10 changed phone.');
		await scenario.control(sandboxes.meta.url, 'POST', 'requests/clear');
		const second = await host.execute(workflow.id);
		printRun('Run 2: the next hour (incremental read)', second.result);

		const staticData = await host.readStaticData(workflow.id);
		const bucket = (staticData && staticData.global) || {};
		const link = Object.values(bucket)[0] && Object.values(bucket)[0].link;
		const status = core.describeLinkStatus(link, core.readState(bucket, link));
		const members = await scenario.metaMembers(sandboxes.meta.url, audienceId);
		const wanted = await scenario.wantedRows(sandboxes.actito.url);
		say('\n== Audience status ==');
		say(`  link              ${status.link}`);
		say(`  members at Meta   ${num(status.memberCount)} (state)   ${num(members.count ?? members.rows.length)} (Meta sandbox)   ${num(wanted.length)} wanted`);
		say(`  matched at Meta   ${num(members.matched)} (${Math.round((100 * members.matched) / Math.max(1, members.rows.length))}% match rate)`);
		say(`  activated         ${status.activatedAt}`);
		say(`  last member change ${status.lastMemberUpdateAt}`);
		say(`  synchronized on   ${status.syncedAt ?? '(pending: changes wait for the next run)'}`);
		say(`  state size        ${num(JSON.stringify(staticData).length)} bytes for ${num(status.memberCount)} members`);
		say('  last runs:');
		for (const r of status.lastRuns) {
			say(`    ${r.startedAt}  ${String(r.status).padEnd(8)} ${String(r.mode).padEnd(11)} +${r.added} -${r.removed}  unchanged ${r.unchanged}  blocked ${r.blockedForConsent}`);
		}
		const exact = JSON.stringify(scenario.sortRows(members.rows)) === JSON.stringify(scenario.sortRows(wanted));
		say(`\nMeta audience equals the wanted set: ${exact ? 'yes' : 'NO'}`);
		if (!exact) exitCode = 1;

		if (args.keepRunning) {
			await host.activate(workflow.id);
			await host.start();
			say(`\nn8n is running: editor ${host.baseUrl}  (set up an owner account on first visit)`);
			say(`status page:  ${host.webhookUrl(`actito-meta-status/${workflow.id}`)}`);
			say('Press Ctrl-C to stop (or send SIGTERM to npm or to this process).');
			stopWithLauncher();
			await new Promise((resolve) => {
				for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.once(signal, resolve);
			});
			say('Stopping n8n and the sandboxes…');
		}
	} finally {
		await host.dispose();
		await sandboxes.close();
	}
	process.exit(exitCode);
}

main().catch((error) => {
	process.stderr.write(`demo failed: ${error.stack || error.message}\n`);
	process.exit(1);
});
