// Every repository path that the README, the docs or a code comment names must exist: a newcomer
// follows them, and a comment that points at a missing file explains nothing.
import * as fs from 'node:fs';
import * as path from 'node:path';

const ROOT = path.join(__dirname, '..', '..');
const TOP = ['core', 'nodes', 'credentials', 'scripts', 'sandbox', 'test', 'bench', 'templates', 'docs', 'bin', 'generator', '.ci', '.github'];
// A path-like token that starts at a top-level folder of this repository and names a file.
const REFERENCE = new RegExp(`(?<![\\w./-])((?:${TOP.map((t) => t.replace('.', '\\.')).join('|')})/[\\w./-]*\\.(?:json|mjs|js|tsx|ts|md|yml|sh|png|svg))(?![\\w])`, 'g');

function walk(dir: string, out: string[] = []): string[] {
	for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
		if (['node_modules', 'dist', '.git', '.tmp', 'coverage'].includes(entry.name)) continue;
		const full = path.join(dir, entry.name);
		if (entry.isDirectory()) walk(full, out);
		else if (/\.(tsx?|js|mjs|md)$/.test(entry.name)) out.push(full);
	}
	return out;
}

/** The prose of a file: all of a Markdown file, the comments of code (string literals may build paths at run time). */
function commentsOf(file: string): string {
	const text = fs.readFileSync(file, 'utf8');
	return /\.md$/.test(file) ? text : (text.match(/\/\/.*$|\/\*[\s\S]*?\*\//gm) ?? []).join('\n');
}

function referencesIn(file: string): string[] {
	return [...commentsOf(file).matchAll(REFERENCE)].map((m) => m[1].replace(/[.,;:]+$/, ''));
}

describe('file references', () => {
	const files = [path.join(ROOT, 'README.md'), ...TOP.filter((t) => fs.existsSync(path.join(ROOT, t))).flatMap((t) => walk(path.join(ROOT, t)))];

	it('finds references to check', () => {
		const total = files.reduce((n, file) => n + referencesIn(file).length, 0);
		expect(total).toBeGreaterThan(20);
	});

	it('names only files that exist in the repository', () => {
		const missing: string[] = [];
		for (const file of files) {
			for (const ref of referencesIn(file)) {
				// Globs and placeholders (core/**/x.ts, <name>.node.ts) are patterns, not files.
				if (/[*<>]/.test(ref)) continue;
				const candidates = [path.join(ROOT, ref), path.join(path.dirname(file), ref)];
				if (!candidates.some((candidate) => fs.existsSync(candidate))) missing.push(`${path.relative(ROOT, file)} → ${ref}`);
			}
		}
		expect(missing).toEqual([]);
	});

	it('points at the design, the contracts and the runtime notes where they live (docs/)', () => {
		const outside: string[] = [];
		for (const file of files) {
			for (const m of commentsOf(file).matchAll(/(?<![\w/.-])(?:\.\.\/)*(shared\/(?:DESIGN|contracts|n8n-runtime|layout)[\w./-]*|DESIGN\.md|n8n-runtime\.md|contracts\/[\w-]+\.md)/g)) {
				// Inside docs/ the files name each other relatively.
				if (fs.existsSync(path.join(path.dirname(file), m[0]))) continue;
				outside.push(`${path.relative(ROOT, file)} → ${m[0]}`);
			}
		}
		expect(outside).toEqual([]);
	});
});
