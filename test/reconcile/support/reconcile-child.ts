/**
 * A worker process for the SIGKILL test: opens the hub on the given folder, pointed at the
 * emulator, and works a reconcile of Bullhorn candidates in small, slow pages until killed.
 */
import { createReconcileHandler } from '../../../jobs/handlers/reconcile-run.ts';
import { bullhornHub, runJobs, type EmulatorTarget } from './bullhorn-hub.ts';

const args = JSON.parse(process.argv[2] ?? '{}') as { dir: string; target: EmulatorTarget; pageSize: number; rps: number };
const h = bullhornHub(args.target, { dir: args.dir, http: { rateLimit: { requests: args.rps, windowMs: 1000 } } });
await runJobs(h.hub, createReconcileHandler({ settings: { pageSize: args.pageSize } }), { system: 'bullhorn', entity: 'Candidate' });
await h.close();
