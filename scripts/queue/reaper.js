'use strict';
// Stops what the queue-mode harness started (PostgreSQL, Redis, n8n process groups) when the
// process that started them dies in any way, SIGKILL included: jest's test context does not
// reliably see the runner's signals or its 'exit' event (measured: a SIGTERM to jest left n8n,
// postgres and redis running). The reaper is a detached child reading commands on its stdin; when
// stdin closes (its parent is gone) it kills everything still registered and removes their folders.
//   kill <pid>   kill -<pgid> | pgdata <dir> (pg_ctl stop -m immediate) | rm <dir>; `un<cmd> <arg>` forgets one
const { spawn, spawnSync } = require('node:child_process');
const fs = require('node:fs');

let reaper = null;

function send(line) {
	if (!reaper) {
		reaper = spawn(process.execPath, [__filename, '--serve'], { detached: true, stdio: ['pipe', 'ignore', 'ignore'] });
		reaper.unref();
		reaper.stdin.on('error', () => {});
		// The pipe must not keep the parent's event loop (and jest) alive.
		reaper.stdin._handle?.unref?.();
		reaper.stdin.on('finish', () => {});
	}
	reaper.stdin.write(line + '\n');
}

const register = (kind, value) => send(`${kind} ${value}`);
const unregister = (kind, value) => send(`un${kind} ${value}`);

function serve() {
	const entries = new Map();
	let buffer = '';
	process.stdin.setEncoding('utf8');
	process.stdin.on('data', (chunk) => {
		buffer += chunk;
		let nl;
		while ((nl = buffer.indexOf('\n')) >= 0) {
			const line = buffer.slice(0, nl).trim();
			buffer = buffer.slice(nl + 1);
			const [cmd, ...rest] = line.split(' ');
			const arg = rest.join(' ');
			if (cmd.startsWith('un')) entries.delete(`${cmd.slice(2)} ${arg}`);
			else if (cmd) entries.set(`${cmd} ${arg}`, { cmd, arg });
		}
	});
	process.stdin.on('end', () => {
		const list = [...entries.values()];
		for (const { cmd, arg } of list) {
			try {
				if (cmd === 'pgid') process.kill(-Number(arg), 'SIGKILL');
				if (cmd === 'pid') process.kill(Number(arg), 'SIGKILL');
			} catch {
				// Already gone.
			}
		}
		for (const { cmd, arg } of list) {
			if (cmd !== 'pgdata') continue;
			const [bin, dir] = arg.split('|');
			const argv = [bin, '-D', dir, '-m', 'immediate', '-w', 'stop'];
			const asRoot = process.getuid && process.getuid() === 0;
			spawnSync(asRoot ? 'runuser' : argv[0], asRoot ? ['-u', 'postgres', '--', ...argv] : argv.slice(1), { stdio: 'ignore' });
		}
		for (const { cmd, arg } of list) {
			if (cmd === 'rm') fs.rmSync(arg, { recursive: true, force: true });
		}
		process.exit(0);
	});
}

if (require.main === module && process.argv[2] === '--serve') serve();

module.exports = { register, unregister };
