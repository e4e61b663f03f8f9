import { byText, decimal, dollarCells, HoursSum, metaText, type PayrollFile, type PayrollFileEntry } from '../kit/index.ts';

/**
 * ADP Workforce Now paydata import (the EPI file: header row, one row per employee batch line).
 * ADP requires Co Code, Batch ID and File # in the first three positions; then Reg Hours and O/T
 * Hours; double time goes in Hours 3 Code/Amount with the client's double-time earnings code
 * (earnings codes are client-specific in ADP); Temp Rate carries the placement's pay rate, because
 * a temp's rate is the placement's, not the employee's default. One row per worker, placement and
 * pay rate: a rate change inside the period gives two rows. Co Code and File # come from the
 * worker's ADP link (`payrollGroupCode`, `payrollFileNumber`, kept by the worker pull).
 *
 * Options: `companyCode` (when a link has none), `batchId` (default `CW` + the period's last day
 * as YYMMDD), `doubleTimeCode` (default `D`).
 */
export const adpPayrollFile: PayrollFile = {
  layout(entries, period, options) {
    const batch = options['batchId'] ?? `CW${period.to.replaceAll('-', '').slice(2)}`;
    const dtCode = options['doubleTimeCode'] ?? 'D';
    const groups = new Map<string, { e: PayrollFileEntry; company: string; file: string; reg: HoursSum; ot: HoursSum; dt: HoursSum }>();
    for (const e of entries) {
      const company = metaText(e.linkMeta['payrollGroupCode']) ?? options['companyCode'] ?? '';
      const file = metaText(e.linkMeta['payrollFileNumber']) ?? '';
      const key = `${company}\u0000${file}\u0000${e.assignmentId}\u0000${e.payRateCents ?? ''}`;
      let g = groups.get(key);
      if (!g) {
        g = { e, company, file, reg: new HoursSum(), ot: new HoursSum(), dt: new HoursSum() };
        groups.set(key, g);
      }
      g.reg.add(e.regularHours);
      g.ot.add(e.overtimeHours);
      g.dt.add(e.doubleTimeHours);
    }
    const sorted = [...groups.values()].sort(byText((g) => `${g.company}\u0000${g.file.padStart(12, '0')}\u0000${g.e.assignmentId}\u0000${String(g.e.payRateCents ?? 0).padStart(12, '0')}`));
    return {
      header: ['Co Code', 'Batch ID', 'File #', 'Reg Hours', 'O/T Hours', 'Hours 3 Code', 'Hours 3 Amount', 'Temp Rate'],
      rows: sorted.map((g) => [
        g.company, batch, g.file, decimal(g.reg.value, 2), decimal(g.ot.value, 2), g.dt.zero ? null : dtCode, g.dt.zero ? null : decimal(g.dt.value, 2),
        g.e.payRateCents === null ? null : dollarCells(g.e.payRateCents),
      ]),
    };
  },
  missing(e, options) {
    if (metaText(e.linkMeta['payrollFileNumber']) === null) return `no ADP file number for ${e.firstName} ${e.lastName}: link the worker to ADP first`;
    if (metaText(e.linkMeta['payrollGroupCode']) === null && options['companyCode'] === undefined) return `no ADP company code for ${e.firstName} ${e.lastName}: link the worker to ADP or pass a company code`;
    return null;
  },
};
