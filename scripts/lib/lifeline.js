'use strict';
// Long-running scripts started by `npm run …` (the demo with --keep-running, the sandbox) must stop
// when npm is stopped. npm 11 does not pass SIGTERM on to its script (measured: the script and its
// `sh -c` survive), so the script watches the npm process it was started by and, when that is
// gone, sends itself SIGTERM: the same shutdown path as Ctrl-C.
const fs = require('node:fs');

function procStat(pid) {
	try {
		const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
		const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
		// Field 4 of stat is the ppid, field 22 the start time (fields[1] and fields[19] after the name).
		return { ppid: Number(fields[1]), startTime: fields[19] };
	} catch {
		return null;
	}
}

function cmdline(pid) {
	try {
		return fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ');
	} catch {
		return '';
	}
}

/** The npm process this one was started by (through `sh -c`), or null when not run by npm. */
function findLauncher() {
	if (process.platform !== 'linux' || !process.env.npm_lifecycle_event) return null;
	let pid = process.ppid;
	for (let depth = 0; depth < 4 && pid > 1; depth++) {
		const stat = procStat(pid);
		if (!stat) return null;
		if (/(^|[/\s])npm(-cli\.js)?(\s|$)/.test(cmdline(pid))) return { pid, startTime: stat.startTime };
		pid = stat.ppid;
	}
	return null;
}

/** Sends SIGTERM to this process once the npm process that started it has ended. */
function stopWithLauncher({ intervalMs = 1000 } = {}) {
	const launcher = findLauncher();
	if (!launcher) return () => {};
	const timer = setInterval(() => {
		const stat = procStat(launcher.pid);
		if (stat && stat.startTime === launcher.startTime) return;
		clearInterval(timer);
		process.kill(process.pid, 'SIGTERM');
	}, intervalMs);
	timer.unref();
	return () => clearInterval(timer);
}

module.exports = { stopWithLauncher, findLauncher };
