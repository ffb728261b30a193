// The n8n installer's own rules, without installing n8n: what a child npm inherits, what counts as
// a ready cache, and that a failed install never leaves a folder that looks ready.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const installer = require('../../scripts/ensure-n8n') as {
	cleanEnv: (extra?: Record<string, string>) => Record<string, string>;
	hostEnv: (version: string) => Record<string, string>;
	quickCheck: (version: string) => string | null;
	ALL_VERSIONS: string[];
};

const SCRIPT = path.join(__dirname, '..', '..', 'scripts', 'ensure-n8n.js');

function withEnv<T>(vars: Record<string, string | undefined>, fn: () => T): T {
	const saved: Record<string, string | undefined> = {};
	for (const [key, value] of Object.entries(vars)) {
		saved[key] = process.env[key];
		if (value === undefined) delete process.env[key];
		else process.env[key] = value;
	}
	try {
		return fn();
	} finally {
		for (const [key, value] of Object.entries(saved)) {
			if (value === undefined) delete process.env[key];
			else process.env[key] = value;
		}
	}
}

describe('ensure-n8n', () => {
	it('gives child npm processes none of the caller npm settings', () => {
		const env = withEnv(
			{ npm_config_ignore_scripts: 'true', npm_config_legacy_peer_deps: 'true', NPM_CONFIG_OMIT: 'dev', npm_lifecycle_event: 'test' },
			() => installer.cleanEnv(),
		);
		expect(Object.keys(env).filter((key) => /^npm_/i.test(key))).toEqual([]);
	});

	it('builds native modules against local Node headers, never downloaded ones', () => {
		const env = installer.hostEnv('1.123.81');
		expect(fs.existsSync(path.join(env.npm_config_nodedir, 'include', 'node', 'node_api.h'))).toBe(true);
		expect(Object.keys(env).filter((key) => /^npm_config_/i.test(key)).sort()).toEqual([
			'npm_config_audit',
			'npm_config_fund',
			'npm_config_nodedir',
			'npm_config_update_notifier',
		]);
	});

	it('calls a cache broken when its stamp, binary or recipe does not fit, and names what is wrong', () => {
		const cache = fs.mkdtempSync(path.join(os.tmpdir(), 'ensure-n8n-'));
		try {
			withEnv({ ACTITO_META_CACHE: cache }, () => {
				const home = path.join(cache, 'n8n-1.123.81');
				fs.mkdirSync(path.join(home, 'node_modules', 'n8n', 'bin'), { recursive: true });
				fs.writeFileSync(path.join(home, '.ready'), 'not json');
				fs.writeFileSync(path.join(home, 'node_modules', 'n8n', 'bin', 'n8n'), '');
				expect(installer.quickCheck('1.123.81')).toBe('its .ready stamp is unreadable');
				fs.writeFileSync(path.join(home, '.ready'), JSON.stringify({ version: '1.123.81', recipe: 1 }));
				expect(installer.quickCheck('1.123.81')).toMatch(/another recipe/);
				fs.rmSync(path.join(home, 'node_modules', 'n8n', 'bin', 'n8n'));
				expect(installer.quickCheck('1.123.81')).toMatch(/bin\/n8n is missing$/);
			});
		} finally {
			fs.rmSync(cache, { recursive: true, force: true });
		}
	});

	it('rebuilds a cache that fails its check, and a failed install leaves nothing that looks ready', () => {
		const root = fs.mkdtempSync(path.join(os.tmpdir(), 'ensure-n8n-'));
		try {
			const cache = path.join(root, 'cache');
			const home = path.join(root, 'home');
			fs.mkdirSync(home);
			// A registry that refuses at once stands in for a failing install (no network needed).
			fs.writeFileSync(path.join(home, '.npmrc'), 'registry=http://127.0.0.1:9/\nfetch-retries=0\nfetch-timeout=2000\n');
			const broken = path.join(cache, 'n8n-1.123.81');
			fs.mkdirSync(broken, { recursive: true });
			fs.writeFileSync(path.join(broken, '.ready'), JSON.stringify({ version: '1.123.81', recipe: 3 }));
			const env = { ...process.env, HOME: home, ACTITO_META_CACHE: cache, npm_config_cache: path.join(home, '.npm') };
			const run = spawnSync(process.execPath, [SCRIPT, '--version', '1.123.81'], { env, encoding: 'utf8', timeout: 120000 });
			expect(run.status).toBe(1);
			expect(run.stderr).toContain(`the cached n8n 1.123.81 in ${broken} fails its check`);
			expect(run.stderr).toContain('nothing was marked ready');
			expect(fs.existsSync(path.join(broken, '.ready'))).toBe(false);
			expect(fs.readdirSync(cache).filter((entry) => /partial|lock/.test(entry))).toEqual([]);
		} finally {
			fs.rmSync(root, { recursive: true, force: true });
		}
	});
});
