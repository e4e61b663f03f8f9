import { readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { toEventBatch } from '../../../connectors/bullhorn/events.ts';
import { GOLDEN_CASES, GOLDEN_DIR, bullhornRegistry, readGolden, runGolden } from './golden.ts';

/**
 * Each Bullhorn payload through its mapping to the record the engine receives, and back to the
 * body the hub would push, compared with plain JSON files in golden/expected/ (see golden/README.md).
 */
describe('bullhorn mappings against golden files', () => {
  const registry = bullhornRegistry();

  for (const c of GOLDEN_CASES) {
    it(`${c.payload} → ${c.canonical} and back`, () => {
      const out = runGolden(registry, c);
      expect(out.canonical).toEqual(readGolden(`expected/${c.stem}.canonical.json`));
      expect(out.vendor).toEqual(readGolden(`expected/${c.stem}.vendor.json`));
    });
  }

  it('bullhorn-event-subscription-poll.json → change events', () => {
    expect(toEventBatch(readGolden('bullhorn-event-subscription-poll.json'))).toEqual(readGolden('expected/event-subscription-poll.events.json'));
  });

  it('every Bullhorn payload in golden/ has a case', () => {
    const covered = new Set([...GOLDEN_CASES.map((c) => c.payload), 'bullhorn-event-subscription-poll.json']);
    const payloads = readdirSync(GOLDEN_DIR).filter((name) => /^bullhorn-.*\.json$/.test(name));
    expect(payloads.length).toBeGreaterThanOrEqual(10);
    for (const payload of payloads) expect(covered.has(payload), payload).toBe(true);
  });
});
