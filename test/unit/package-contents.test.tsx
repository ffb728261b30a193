// What the npm tarball holds: what n8n loads (nodes, credentials, their icons and codex files),
// the programmatic API with its typings, the templates, README and licence, and nothing else:
// no source maps, no build info, no sources, nothing that points at a file it does not ship.
// Reads `npm pack --dry-run --json` over the current dist/ (built first when missing).
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

const ROOT = path.join(__dirname, '..', '..');
const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));

let files: string[] = [];
let shipped: Set<string>;

beforeAll(() => {
	if (!fs.existsSync(path.join(ROOT, 'dist', 'core', 'index.js'))) {
		execFileSync('npm', ['run', 'build'], { cwd: ROOT, stdio: 'pipe' });
	}
	// The project's .npmrc sets ignore-scripts: the dry run lists the dist/ that is there.
	const out = execFileSync('npm', ['pack', '--dry-run', '--json'], { cwd: ROOT, encoding: 'utf8' });
	files = (JSON.parse(out)[0].files as Array<{ path: string }>).map((f) => f.path).sort();
	shipped = new Set(files);
}, 120_000);

const read = (file: string) => fs.readFileSync(path.join(ROOT, file), 'utf8');

describe('the npm tarball', () => {
	test('holds only the built package, the templates, README, LICENSE and package.json', () => {
		const allowed = /^(dist\/(core|nodes|credentials)\/.+|templates\/[^/]+\.json|index\.js|README\.md|LICENSE|package\.json)$/;
		expect(files.filter((f) => !allowed.test(f))).toEqual([]);
		for (const f of ['README.md', 'LICENSE', 'package.json', 'index.js', 'templates/actito-meta-hourly-sync.json']) {
			expect(shipped).toContain(f);
		}
	});

	test('ships no source maps, build info or sources, and no typings but the programmatic API', () => {
		expect(files.filter((f) => /\.map$|\.tsbuildinfo$/.test(f))).toEqual([]);
		expect(files.filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts'))).toEqual([]);
		expect(files.filter((f) => f.endsWith('.d.ts') && !f.startsWith('dist/core/'))).toEqual([]);
		const js = files.filter((f) => f.endsWith('.js'));
		expect(js.filter((f) => /sourceMappingURL/.test(read(f)))).toEqual([]);
	});

	test('ships what package.json points at: main, types and every node and credential n8n loads', () => {
		expect(pkg.bin).toBeUndefined();
		expect(pkg.dependencies ?? {}).toEqual({});
		const pointed = [pkg.main, pkg.types, ...pkg.n8n.nodes, ...pkg.n8n.credentials];
		expect(pointed.filter((f: string) => !shipped.has(f))).toEqual([]);
		expect(read('index.js')).toMatch(/require\('\.\/dist\/core'\)/);
		expect(shipped).toContain('dist/core/index.js');
		expect(shipped).toContain('dist/core/index.d.ts');
	});

	test('every relative require and typing import resolves to a shipped file', () => {
		const resolves = (from: string, spec: string, exts: string[]) => {
			const base = path.posix.normalize(path.posix.join(path.posix.dirname(from), spec));
			return exts.some((ext) => shipped.has(base + ext));
		};
		const missing: string[] = [];
		for (const f of files) {
			if (f.endsWith('.d.ts')) {
				for (const [, spec] of read(f).matchAll(/from '(\.{1,2}\/[^']+)'/g)) {
					if (!resolves(f, spec, ['.d.ts', '/index.d.ts'])) missing.push(`${f} → ${spec}`);
				}
			} else if (f.endsWith('.js')) {
				for (const m of read(f).matchAll(/require\("(\.{1,2}\/[^"]+)"\)|require\('(\.{1,2}\/[^']+)'\)/g)) {
					const spec = m[1] ?? m[2];
					if (!resolves(f, spec, ['', '.js', '.json', '/index.js'])) missing.push(`${f} → ${spec}`);
				}
			}
		}
		expect(missing).toEqual([]);
	});

	test('every node and credential loads, with its light and dark icon and (nodes) its codex file shipped beside it', () => {
		const problems: string[] = [];
		const icons = (file: string, icon: unknown) => {
			const refs = typeof icon === 'string' ? [icon] : Object.values((icon ?? {}) as Record<string, string>);
			if (refs.length !== 2) problems.push(`${file}: expected a light and a dark icon, got ${JSON.stringify(icon)}`);
			for (const ref of refs) {
				const target = path.posix.join(path.posix.dirname(file), ref.replace(/^file:/, ''));
				if (!shipped.has(target)) problems.push(`${file}: icon ${target} is not shipped`);
			}
		};
		for (const file of pkg.n8n.nodes as string[]) {
			const mod = require(path.join(ROOT, file));
			const Node = mod[path.basename(file).split('.')[0]] as new () => { description: { name: string; icon: unknown } };
			const node = new Node();
			expect(node.description.name).toBeTruthy();
			icons(file, node.description.icon);
			const codex = file.replace(/\.js$/, '.json');
			if (!shipped.has(codex)) problems.push(`${file}: codex ${codex} is not shipped`);
			else expect(JSON.parse(read(codex)).node).toBe(`${pkg.name}.${node.description.name}`);
		}
		for (const file of pkg.n8n.credentials as string[]) {
			const mod = require(path.join(ROOT, file));
			const Credential = mod[path.basename(file).split('.')[0]] as new () => { name: string; icon: unknown };
			const credential = new Credential();
			expect(credential.name).toBeTruthy();
			icons(file, credential.icon);
		}
		expect(problems).toEqual([]);
	});

	test('stays small', () => {
		// 108 files and about 330 kB unpacked when written; a source map or build-info file would double it.
		expect(files.length).toBeLessThan(160);
		const bytes = files.reduce((n, f) => n + fs.statSync(path.join(ROOT, f)).size, 0);
		expect(bytes).toBeLessThan(600_000);
	});
});
