import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { correctionProblems } from '../../src/http/routes/time-corrections.ts';
import { checkTimeEntryTransition, COUNTED_STATUSES, deltaOf, effectiveHours, isZero, TimeEntry, type HourFigures, type TimeEntryStatus } from '../../src/model/index.ts';

/**
 * Any sequence of submit / approve / dispute / correct / export, run through the real rules (status
 * machine, correction checks, signed deltas, the entry schema), keeps one effective hours figure per
 * entry that is a legal day, and payroll (which hears of each original and each adjustment once,
 * when approved) has received exactly the effective hours of every approved original.
 */

interface Row { status: TimeEntryStatus; hours: HourFigures; adjusts: number | null }

const quarter = fc.integer({ min: 0, max: 40 }).map((q) => q / 4);
const figures = fc.record({ regularHours: quarter, overtimeHours: quarter, doubleTimeHours: quarter });
const op = fc.oneof(
  fc.record({ kind: fc.constant('submit' as const), i: fc.nat(7) }),
  fc.record({ kind: fc.constant('approve' as const), i: fc.nat(7) }),
  fc.record({ kind: fc.constant('dispute' as const), i: fc.nat(7) }),
  fc.record({ kind: fc.constant('export' as const), i: fc.nat(7) }),
  fc.record({ kind: fc.constant('correct' as const), i: fc.nat(7), to: figures }),
);

function move(row: Row, to: TimeEntryStatus): boolean {
  if (!checkTimeEntryTransition(row.status, to).ok) return false;
  row.status = to;
  return true;
}

describe('effective hours under any workflow', () => {
  it('stay one legal figure per entry, and payroll gets exactly originals + approved adjustments', () => {
    fc.assert(
      fc.property(fc.array(figures, { minLength: 1, maxLength: 3 }), fc.array(op, { maxLength: 60 }), (initial, ops) => {
        const rows: Row[] = initial.map((h) => ({ status: 'draft', hours: { ...h, regularHours: Math.min(h.regularHours, 8), overtimeHours: Math.min(h.overtimeHours, 8), doubleTimeHours: Math.min(h.doubleTimeHours, 8) }, adjusts: null }));
        const payroll: Array<{ original: number; hours: HourFigures }> = [];
        const pushed = new Set<number>();
        const adjustmentsOf = (i: number) => rows.map((r, j) => ({ r, j })).filter(({ r }) => r.adjusts === i);
        const effective = (i: number) => effectiveHours(rows[i]?.hours ?? { regularHours: 0, overtimeHours: 0, doubleTimeHours: 0 }, adjustmentsOf(i).map(({ r }) => ({ ...r.hours, status: r.status })));
        for (const o of ops) {
          const i = o.i % rows.length;
          const row = rows[i];
          if (row === undefined) continue;
          if (o.kind === 'submit') {
            // A rejected correction is closed (the submit route refuses it).
            if (row.adjusts === null) move(row, 'submitted');
          }
          else if (o.kind === 'dispute') move(row, 'rejected');
          else if (o.kind === 'export') move(row, 'exported');
          else if (o.kind === 'approve' && move(row, 'approved') && !pushed.has(i)) {
            // The push happens once per entry (outbox create), originals and adjustments alike.
            pushed.add(i);
            payroll.push({ original: row.adjusts ?? i, hours: row.hours });
          } else if (o.kind === 'correct') {
            if (row.adjusts !== null || !COUNTED_STATUSES.has(row.status)) continue;
            if (adjustmentsOf(i).some(({ r }) => r.status === 'submitted' || r.status === 'draft')) continue;
            if (correctionProblems(o.to).length > 0) continue;
            const delta = deltaOf(effective(i), o.to);
            if (isZero(delta)) continue;
            const adjustment: Row = { status: 'submitted', hours: delta, adjusts: i };
            // The adjustment is a valid time entry row (signed hours allowed only because it adjusts).
            expect(TimeEntry.safeParse({ assignmentId: '01900000-0000-7000-8000-000000000001', workDate: '2026-02-24', ...delta, status: 'submitted', approvedById: null, approvedAt: null, note: null, adjustsEntryId: '01900000-0000-7000-8000-000000000002', disputeReason: null, payrollHeldUntil: null }).success).toBe(true);
            rows.push(adjustment);
          }
        }
        for (let i = 0; i < rows.length; i++) {
          const row = rows[i];
          if (row === undefined || row.adjusts !== null) continue;
          const e = effective(i);
          for (const v of [e.regularHours, e.overtimeHours, e.doubleTimeHours]) expect(v).toBeGreaterThanOrEqual(0);
          expect(e.regularHours + e.overtimeHours + e.doubleTimeHours).toBeLessThanOrEqual(24);
          const paid = payroll.filter((p) => p.original === i).reduce((s, p) => ({ regularHours: s.regularHours + p.hours.regularHours, overtimeHours: s.overtimeHours + p.hours.overtimeHours, doubleTimeHours: s.doubleTimeHours + p.hours.doubleTimeHours }), { regularHours: 0, overtimeHours: 0, doubleTimeHours: 0 });
          const want = COUNTED_STATUSES.has(row.status) ? e : { regularHours: 0, overtimeHours: 0, doubleTimeHours: 0 };
          expect(deltaOf(paid, want)).toEqual({ regularHours: 0, overtimeHours: 0, doubleTimeHours: 0 });
        }
      }),
      { numRuns: 300 },
    );
  });
});
