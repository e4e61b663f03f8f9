import madge from 'madge';

/**
 * Fails when the import graph of the project's code has a cycle that is not on the known list
 * below. Type-only imports count: a cycle of types still ties two modules' meanings together.
 * The list only shrinks: each entry is an import cycle the hub's service locator still makes
 * (issue 11, "no service locator") or a type pair not yet split; remove an entry when its cycle is gone (the check says so).
 */

const ROOTS = ['src', 'jobs', 'connectors', 'bin'];

const KNOWN: ReadonlySet<string> = new Set([
  'jobs/context.ts > src/hub.ts > jobs/index.ts',
  'jobs/context.ts > src/hub.ts > jobs/index.ts > jobs/handlers/events-poll.ts',
  'jobs/context.ts > src/hub.ts > jobs/index.ts > jobs/handlers/reconcile-run.ts',
  'src/hub.ts > jobs/index.ts > jobs/handlers/reconcile-run.ts',
  'jobs/context.ts > src/hub.ts > jobs/index.ts > jobs/handlers/sync-pull.ts',
  'src/hub.ts > jobs/index.ts > jobs/handlers/sync-pull.ts > jobs/lib/map-records.ts',
  'jobs/context.ts > src/hub.ts > jobs/index.ts > jobs/handlers/sync-push.ts',
  'src/hub.ts > jobs/index.ts > jobs/handlers/sync-push.ts',
  'jobs/context.ts > src/hub.ts > jobs/index.ts > jobs/handlers/webhook-process.ts',
  'src/hub.ts > jobs/index.ts > jobs/handlers/webhook-process.ts',
  'jobs/context.ts > src/hub.ts > src/queue/index.ts > src/queue/attempt.ts',
  'src/hub.ts > src/queue/index.ts > src/queue/attempt.ts',
  'jobs/context.ts > src/hub.ts > src/queue/index.ts > src/queue/attempt.ts > src/queue/types.ts',
  'src/hub.ts > src/queue/index.ts > src/queue/attempt.ts > src/queue/types.ts',
  'jobs/context.ts > src/hub.ts > src/queue/index.ts > src/queue/bullmq.ts',
  'jobs/context.ts > src/hub.ts > src/queue/index.ts > src/queue/driver.ts > src/queue/inline.ts',
  // The console's sign-in class and its dependency types name each other.
  'src/http/console/auth.ts > src/http/console/deps.ts',
]);

const result = await madge(ROOTS, { fileExtensions: ['ts'], tsConfig: 'tsconfig.json' });
const found = result.circular().map((cycle) => cycle.join(' > '));
const fresh = found.filter((c) => !KNOWN.has(c));
const gone = [...KNOWN].filter((c) => !found.includes(c));

for (const c of fresh) process.stderr.write(`import cycle: ${c}\n`);
for (const c of gone) process.stderr.write(`known cycle no longer found, remove it from scripts/check-cycles.ts: ${c}\n`);
if (fresh.length > 0 || gone.length > 0) process.exit(1);
process.stdout.write(`import cycles: none new (${found.length} known, listed in scripts/check-cycles.ts)\n`);
