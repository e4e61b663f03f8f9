import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { withReference } from '../src/mapping/reference.ts';

/**
 * Rewrites the canonical field reference in mappings/README.md from the model
 * (`npm run mappings:reference`). test/mapping/reference.unit.test.ts fails when it is out of date.
 */
const file = fileURLToPath(new URL('../mappings/README.md', import.meta.url));
const before = readFileSync(file, 'utf8');
const after = withReference(before);
if (after === before) {
  process.stdout.write('mappings/README.md is up to date\n');
} else {
  writeFileSync(file, after);
  process.stdout.write('mappings/README.md: canonical field reference rewritten\n');
}
