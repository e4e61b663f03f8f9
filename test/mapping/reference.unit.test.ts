import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { canonicalFieldReference, withReference } from '../../src/mapping/reference.ts';

const README = readFileSync(join(import.meta.dirname, '../../mappings/README.md'), 'utf8');

describe('the canonical field reference in mappings/README.md', () => {
  it('is what the model says now (run `npm run mappings:reference` after a model change)', () => {
    expect(README).toBe(withReference(README));
  });

  it('lists required fields, allowed values and natural keys', () => {
    const text = canonicalFieldReference();
    expect(text).toContain('| `doubleTimeHours` | a number | **yes** |');
    expect(text).toContain('| `status` | one of draft, submitted, approved, rejected, exported, invoiced | **yes** |');
    expect(text).toContain('Money-bearing: never hard-deleted; natural keys: assignment + work date (strong: `assignmentId` + `workDate`).');
    expect(text).toContain('Natural keys: email (strong: `email` as email), phone (weak: `phone` as phone)');
  });
});
