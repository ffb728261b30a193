#!/usr/bin/env node
'use strict';
// n8n's security scan of this package, offline: packs the package as npm would publish it,
// extracts the tarball to a temporary folder and runs @n8n/scan-community-package's
// `analyzePackage` on it, the way `npx @n8n/scan-community-package <name>` does after
// downloading a published version (that CLI needs the package on npm with provenance):
//   - the attested-source leg: the repository's package.json, nodes/ and credentials/;
//   - the tarball leg: every shipped .js file and the published package.json;
//   - and, stricter than n8n, the tarball with the scanner's default patterns (.js, .ts, .json).
// Fails on any finding: an error (n8n's verdict) or a warning of the same rules.
// Build first (`npm run build`); `npm test` does.
//   node scripts/scan-package.js [--keep]   (--keep leaves the extracted package in place)

const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const ROOT = path.join(__dirname, '..');

function run(cmd, args, options) {
	const result = spawnSync(cmd, args, { encoding: 'utf8', ...options });
	if (result.status !== 0) {
		throw new Error(`${cmd} ${args.join(' ')} failed (${result.status}):\n${result.stderr || result.stdout}`);
	}
	return result.stdout;
}

async function main() {
	const keep = process.argv.includes('--keep');
	if (!fs.existsSync(path.join(ROOT, 'dist', 'core', 'index.js'))) {
		throw new Error('dist/ is missing or incomplete: run `npm run build` first.');
	}
	const work = fs.mkdtempSync(path.join(os.tmpdir(), 'actito-meta-scan-'));
	// The scanner makes its own temporary folder when loaded: keep it inside ours.
	process.env.TMPDIR = work;
	try {
		// The project's .npmrc sets ignore-scripts, so this packs the dist/ that was just built.
		const packed = JSON.parse(run('npm', ['pack', '--json', '--pack-destination', work], { cwd: ROOT }));
		const { filename, entryCount, size, unpackedSize } = packed[0];
		const packageDir = path.join(work, 'package');
		fs.mkdirSync(packageDir);
		run('tar', ['-xzf', path.join(work, filename), '-C', packageDir, '--strip-components=1']);
		console.log(`scan: ${filename}: ${entryCount} files, ${size} bytes packed, ${unpackedSize} unpacked`);

		const scanner = await import('@n8n/scan-community-package/scanner/scanner.mjs');
		const { ESLint } = await import('eslint');
		const glob = require('fast-glob');
		const legs = [
			{ name: 'source (package.json, nodes/, credentials/)', dir: ROOT, patterns: scanner.SOURCE_FILE_PATTERNS },
			{ name: 'tarball (.js, package.json)', dir: packageDir, patterns: ['**/*.js', 'package.json'] },
			{ name: 'tarball (all .js, .ts, .json)', dir: packageDir, patterns: ['**/*.js', '**/*.ts', '**/*.json'] },
		];
		let failed = false;
		for (const leg of legs) {
			const verdict = await scanner.analyzePackage(leg.dir, leg.patterns);
			// The same lint again, to count warnings too (analyzePackage passes on warnings).
			const eslint = new ESLint({
				cwd: leg.dir,
				allowInlineConfig: false,
				overrideConfigFile: true,
				overrideConfig: await scanner.buildScanConfig(),
			});
			const files = glob.sync(leg.patterns, {
				cwd: leg.dir,
				absolute: true,
				ignore: ['node_modules/**', '**/package-lock.json'],
			});
			const results = files.length ? await eslint.lintFiles(files) : [];
			const errors = results.reduce((n, r) => n + r.errorCount, 0);
			const warnings = results.reduce((n, r) => n + r.warningCount, 0);
			const ok = verdict.passed && errors === 0 && warnings === 0;
			console.log(
				`scan: ${leg.name}: ${files.length} files, ${errors} errors, ${warnings} warnings: ${ok ? 'passed' : 'FAILED'}` +
					(verdict.message ? ` (${verdict.message})` : ''),
			);
			if (!ok) {
				failed = true;
				const formatter = await eslint.loadFormatter('stylish');
				console.log(verdict.details ?? (await formatter.format(results)));
			}
		}
		if (keep) console.log(`scan: extracted package kept in ${packageDir}`);
		return failed ? 1 : 0;
	} finally {
		if (!keep) fs.rmSync(work, { recursive: true, force: true });
	}
}

main().then(
	(code) => process.exit(code),
	(error) => {
		console.error(`scan: ${error.message}`);
		process.exit(1);
	},
);
