import { describe, expect, it } from 'vitest';
import { mergeRecord, type FieldRule, type MergeInput } from '../../src/engine/index.ts';
import type { FieldMap } from '../../src/store/index.ts';

// One field, `f`, unless a case needs more. ATS is the system the incoming values come from.
const ATS = 'ats';

function rules(spec: Record<string, string | FieldRule>): Map<string, FieldRule> {
  return new Map(Object.entries(spec).map(([k, v]) => [k, typeof v === 'string' ? { owner: v, conflict: 'manual' } : v]));
}

function merge(over: Partial<MergeInput> & { incoming: FieldMap }): ReturnType<typeof mergeRecord> {
  return mergeRecord({
    system: ATS,
    rules: rules({ f: ATS, g: ATS, h: ATS }),
    current: null,
    base: null,
    incomingTime: '2026-01-02T00:00:00Z',
    currentTime: '2026-01-01T00:00:00Z',
    ...over,
  });
}

describe('mergeRecord: a new record (no current)', () => {
  it('applies every field, whoever owns it, and makes them the base', () => {
    const r = merge({ rules: rules({ f: 'payroll', g: ATS, h: 'shared' }), incoming: { f: 'a', g: 2, h: 'x' } });
    expect(r.next).toEqual({ f: 'a', g: 2, h: 'x' });
    expect(r.nextBase).toEqual({ f: 'a', g: 2, h: 'x' });
    expect(r.changed).toEqual(['f', 'g', 'h']);
    expect(r.diffs).toEqual([
      { field: 'f', from: null, to: 'a', result: 'applied' },
      { field: 'g', from: null, to: 2, result: 'applied' },
      { field: 'h', from: null, to: 'x', result: 'applied' },
    ]);
    expect(r.conflicts).toEqual([]);
    expect(r.stale).toEqual([]);
  });

  it('keeps null fields in the record and base but reports no change for them', () => {
    const r = merge({ incoming: { f: null, g: 'b' } });
    expect(r.next).toEqual({ f: null, g: 'b' });
    expect(r.nextBase).toEqual({ f: null, g: 'b' });
    expect(r.changed).toEqual(['g']);
    expect(r.diffs.map((d) => d.field)).toEqual(['g']);
  });
});

describe('mergeRecord: incoming = current', () => {
  it('is unchanged and moves the base to the agreed value, even from a non-owner', () => {
    const r = merge({ rules: rules({ f: 'payroll' }), incoming: { f: 'a' }, current: { f: 'a', g: 'keep' }, base: { f: 'old' } });
    expect(r.next).toEqual({ f: 'a', g: 'keep' });
    expect(r.nextBase).toEqual({ f: 'a' });
    expect(r.diffs).toEqual([]);
    expect(r.changed).toEqual([]);
    expect(r.stale).toEqual([]);
    expect(r.conflicts).toEqual([]);
  });

  it('treats null and a missing current value as equal', () => {
    const r = merge({ incoming: { f: null }, current: { g: 1 }, base: { f: 'x' } });
    expect(r.diffs).toEqual([]);
    expect(r.nextBase).toEqual({ f: null });
  });
});

describe('mergeRecord: incoming = base (the system did not change the field)', () => {
  it('with current equal to both, nothing happens', () => {
    const r = merge({ incoming: { f: 'a' }, current: { f: 'a' }, base: { f: 'a' } });
    expect(r.diffs).toEqual([]);
    expect(r.stale).toEqual([]);
  });

  it('with current different, the system is stale: current stays, base stays, the field goes back', () => {
    const r = merge({ incoming: { f: 'a' }, current: { f: 'b' }, base: { f: 'a' } });
    expect(r.next).toEqual({ f: 'b' });
    expect(r.nextBase).toEqual({ f: 'a' });
    expect(r.stale).toEqual(['f']);
    expect(r.changed).toEqual([]);
    expect(r.diffs).toEqual([]);
    expect(r.conflicts).toEqual([]);
  });

  it('is stale whoever owns the field (here another system)', () => {
    const r = merge({ rules: rules({ f: 'payroll' }), incoming: { f: 'a' }, current: { f: 'b' }, base: { f: 'a' } });
    expect(r.stale).toEqual(['f']);
    expect(r.next).toEqual({ f: 'b' });
  });
});

describe('mergeRecord: current = base (only the system changed the field)', () => {
  it('applies when the system owns the field', () => {
    const r = merge({ incoming: { f: 'new' }, current: { f: 'old' }, base: { f: 'old' } });
    expect(r.next).toEqual({ f: 'new' });
    expect(r.nextBase).toEqual({ f: 'new' });
    expect(r.changed).toEqual(['f']);
    expect(r.diffs).toEqual([{ field: 'f', from: 'old', to: 'new', result: 'applied' }]);
    expect(r.stale).toEqual([]);
  });

  it('applies when the field is shared', () => {
    const r = merge({ rules: rules({ f: 'shared' }), incoming: { f: 'new' }, current: { f: 'old' }, base: { f: 'old' } });
    expect(r.next).toEqual({ f: 'new' });
    expect(r.diffs).toEqual([{ field: 'f', from: 'old', to: 'new', result: 'applied' }]);
  });

  it('refuses a non-owner: current stays, the owner value goes back, and the base moves to what the system holds', () => {
    const r = merge({ rules: rules({ f: 'payroll' }), incoming: { f: 'new' }, current: { f: 'old' }, base: { f: 'old' } });
    expect(r.next).toEqual({ f: 'old' });
    expect(r.changed).toEqual([]);
    expect(r.diffs).toEqual([{ field: 'f', from: 'old', to: 'new', result: 'rejected' }]);
    expect(r.stale).toEqual(['f']);
    expect(r.nextBase).toEqual({ f: 'new' });
    expect(r.conflicts).toEqual([]);
  });

  it('counts a base of null as a known base', () => {
    const r = merge({ rules: rules({ f: 'payroll' }), incoming: { f: 'new' }, current: { f: null }, base: { f: null } });
    expect(r.diffs).toEqual([{ field: 'f', from: null, to: 'new', result: 'rejected' }]);
  });
});

describe('mergeRecord: all three differ', () => {
  const three = { incoming: { f: 'theirs' }, current: { f: 'ours' }, base: { f: 'agreed' } };

  it('applies for the owner and records the local value as superseded', () => {
    const r = merge(three);
    expect(r.next).toEqual({ f: 'theirs' });
    expect(r.nextBase).toEqual({ f: 'theirs' });
    expect(r.changed).toEqual(['f']);
    expect(r.diffs).toEqual([{ field: 'f', from: 'ours', to: 'theirs', result: 'superseded' }]);
    expect(r.conflicts).toEqual([]);
  });

  it('on a shared field with `latest`, the later source time wins', () => {
    const r = merge({ ...three, rules: rules({ f: { owner: 'shared', conflict: 'latest' } }), incomingTime: '2026-01-03T00:00:00Z', currentTime: '2026-01-02T00:00:00Z' });
    expect(r.next).toEqual({ f: 'theirs' });
    expect(r.nextBase).toEqual({ f: 'theirs' });
    expect(r.diffs).toEqual([{ field: 'f', from: 'ours', to: 'theirs', result: 'applied' }]);
    expect(r.conflicts).toEqual([]);
  });

  it('on a shared field with `latest`, the earlier source time loses: current stays and the system is stale', () => {
    const r = merge({ ...three, rules: rules({ f: { owner: 'shared', conflict: 'latest' } }), incomingTime: '2026-01-01T00:00:00Z', currentTime: '2026-01-02T00:00:00Z' });
    expect(r.next).toEqual({ f: 'ours' });
    expect(r.changed).toEqual([]);
    expect(r.stale).toEqual(['f']);
    // The system's value is known now; a repeat of it is stale, not a new question.
    expect(r.nextBase).toEqual({ f: 'theirs' });
    expect(r.conflicts).toEqual([]);
  });

  it('on a shared field with `latest`, equal times and an unknown incoming time do not win', () => {
    const shared = rules({ f: { owner: 'shared', conflict: 'latest' } });
    expect(merge({ ...three, rules: shared, incomingTime: '2026-01-02T00:00:00Z', currentTime: '2026-01-02T00:00:00Z' }).next).toEqual({ f: 'ours' });
    expect(merge({ ...three, rules: shared, incomingTime: null, currentTime: '2026-01-02T00:00:00Z' }).next).toEqual({ f: 'ours' });
    // No time known for current: any known incoming time is later.
    expect(merge({ ...three, rules: shared, incomingTime: '2026-01-01T00:00:00Z', currentTime: null }).next).toEqual({ f: 'theirs' });
  });

  it('on a shared field with `manual`, opens a conflict and leaves current and base alone', () => {
    const r = merge({ ...three, rules: rules({ f: 'shared' }) });
    expect(r.next).toEqual({ f: 'ours' });
    expect(r.nextBase).toEqual({ f: 'agreed' });
    expect(r.conflicts).toEqual([{ field: 'f', base: 'agreed', current: 'ours', incoming: 'theirs' }]);
    expect(r.diffs).toEqual([{ field: 'f', from: 'ours', to: 'theirs', result: 'conflict' }]);
    expect(r.changed).toEqual([]);
    expect(r.stale).toEqual([]);
  });

  it('for a non-owner, opens a conflict and leaves current alone', () => {
    const r = merge({ ...three, rules: rules({ f: 'payroll' }) });
    expect(r.next).toEqual({ f: 'ours' });
    expect(r.nextBase).toEqual({ f: 'agreed' });
    expect(r.conflicts).toEqual([{ field: 'f', base: 'agreed', current: 'ours', incoming: 'theirs' }]);
    expect(r.changed).toEqual([]);
  });
});

describe('mergeRecord: first contact (an existing record, no base yet)', () => {
  it('applies fields the system owns (superseding the local value)', () => {
    const r = merge({ incoming: { f: 'theirs' }, current: { f: 'ours' }, base: null });
    expect(r.next).toEqual({ f: 'theirs' });
    expect(r.nextBase).toEqual({ f: 'theirs' });
    expect(r.diffs).toEqual([{ field: 'f', from: 'ours', to: 'theirs', result: 'superseded' }]);
  });

  it('treats differing fields it does not own as stale at the system, not as conflicts', () => {
    for (const owner of ['payroll', 'shared']) {
      const r = merge({ rules: rules({ f: owner }), incoming: { f: 'theirs' }, current: { f: 'ours' }, base: null });
      expect(r.next).toEqual({ f: 'ours' });
      expect(r.stale).toEqual(['f']);
      expect(r.nextBase).toEqual({ f: 'theirs' });
      expect(r.conflicts).toEqual([]);
      expect(r.diffs).toEqual([]);
    }
  });

  it('also applies when a base exists but lacks the field (the mapping gained it)', () => {
    const r = merge({ incoming: { f: 'theirs', g: 'same' }, current: { f: 'ours', g: 'same' }, base: { g: 'same' } });
    expect(r.next).toEqual({ f: 'theirs', g: 'same' });
    expect(r.diffs).toEqual([{ field: 'f', from: 'ours', to: 'theirs', result: 'superseded' }]);
  });
});

describe('mergeRecord: scope', () => {
  it('leaves fields not sent untouched, in current and in the base', () => {
    const r = merge({
      incoming: { f: 'new' },
      current: { f: 'old', g: 'cur-g', h: 'cur-h' },
      base: { f: 'old', g: 'base-g' },
    });
    expect(r.next).toEqual({ f: 'new', g: 'cur-g', h: 'cur-h' });
    expect(r.nextBase).toEqual({ f: 'new', g: 'base-g' });
    expect(r.changed).toEqual(['f']);
    expect(r.diffs.map((d) => d.field)).toEqual(['f']);
  });

  it('decides each field on its own within one record', () => {
    const r = merge({
      rules: rules({ f: ATS, g: 'payroll', h: 'shared' }),
      incoming: { f: 'f2', g: 'g2', h: 'h-theirs' },
      current: { f: 'f1', g: 'g1', h: 'h-ours' },
      base: { f: 'f1', g: 'g1', h: 'h0' },
    });
    expect(r.next).toEqual({ f: 'f2', g: 'g1', h: 'h-ours' });
    expect(r.diffs.map((d) => [d.field, d.result])).toEqual([['f', 'applied'], ['g', 'rejected'], ['h', 'conflict']]);
    expect(r.stale).toEqual(['g']);
    expect(r.changed).toEqual(['f']);
    expect(r.conflicts.map((c) => c.field)).toEqual(['h']);
  });

  it('does not modify its inputs', () => {
    const current = { f: 'old' };
    const base = { f: 'old' };
    merge({ incoming: { f: 'new' }, current, base });
    expect(current).toEqual({ f: 'old' });
    expect(base).toEqual({ f: 'old' });
  });

  it('throws for a field with no rule: a mapping and its policy disagree', () => {
    expect(() => merge({ incoming: { nope: 'x' }, current: { f: 'a' }, base: {} })).toThrow(/nope is not in ats's inbound rules/);
    expect(() => merge({ incoming: { nope: 'x' } })).toThrow(/nope/);
  });
});
