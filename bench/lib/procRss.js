'use strict';
// Resident memory of process trees and process groups, from /proc (Linux): n8n 2.x runs its
// Code-node task runner as a child process, so a figure "of n8n" sums the whole tree.
const fs = require('node:fs');

/** {pid → {ppid, pgrp}} of every process now. */
function processTable() {
	const table = new Map();
	let entries = [];
	try {
		entries = fs.readdirSync('/proc');
	} catch {
		return table;
	}
	for (const entry of entries) {
		if (!/^\d+$/.test(entry)) continue;
		try {
			const stat = fs.readFileSync(`/proc/${entry}/stat`, 'utf8');
			// Fields after the parenthesised command name: state, ppid, pgrp, ...
			const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
			table.set(Number(entry), { ppid: Number(rest[1]), pgrp: Number(rest[2]) });
		} catch {
			// The process ended between readdir and read.
		}
	}
	return table;
}

function rssOf(pids) {
	let total = 0;
	for (const pid of pids) {
		try {
			const match = /VmRSS:\s+(\d+)\s+kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
			if (match) total += Number(match[1]) * 1024;
		} catch {
			// Gone.
		}
	}
	return total;
}

/** Resident bytes of the processes `isRoot(pid)` selects and all their descendants. */
function treeRss(isRoot) {
	const table = processTable();
	const set = new Set();
	for (const pid of table.keys()) {
		try {
			if (isRoot(pid)) set.add(pid);
		} catch {
			// Gone.
		}
	}
	if (set.size === 0) return 0;
	for (let grew = true; grew; ) {
		grew = false;
		for (const [pid, p] of table) {
			if (!set.has(pid) && set.has(p.ppid)) {
				set.add(pid);
				grew = true;
			}
		}
	}
	return rssOf(set);
}

/** Resident bytes of one process group (a detached `n8n start` and every child it forks). */
function groupRss(pgrp) {
	const pids = [];
	for (const [pid, p] of processTable()) if (p.pgrp === pgrp) pids.push(pid);
	return rssOf(pids);
}

module.exports = { processTable, treeRss, groupRss };
