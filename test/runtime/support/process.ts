import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** The repository root: children run `bin/crosswalk.js` and test scripts from here. */
export const ROOT = fileURLToPath(new URL('../../..', import.meta.url));
export const CLI = fileURLToPath(new URL('../../../bin/crosswalk.js', import.meta.url));

export interface Finished {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly ms: number;
}

/**
 * Runs a command to its end, killing it (SIGKILL) after `timeoutMs` so a hung child fails the test
 * with its output instead of hanging the run.
 */
export function runToEnd(args: readonly string[], options: { cwd: string; env: NodeJS.ProcessEnv; timeoutMs: number }): Promise<Finished> {
  const t0 = Date.now();
  const child = spawn(process.execPath, args, { cwd: options.cwd, env: options.env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (b: Buffer) => (stdout += b.toString()));
  child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
  const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs);
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr, ms: Date.now() - t0 });
    });
  });
}

/** A long-running child (a worker) whose stderr is kept for the failure message. */
export interface Running {
  readonly child: ChildProcess;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  readonly output: () => string;
  /** SIGKILL: no shutdown hook, no lock released, transactions cut wherever they are. */
  kill(): Promise<void>;
  /** SIGTERM, as an orchestrator stops a worker: the graceful path. */
  stop(): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/**
 * `prefix` runs node under another command that execs it (`ip netns exec <ns>`: a worker on its own
 * virtual host); the child is then node itself, so kill() still hits the worker.
 */
export function start(args: readonly string[], options: { cwd: string; env: NodeJS.ProcessEnv; prefix?: readonly string[] }): Running {
  const [command, ...before] = options.prefix && options.prefix.length > 0 ? [...options.prefix, process.execPath] : [process.execPath];
  const child = spawn(command ?? process.execPath, [...before, ...args], { cwd: options.cwd, env: options.env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  // Kept bounded: a worker logging for a minute must not grow the test's heap without limit.
  const keep = (b: Buffer) => {
    output = (output + b.toString()).slice(-20_000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.once('exit', (code, signal) => resolve({ code, signal }));
  });
  return {
    child,
    exited,
    output: () => output,
    async kill() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited;
    },
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
      const result = await exited;
      clearTimeout(timer);
      return result;
    },
  };
}
