import type { Command } from 'commander';

/**
 * `crosswalk demo`: the emulators and the demo script live in fixtures/ (they are not part of a
 * production image), so they load only when this command runs.
 */
export function registerDemo(program: Command): void {
  program
    .command('demo')
    .description('run the whole loop on local emulators and serve it on localhost (no set-up needed)')
    .option('--scale <n>', 'dataset scale (1 = 40 clients, 1,500 placements)', '0.3')
    .option('--port <n>', 'port for the hub (default 8600, or any free one)')
    .option('--exit', 'stop after the loop instead of serving')
    .action(async (opts: { scale: string; port?: string; exit?: boolean }) => {
      const { runDemo } = await import('../../../fixtures/demo/run.ts');
      await runDemo({ scale: Number(opts.scale), exit: opts.exit ?? false, ...(opts.port !== undefined && { port: Number(opts.port) }) });
      // --exit means exit: a handle something left open (a socket, a timer) must not keep the process up.
      if (opts.exit) process.exit(process.exitCode ?? 0);
    });
}
