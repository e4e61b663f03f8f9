import type { FieldDiff, FieldMap, Scalar } from '../store/index.ts';
import { SHARED, type FieldRule } from './policy.ts';

export interface MergeInput {
  /** The system the incoming values come from. */
  readonly system: string;
  readonly rules: ReadonlyMap<string, FieldRule>;
  /** Incoming values, references already resolved to canonical ids. */
  readonly incoming: Readonly<FieldMap>;
  /** Canonical values now; null when the record is new. */
  readonly current: Readonly<FieldMap> | null;
  /** Values last agreed with this system; null at first contact. */
  readonly base: Readonly<FieldMap> | null;
  readonly incomingTime: string | null;
  readonly currentTime: string | null;
}

export interface OpenConflict {
  readonly field: string;
  readonly base: Scalar;
  readonly current: Scalar;
  readonly incoming: Scalar;
}

export interface MergeResult {
  /** Canonical values after the merge (a full record when current was given). */
  readonly next: FieldMap;
  /** The new base for this system. */
  readonly nextBase: FieldMap;
  /** What happened to each field that was not simply unchanged. */
  readonly diffs: FieldDiff[];
  readonly conflicts: OpenConflict[];
  /** Fields whose canonical value this system should be told (it is stale, or was refused). */
  readonly stale: string[];
  /** Fields whose canonical value changed. */
  readonly changed: string[];
}

/** Canonical values are scalars, so strict equality is value equality. */
function same(a: Scalar | undefined, b: Scalar | undefined): boolean {
  return (a ?? null) === (b ?? null);
}

/**
 * The three-way, per-field merge rule of DESIGN.md, with per-field ownership. Pure: the caller
 * writes what it returns. For each incoming field, base = last agreed with the system, current =
 * canonical, incoming = the system's new value:
 * - incoming = current: unchanged;
 * - incoming = base: the system did not change it; if current differs, the system is stale;
 * - current = base: only the system changed it: applied if it may write the field, else refused
 *   and the owner's value goes back to it;
 * - all three differ: applied if the system owns the field (the local value is superseded);
 *   on a shared field with policy `latest`, the later source time wins; otherwise a conflict
 *   opens and current stays;
 * - no base yet (first contact with an existing record): fields the system owns apply, other
 *   differing fields are stale at the system, not conflicts.
 */
export function mergeRecord(input: MergeInput): MergeResult {
  const { system, rules, incoming, current, base } = input;
  const next: FieldMap = current ? { ...current } : {};
  const nextBase: FieldMap = base ? { ...base } : {};
  const diffs: FieldDiff[] = [];
  const conflicts: OpenConflict[] = [];
  const stale: string[] = [];
  const changed: string[] = [];

  for (const field of Object.keys(incoming)) {
    const rule = rules.get(field);
    if (!rule) throw new Error(`field ${field} is not in ${system}'s inbound rules`);
    const inc = incoming[field] ?? null;

    if (current === null) {
      // A new record: nothing to protect, every field applies.
      next[field] = inc;
      nextBase[field] = inc;
      if (inc !== null) {
        diffs.push({ field, from: null, to: inc, result: 'applied' });
        changed.push(field);
      }
      continue;
    }

    const cur = current[field] ?? null;
    const owns = rule.owner === system;
    const mayWrite = owns || rule.owner === SHARED;
    const apply = (result: FieldDiff['result']) => {
      next[field] = inc;
      nextBase[field] = inc;
      diffs.push({ field, from: cur, to: inc, result });
      changed.push(field);
    };
    const refuse = () => {
      diffs.push({ field, from: cur, to: inc, result: 'rejected' });
      stale.push(field);
      // The system's value is now known to be stale: a repeat of it is not refused again, only
      // answered with the owner's value (see `stale`).
      nextBase[field] = inc;
    };

    if (same(inc, cur)) {
      nextBase[field] = inc;
      continue;
    }

    const hasBase = base !== null && field in base;
    if (!hasBase) {
      if (owns) apply('superseded');
      else {
        stale.push(field);
        nextBase[field] = inc;
      }
      continue;
    }

    const b = base[field] ?? null;
    if (same(inc, b)) {
      // The system did not change it; current moved on, so the system is behind.
      stale.push(field);
      continue;
    }
    if (same(cur, b)) {
      if (mayWrite) apply('applied');
      else refuse();
      continue;
    }
    // All three differ.
    if (owns) {
      apply('superseded');
    } else if (rule.owner === SHARED && rule.conflict === 'latest') {
      if (isLater(input.incomingTime, input.currentTime)) apply('applied');
      else {
        stale.push(field);
        nextBase[field] = inc;
      }
    } else {
      // A shared field under `manual`, or a non-owner changing a field that also changed here:
      // a person decides; current stays until then.
      conflicts.push({ field, base: b, current: cur, incoming: inc });
      diffs.push({ field, from: cur, to: inc, result: 'conflict' });
    }
  }
  return { next, nextBase, diffs, conflicts, stale, changed };
}

/** True when the incoming source time is known and later than the current one. */
function isLater(incoming: string | null, current: string | null): boolean {
  if (incoming === null) return false;
  if (current === null) return true;
  return Date.parse(incoming) > Date.parse(current);
}
