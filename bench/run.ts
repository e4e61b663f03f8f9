import { formatFigure, passes, type Figure } from './lib/figures.ts';
import { hostFingerprint } from './lib/host.ts';

/** A benchmark scenario: runs its raw baseline and the hub path in one run and returns figures. */
export interface Scenario {
  readonly name: string;
  readonly description: string;
  run(options: { quick: boolean }): Promise<Figure[]>;
}

const SCENARIOS: Record<string, () => Promise<{ scenario: Scenario }>> = {
  access: () => import('./scenarios/access.ts'),
  console: () => import('./scenarios/console.ts'),
  csv: () => import('./scenarios/csv.ts'),
  'csv-pg': () => import('./scenarios/csv-pg.ts'),
  documents: () => import('./scenarios/documents.ts'),
  engine: () => import('./scenarios/engine.ts'),
  'engine-pg': () => import('./scenarios/engine-pg.ts'),
  invoice: () => import('./scenarios/invoice.ts'),
  notify: () => import('./scenarios/notify.ts'),
  ingest: () => import('./scenarios/ingest.ts'),
  pgdriver: () => import('./scenarios/pgdriver.ts'),
  pull: () => import('./scenarios/pull.ts'),
  reconcile: () => import('./scenarios/reconcile.ts'),
  scale: () => import('./scenarios/scale.ts'),
};

const args = process.argv.slice(2).filter((a) => a !== '--');
const quick = args.includes('--quick');
const names = args.filter((a) => !a.startsWith('--'));
if (names.length === 0) {
  process.stdout.write(`usage: npm run bench -- <scenario…> [--quick]\nscenarios: ${Object.keys(SCENARIOS).join(', ')}\n`);
  process.exit(2);
}

process.stdout.write(`${hostFingerprint()}\n`);
let missed = 0;
for (const name of names) {
  const load = SCENARIOS[name];
  if (!load) {
    process.stderr.write(`unknown scenario "${name}" (known: ${Object.keys(SCENARIOS).join(', ')})\n`);
    process.exit(2);
  }
  const { scenario } = await load();
  process.stdout.write(`# ${scenario.name}: ${scenario.description}\n`);
  for (const figure of await scenario.run({ quick })) {
    process.stdout.write(`${formatFigure(figure)}\n`);
    if (figure.gate !== false && figure.target && !passes(figure)) missed++;
  }
}
if (missed > 0) {
  process.stdout.write(`${missed} figure(s) missed their target\n`);
  process.exit(1);
}
