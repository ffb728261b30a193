#!/usr/bin/env node
'use strict';
// Starts the Meta and Actito sandboxes and prints one JSON line with their base URLs:
//   node sandbox/cli.js [--meta-port N] [--actito-port N] [--allow-loopback-webhooks] [--seed N]
// Port 0 (the default) takes any free port. Runs until killed.
const { startMetaSandbox } = require('./meta');
const { startActitoSandbox } = require('./actito');
const { stopWithLauncher } = require('../scripts/lib/lifeline');

function parseArgs(argv) {
	const args = { metaPort: 0, actitoPort: 0, allowLoopbackWebhooks: false };
	for (let i = 0; i < argv.length; i++) {
		const arg = argv[i];
		const next = () => {
			const value = argv[++i];
			if (value === undefined) throw new Error(`${arg} needs a value`);
			return value;
		};
		if (arg === '--meta-port') args.metaPort = Number(next());
		else if (arg === '--actito-port') args.actitoPort = Number(next());
		else if (arg === '--allow-loopback-webhooks') args.allowLoopbackWebhooks = true;
		else if (arg === '--help' || arg === '-h') {
			process.stdout.write(
				'usage: node sandbox/cli.js [--meta-port N] [--actito-port N] [--allow-loopback-webhooks]\n',
			);
			process.exit(0);
		} else throw new Error(`unknown argument ${arg}`);
	}
	return args;
}

async function main() {
	const args = parseArgs(process.argv.slice(2));
	const meta = await startMetaSandbox({ port: args.metaPort });
	const actito = await startActitoSandbox({
		port: args.actitoPort,
		allowLoopbackWebhooks: args.allowLoopbackWebhooks,
	});
	process.stdout.write(JSON.stringify({ meta: meta.url, actito: actito.url }) + '\n');
	const stop = async () => {
		await Promise.allSettled([meta.close(), actito.close()]);
		process.exit(0);
	};
	for (const signal of ['SIGTERM', 'SIGINT', 'SIGHUP']) process.on(signal, stop);
	// `npm run sandbox` does not pass SIGTERM on to this process: stop when npm is gone.
	stopWithLauncher();
}

main().catch((error) => {
	process.stderr.write(`sandbox: ${error.message}\n`);
	process.exit(1);
});
