import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { MAPPING_ERROR_CODES, TRANSFORM_NAMES } from '../../src/mapping/index.ts';

const README = readFileSync(join(import.meta.dirname, '../../mappings/README.md'), 'utf8');

describe('mappings/README.md', () => {
  it('documents exactly the error codes the loader uses', () => {
    const errors = README.slice(README.indexOf('## Errors'));
    const documented = [...errors.matchAll(/^\| `([a-z_]+)` \| /gm)].map((m) => m[1]);
    expect(documented.sort()).toEqual(Object.keys(MAPPING_ERROR_CODES).sort());
  });

  it('has a section for every transform', () => {
    for (const name of TRANSFORM_NAMES) expect(README, name).toContain(`### \`${name}\``);
  });
});
