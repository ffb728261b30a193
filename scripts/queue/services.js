#!/usr/bin/env node
'use strict';
// PostgreSQL and Redis for n8n's queue mode, from Debian's packages, run as plain processes on
// loopback on free ports in a temp folder: no system service is assumed or touched.
//   node scripts/queue/services.js install   installs what is missing (apt-get, needs root)
//   node scripts/queue/services.js up        starts both, prints their settings, stops on Ctrl-C
// Plain Node, no dependencies: PostgreSQL is queried through its own `psql` client.
const { spawn, spawnSync, execFileSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { freePort } = require('../lib/n8nHost');
const reaper = require('./reaper');

const PG_USER = 'n8n';
const PG_DATABASE = 'n8n';

function pgBinDir() {
	const root = '/usr/lib/postgresql';
	if (!fs.existsSync(root)) return null;
	const versions = fs
		.readdirSync(root)
		.filter((v) => /^\d+$/.test(v) && fs.existsSync(path.join(root, v, 'bin', 'initdb')))
		.sort((a, b) => Number(b) - Number(a));
	return versions.length ? path.join(root, versions[0], 'bin') : null;
}

function redisBin() {
	for (const candidate of ['/usr/bin/redis-server', '/usr/local/bin/redis-server']) {
		if (fs.existsSync(candidate)) return candidate;
	}
	return null;
}

/** Installs postgresql and/or redis-server with apt-get, only the ones that are missing. */
function ensurePackages({ log = (line) => process.stderr.write(line + '\n') } = {}) {
	const missing = [];
	if (!pgBinDir()) missing.push('postgresql');
	if (!redisBin()) missing.push('redis-server');
	if (missing.length === 0) return { installed: [] };
	if (process.getuid && process.getuid() !== 0) {
		throw new Error(`missing ${missing.join(' and ')}: run as root, or apt-get install -y ${missing.join(' ')}`);
	}
	log(`installing ${missing.join(', ')} from Debian's packages…`);
	const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
	// The package scripts would start system services; policy-rc.d 101 keeps them stopped.
	const policy = '/usr/sbin/policy-rc.d';
	const hadPolicy = fs.existsSync(policy);
	if (!hadPolicy) fs.writeFileSync(policy, '#!/bin/sh\nexit 101\n', { mode: 0o755 });
	try {
		let run = spawnSync('apt-get', ['install', '-y', ...missing], { env, stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8' });
		if (run.status !== 0) {
			// A fresh machine may have no package lists yet.
			spawnSync('apt-get', ['update'], { env, stdio: 'ignore' });
			run = spawnSync('apt-get', ['install', '-y', ...missing], { env, stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8' });
		}
		if (run.status !== 0) throw new Error(`apt-get install ${missing.join(' ')} failed:\n${(run.stderr || '').slice(-2000)}`);
	} finally {
		if (!hadPolicy) fs.rmSync(policy, { force: true });
	}
	if (!pgBinDir() || !redisBin()) throw new Error('apt-get finished but postgresql or redis-server is still missing');
	return { installed: missing };
}

// initdb and postgres refuse to run as root: run them as the `postgres` system user the Debian
// package creates (or an existing one), on files that user owns.
function asPgUser(argv) {
	if (!process.getuid || process.getuid() !== 0) return argv;
	return ['runuser', '-u', 'postgres', '--', ...argv];
}

function ensurePgSystemUser() {
	if (!process.getuid || process.getuid() !== 0) return;
	if (spawnSync('id', ['postgres'], { stdio: 'ignore' }).status === 0) return;
	execFileSync('useradd', ['--system', '--no-create-home', '--shell', '/usr/sbin/nologin', 'postgres']);
}

function ownBy(dir) {
	if (process.getuid && process.getuid() === 0) execFileSync('chown', ['-R', 'postgres:', dir]);
}

// Processes still running when this process exits would outlive a crashed test run.
const live = new Set();
process.once('exit', () => {
	for (const service of live) service._killNow();
});

async function startPostgres() {
	const bin = pgBinDir();
	if (!bin) throw new Error('PostgreSQL is not installed (node scripts/queue/services.js install)');
	ensurePgSystemUser();
	// Directly under the system temp folder: the postgres user must be able to reach it, and a
	// caller's private temp folder (mode 0700) would not let it.
	const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'actito-meta-pg-'));
	const dataDir = path.join(dir, 'data');
	const sockDir = path.join(dir, 'sock');
	const logFile = path.join(dir, 'postgres.log');
	fs.mkdirSync(sockDir);
	ownBy(dir);
	const port = await freePort();
	const run = (argv, opts = {}) => {
		const [cmd, ...args] = asPgUser(argv);
		const out = spawnSync(cmd, args, { cwd: dir, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], ...opts });
		if (out.status !== 0) throw new Error(`${argv.join(' ')} exited ${out.status}: ${(out.stderr || out.stdout || '').slice(-2000)}`);
		return out.stdout;
	};
	run([path.join(bin, 'initdb'), '-D', dataDir, '-U', PG_USER, '--auth=trust', '-E', 'UTF8', '--no-instructions']);
	// n8n opens a pool per process (main + workers + CLI calls): the default 100 is enough.
	run([
		path.join(bin, 'pg_ctl'), '-D', dataDir, '-l', logFile, '-w', '-t', '60',
		'-o', `-p ${port} -k ${sockDir} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200`,
		'start',
	]);
	const pid = Number(fs.readFileSync(path.join(dataDir, 'postmaster.pid'), 'utf8').split('\n')[0]);
	const reaped = [['pgdata', `${path.join(bin, 'pg_ctl')}|${dataDir}`], ['pid', pid], ['rm', dir]];
	for (const [kind, value] of reaped) reaper.register(kind, value);
	const psql = path.join(bin, 'psql');
	const service = {
		kind: 'postgres',
		dir,
		host: '127.0.0.1',
		port,
		user: PG_USER,
		database: PG_DATABASE,
		pid,
		logFile,
		/** Runs SQL through psql; returns stdout (tuples only, unaligned). */
		sql(text, database = PG_DATABASE) {
			const out = spawnSync(psql, ['-X', '-q', '-At', '-v', 'ON_ERROR_STOP=1', '-h', '127.0.0.1', '-p', String(port), '-U', PG_USER, '-d', database, '-c', text], {
				encoding: 'utf8',
				stdio: ['ignore', 'pipe', 'pipe'],
				maxBuffer: 256 * 1024 * 1024,
			});
			if (out.status !== 0) throw new Error(`psql: ${(out.stderr || '').trim()}\n  in: ${text.slice(0, 300)}`);
			return out.stdout;
		},
		/** Rows of a SELECT as objects (json_agg on the server, so types survive). */
		rows(select) {
			// A data-changing statement with RETURNING only works as a CTE, not as a subquery.
			const text = service.sql(`WITH t AS (${select}) SELECT coalesce(json_agg(t), '[]'::json) FROM t`);
			return JSON.parse(text.trim() || '[]');
		},
		_killNow() {
			try {
				process.kill(pid, 'SIGKILL');
			} catch {
				// Already gone.
			}
		},
		async stop() {
			if (!live.has(service)) return;
			live.delete(service);
			const [cmd, ...args] = asPgUser([path.join(bin, 'pg_ctl'), '-D', dataDir, '-m', 'fast', '-w', '-t', '30', 'stop']);
			const out = spawnSync(cmd, args, { stdio: 'ignore' });
			if (out.status !== 0) service._killNow();
			fs.rmSync(dir, { recursive: true, force: true });
			for (const [kind, value] of reaped) reaper.unregister(kind, value);
		},
	};
	live.add(service);
	service.sql(`CREATE DATABASE ${PG_DATABASE}`, 'postgres');
	return service;
}

async function startRedis({ baseDir } = {}) {
	const bin = redisBin();
	if (!bin) throw new Error('redis-server is not installed (node scripts/queue/services.js install)');
	const dir = fs.mkdtempSync(path.join(baseDir || os.tmpdir(), 'actito-meta-redis-'));
	const port = await freePort();
	const logFile = path.join(dir, 'redis.log');
	const child = spawn(bin, ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir, '--logfile', logFile], {
		stdio: 'ignore',
	});
	const exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
	reaper.register('pid', child.pid);
	reaper.register('rm', dir);
	const service = {
		kind: 'redis',
		dir,
		host: '127.0.0.1',
		port,
		pid: child.pid,
		logFile,
		_killNow() {
			try {
				child.kill('SIGKILL');
			} catch {
				// Already gone.
			}
		},
		async stop() {
			if (!live.has(service)) return;
			live.delete(service);
			child.kill('SIGTERM');
			const timer = setTimeout(() => child.kill('SIGKILL'), 10000);
			await exited;
			clearTimeout(timer);
			fs.rmSync(dir, { recursive: true, force: true });
			reaper.unregister('pid', child.pid);
			reaper.unregister('rm', dir);
		},
	};
	live.add(service);
	// Ready when it answers PING on its port.
	const net = require('node:net');
	const deadline = Date.now() + 20000;
	for (;;) {
		const ok = await new Promise((resolve) => {
			const socket = net.connect(port, '127.0.0.1');
			socket.once('error', () => resolve(false));
			socket.once('connect', () => socket.write('PING\r\n'));
			socket.once('data', (d) => {
				socket.destroy();
				resolve(String(d).startsWith('+PONG'));
			});
		});
		if (ok) break;
		if (child.exitCode !== null || Date.now() > deadline) {
			await service.stop();
			throw new Error(`redis-server did not start; see ${logFile}`);
		}
		await new Promise((r) => setTimeout(r, 100));
	}
	return service;
}

/** Both services; `stop()` stops both (and is safe to call twice). */
async function startServices(options = {}) {
	ensurePackages(options);
	const postgres = await startPostgres(options);
	let redis;
	try {
		redis = await startRedis(options);
	} catch (error) {
		await postgres.stop();
		throw error;
	}
	return {
		postgres,
		redis,
		/** The n8n settings that point a main or a worker at these services. */
		n8nEnv() {
			return {
				DB_TYPE: 'postgresdb',
				DB_POSTGRESDB_HOST: postgres.host,
				DB_POSTGRESDB_PORT: String(postgres.port),
				DB_POSTGRESDB_DATABASE: postgres.database,
				DB_POSTGRESDB_USER: postgres.user,
				DB_POSTGRESDB_PASSWORD: '',
				EXECUTIONS_MODE: 'queue',
				QUEUE_BULL_REDIS_HOST: redis.host,
				QUEUE_BULL_REDIS_PORT: String(redis.port),
			};
		},
		async stop() {
			await Promise.allSettled([redis.stop(), postgres.stop()]);
		},
	};
}

module.exports = { ensurePackages, startPostgres, startRedis, startServices, pgBinDir, redisBin };

if (require.main === module) {
	const command = process.argv[2];
	(async () => {
		if (command === 'install') {
			const { installed } = ensurePackages();
			process.stdout.write(installed.length ? `installed ${installed.join(', ')}\n` : 'postgresql and redis-server already installed\n');
			return;
		}
		if (command !== 'up') throw new Error('usage: services.js install | up');
		const services = await startServices();
		process.stdout.write(`${JSON.stringify(services.n8nEnv(), null, 2)}\nCtrl-C stops PostgreSQL and Redis.\n`);
		await new Promise((resolve) => {
			for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.once(signal, resolve);
		});
		await services.stop();
	})().catch((error) => {
		process.stderr.write(`services: ${error.message}\n`);
		process.exit(1);
	});
}
