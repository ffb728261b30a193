'use strict';
// Runs headless Chromium (Debian's /usr/bin/chromium through playwright-core) in a plain Node
// process beside jest: the jest worker that drives a real n8n crashed (SIGSEGV) when it held the
// browser itself. The test sends steps as functions (source text) with a JSON argument, one JSON
// line each on stdin; each answer is one JSON line on stdout.
const readline = require('node:readline');
const { chromium } = require('playwright-core');

const FLAGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const state = { chromium, browser: null, contexts: {}, pages: {} };

async function launch(executablePath) {
	// playwright-core gives the launch a fresh, empty user-data-dir of its own (and --headless).
	state.browser = await chromium.launch({ executablePath, headless: true, args: FLAGS });
}

const rl = readline.createInterface({ input: process.stdin });
rl.on('line', async (line) => {
	let msg;
	try {
		msg = JSON.parse(line);
	} catch {
		return;
	}
	try {
		if (msg.launch) await launch(msg.launch);
		// The test sends a function's source to run inside this driver process (indirect eval: global scope).
		const value = msg.fn ? await (0, eval)(`(${msg.fn})`)(state, msg.arg) : null;
		process.stdout.write(`${JSON.stringify({ id: msg.id, ok: true, value: value === undefined ? null : value })}\n`);
	} catch (error) {
		process.stdout.write(`${JSON.stringify({ id: msg.id, ok: false, error: String((error && error.stack) || error) })}\n`);
	}
});
rl.on('close', async () => {
	if (state.browser) await state.browser.close().catch(() => undefined);
	process.exit(0);
});
