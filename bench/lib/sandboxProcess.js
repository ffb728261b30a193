'use strict';
// Both sandboxes in a child process of their own (sandbox/cli.js), so that their memory and CPU
// are not counted as the sync core's. Resolves {meta: {url}, actito: {url}, pid, close()}.
const { spawn } = require('node:child_process');
const path = require('node:path');
const readline = require('node:readline');

const CLI = path.join(__dirname, '..', '..', 'sandbox', 'cli.js');

function startSandboxProcess({ maxOldSpaceMb = 8192 } = {}) {
	return new Promise((resolve, reject) => {
		const child = spawn(process.execPath, [`--max-old-space-size=${maxOldSpaceMb}`, CLI, '--allow-loopback-webhooks'], {
			stdio: ['ignore', 'pipe', 'inherit'],
		});
		const lines = readline.createInterface({ input: child.stdout });
		let done = false;
		const exited = new Promise((r) => child.once('exit', r));
		child.once('exit', (code) => {
			if (!done) reject(new Error(`sandbox process exited early (code ${code})`));
		});
		lines.once('line', (line) => {
			done = true;
			const urls = JSON.parse(line);
			resolve({
				meta: { url: urls.meta },
				actito: { url: urls.actito },
				pid: child.pid,
				close: async () => {
					if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
					await exited;
				},
			});
		});
	});
}

module.exports = { startSandboxProcess };
