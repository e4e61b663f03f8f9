import { describe, expect, it } from 'vitest';
import { fromBullmqJobId, queueNameFor, toBullmqJobId } from '../../src/queue/bullmq.ts';
import { inboxJobId, outboxJobId, pageJobId, readRunCursor, slotJobId } from '../../src/queue/index.ts';
import { checkJobId, MAX_BACKOFF_MS, retryDelayMs, validateJob } from '../../src/queue/jobs.ts';

describe('retryDelayMs', () => {
  it('doubles per try with equal jitter: [ceiling/2, ceiling]', () => {
    expect([1, 2, 3].map((a) => retryDelayMs(a, 1_000, 0, () => 0))).toEqual([500, 1_000, 2_000]);
    expect([1, 2, 3].map((a) => retryDelayMs(a, 1_000, 0, () => 1))).toEqual([1_000, 2_000, 4_000]);
  });

  it('is capped, and never sooner than a hint', () => {
    expect(retryDelayMs(30, 10_000, 0, () => 1)).toBe(MAX_BACKOFF_MS);
    expect(retryDelayMs(1, 1_000, 60_000, () => 0)).toBe(60_000);
  });
});

describe('job ids', () => {
  it('builds the ids relay, scheduler and handlers share', () => {
    expect(inboxJobId('01a')).toBe('inbox:01a');
    expect(outboxJobId('01b', 2)).toBe('outbox:01b:2');
    expect(pageJobId('reconcile', 'r1', 3)).toBe('reconcile:r1:3');
    const at = new Date('2026-11-25T10:15:42.123Z');
    expect(slotJobId('pull', 'bullhorn', at)).toBe('pull:bullhorn:2026-11-25T10:15Z');
    expect(slotJobId('events', 'bullhorn', at)).toBe('events:bullhorn:2026-11-25T10:15Z');
    expect(slotJobId('reconcile', 'bullhorn', at)).toBe('reconcile:bullhorn:2026-11-25');
  });

  it('refuses ids BullMQ cannot carry or the mapping would make ambiguous', () => {
    expect(() => checkJobId('')).toThrow();
    expect(() => checkJobId('123')).toThrow(/integer/);
    expect(() => checkJobId('a|b')).toThrow(/reserves/);
    expect(() => checkJobId('pull:bullhorn:2026-11-25T10:15Z')).not.toThrow();
  });

  it('maps colons for BullMQ one-to-one and keeps queue names colon-free', () => {
    const id = 'pull:bullhorn:2026-11-25T10:15Z';
    expect(toBullmqJobId(id)).not.toContain(':');
    expect(fromBullmqJobId(toBullmqJobId(id))).toBe(id);
    expect(queueNameFor('bullhorn')).toBe('bullhorn');
    expect(queueNameFor('csv:legacy')).not.toContain(':');
  });

  it('validates payload, id and delay together, and finds the system', () => {
    expect(validateJob('events.poll', { system: 'b' }, { jobId: 'events:b:x', delayMs: 10.4 })).toEqual({
      name: 'events.poll', system: 'b', data: { system: 'b', againBatchId: null }, jobId: 'events:b:x', delayMs: 10,
    });
    expect(() => validateJob('nope', {}, { jobId: 'x' })).toThrow(/unknown job/);
    expect(() => validateJob('events.poll', { system: 'b' }, { jobId: 'x', delayMs: -1 })).toThrow(/delayMs/);
  });
});

describe('readRunCursor', () => {
  it('reads page, then and progressAt, treating anything malformed as absent', () => {
    expect(readRunCursor({ cursor: { page: 4, then: ['a', 'b'], progressAt: '2026-01-01T00:00:00Z', other: 1 } })).toEqual({
      page: 4, then: ['a', 'b'], progressAt: '2026-01-01T00:00:00Z',
    });
    expect(readRunCursor({ cursor: null })).toEqual({ page: 0, then: [], progressAt: null });
    expect(readRunCursor({ cursor: { page: -1, then: [1], progressAt: 'yesterday' } })).toEqual({ page: 0, then: [], progressAt: null });
    expect(readRunCursor({ cursor: 'opaque' })).toEqual({ page: 0, then: [], progressAt: null });
  });
});
