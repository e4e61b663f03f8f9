import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** What a measured pass reports: its own rate, time and peak RSS, measured in a fresh process. */
export interface PassResult {
  readonly rows: number;
  readonly ms: number;
  /** rows per second */
  readonly rate: number;
  readonly maxRssMb: number;
  readonly extra?: Readonly<Record<string, number>>;
}

/**
 * Runs one measured pass in a child process, so each side's peak RSS is its own and one pass's
 * heap or page cache does not flatter the next.
 */
export async function runPass(module: URL, args: Readonly<Record<string, unknown>>): Promise<PassResult> {
  const path = fileURLToPath(module);
  return new Promise((resolvePass, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', '--expose-gc', path, JSON.stringify(args)], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString('utf8');
    });
    child.on('error', reject);
    child.on('exit', (code) => {
      const last = out.trim().split('\n').pop() ?? '';
      if (code !== 0) return reject(new Error(`${path} exited with ${code}: ${last}`));
      try {
        resolvePass(JSON.parse(last) as PassResult);
      } catch {
        reject(new Error(`${path} printed no result: ${out.slice(-500)}`));
      }
    });
  });
}

/** Inside a pass: the arguments the parent sent. */
export function passArgs<T>(): T {
  return JSON.parse(process.argv[2] ?? '{}') as T;
}

/** Inside a pass: print the result as the last line. */
export function reportPass(rows: number, ms: number, extra?: Record<string, number>): void {
  const maxRssMb = process.resourceUsage().maxRSS / 1024;
  const result: PassResult = { rows, ms, rate: rows / (ms / 1000), maxRssMb, ...(extra && { extra }) };
  process.stdout.write(`${JSON.stringify(result)}\n`);
}
