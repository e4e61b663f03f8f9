import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { connectors } from '../../connectors/index.ts';

/**
 * The checklist in connectors/README.md, enforced: every registered connector has every piece the
 * table names, so the README and this test cannot drift (the rows are read from the README).
 */
const REPO = join(import.meta.dirname, '../..');
const readme = readFileSync(join(REPO, 'connectors/README.md'), 'utf8');
const checklist = readme.slice(readme.indexOf('## Checklist: a connector is one place'));
const pieces = [...checklist.matchAll(/^\| ([a-z][a-z ]+) \| (.+) \|$/gm)].map((m) => m[1] ?? '').filter((p) => p !== 'piece');

type Check = (id: string) => string | null;
const file = (path: string): string | null => (existsSync(join(REPO, path)) ? null : `${path} is missing`);
const nonEmptyDir = (path: string): string | null => (existsSync(join(REPO, path)) && readdirSync(join(REPO, path)).length > 0 ? null : `${path} is missing or empty`);

const CHECKS: Readonly<Record<string, Check>> = {
  manifest: (id) => file(`connectors/${id}/manifest.ts`),
  client: (id) => file(`connectors/${id}/client.ts`),
  streams: (id) => (connectorOf(id).manifest.entities.some((e) => e.pull) ? nonEmptyDir(`connectors/${id}/streams`) : null),
  'webhook verifier': (id) => {
    const scheme = connectorOf(id).manifest.webhook?.scheme;
    return scheme === undefined || scheme === 'none' ? null : file(`connectors/${id}/webhook.ts`);
  },
  readme: (id) => file(`connectors/${id}/README.md`),
  mappings: (id) => nonEmptyDir(`mappings/${id}`),
  emulator: (id) => file(`fixtures/${id}/index.ts`),
  'golden files': (id) => nonEmptyDir(`test/connectors/${id}/golden`),
  'contract test': (id) => {
    const path = `test/connectors/${id}/${id}.contract.test.ts`;
    const missing = file(path);
    if (missing !== null) return missing;
    const text = readFileSync(join(REPO, path), 'utf8');
    return text.includes('describeConnectorContract') && new RegExp(`connector: ${id}\\b`).test(text) ? null : `${path} does not run the contract suite on ${id}`;
  },
};

function connectorOf(id: string) {
  const connector = (connectors as Record<string, (typeof connectors)[keyof typeof connectors]>)[id];
  if (connector === undefined) throw new Error(`no connector ${id}`);
  return connector;
}

describe('connectors/README.md checklist', () => {
  it('names exactly the pieces this test checks', () => {
    expect(pieces.sort()).toEqual(Object.keys(CHECKS).sort());
  });

  for (const id of Object.keys(connectors)) {
    it(`${id} has every piece`, () => {
      const missing = Object.entries(CHECKS).flatMap(([piece, check]) => {
        const problem = check(id);
        return problem === null ? [] : [`${piece}: ${problem}`];
      });
      expect(missing).toEqual([]);
    });
  }

  it('a connector missing a piece fails (the checks can fail)', () => {
    expect(CHECKS['contract test']?.('no-such-vendor')).toMatch(/is missing/);
    expect(CHECKS['emulator']?.('no-such-vendor')).toMatch(/is missing/);
    expect(CHECKS['golden files']?.('no-such-vendor')).toMatch(/missing or empty/);
  });
});
