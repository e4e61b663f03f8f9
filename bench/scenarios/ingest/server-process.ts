import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import type { PassResult } from '../../lib/child.ts';

/**
 * A server pass in its own process, alive for as long as the load runs: it prints
 * `listening <url>` when ready, serves until the parent writes `stop` on its stdin, then prints
 * its PassResult as the last line and exits. Its peak RSS is then its own alone.
 */
export interface ServerProcess {
  readonly url: string;
  stop(): Promise<PassResult>;
}

const START_TIMEOUT_MS = 60_000;

export async function startServerProcess(module: URL, args: Readonly<Record<string, unknown>>): Promise<ServerProcess> {
  const path = fileURLToPath(module);
  const child = spawn(process.execPath, ['--import', 'tsx', path, JSON.stringify(args)], { stdio: ['pipe', 'pipe', 'inherit'] });
  const lines: string[] = [];
  // 'close', not 'exit': stdout is fully read by then, so the result line is in.
  const exited = new Promise<number | null>((resolve) => child.once('close', (code: number | null) => resolve(code)));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${path} did not start within ${START_TIMEOUT_MS} ms`)), START_TIMEOUT_MS);
    createInterface({ input: child.stdout }).on('line', (line) => {
      lines.push(line);
      const match = /^listening (\S+)$/.exec(line);
      if (match?.[1]) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    });
    child.once('error', reject);
    exited.then(
      (code) => reject(new Error(`${path} exited with ${code} before listening: ${lines.slice(-3).join(' | ')}`)),
      () => undefined,
    );
  });
  return {
    url,
    async stop() {
      child.stdin.end('stop\n');
      const code = await exited;
      const last = lines.at(-1) ?? '';
      if (code !== 0) throw new Error(`${path} exited with ${code}: ${last}`);
      return JSON.parse(last) as PassResult;
    },
  };
}
