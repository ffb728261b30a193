// `n8n execute` as a child process the test owns, so that it can be killed mid-run (SIGKILL, no
// shutdown). Same binary, environment and user folder as the host's own CLI calls
// (scripts/lib/n8nHost.js); started in its own process group, and killed only by that group's id.
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

interface HostLike {
	n8nBin: string;
	/** The host's own Node (2.41.1 needs Node 24); the test's Node when absent. */
	nodeBin?: string;
	env: Record<string, string>;
	userFolder: string;
}

export interface RunningExecute {
	pid: number;
	/** Resolves when the process has ended, however it ended. */
	done: Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }>;
	/** SIGKILL to the whole process group this run started. */
	kill(): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

export function startExecute(host: HostLike, workflowId: string): RunningExecute {
	const dir = path.join(host.userFolder, 'tmp');
	fs.mkdirSync(dir, { recursive: true });
	const outFile = path.join(dir, `killable-${process.pid}-${Date.now()}-${Math.random().toString(36).slice(2, 8)}.out`);
	const outFd = fs.openSync(outFile, 'w');
	const child = spawn(host.nodeBin ?? process.execPath, [host.n8nBin, 'execute', `--id=${workflowId}`], {
		cwd: host.userFolder,
		env: host.env,
		stdio: ['ignore', outFd, 'pipe'],
		detached: true,
	});
	fs.closeSync(outFd);
	let stderr = '';
	child.stderr!.setEncoding('utf8');
	child.stderr!.on('data', (chunk: string) => {
		stderr += chunk;
	});
	const done = new Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }>((resolve, reject) => {
		child.on('error', reject);
		child.on('close', (code, signal) => {
			const stdout = fs.existsSync(outFile) ? fs.readFileSync(outFile, 'utf8') : '';
			fs.rmSync(outFile, { force: true });
			resolve({ code, signal, stdout, stderr });
		});
	});
	const pid = child.pid!;
	return {
		pid,
		done,
		kill: async () => {
			try {
				process.kill(-pid, 'SIGKILL');
			} catch {
				// Already gone.
			}
			const { code, signal } = await done;
			return { code, signal };
		},
	};
}

/** Resolves once `condition()` holds, checking every `everyMs`; rejects after `timeoutMs` (a safety net, not a measurement). */
export async function waitFor(condition: () => boolean | Promise<boolean>, { everyMs = 25, timeoutMs = 120_000, what = 'condition' } = {}): Promise<void> {
	const started = Date.now();
	for (;;) {
		if (await condition()) return;
		if (Date.now() - started > timeoutMs) throw new Error(`waitFor: ${what} did not happen within ${timeoutMs} ms`);
		await new Promise((resolve) => setTimeout(resolve, everyMs));
	}
}
