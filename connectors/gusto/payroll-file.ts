import { byText, decimal, HoursSum, metaText, type PayrollFile, type PayrollFileEntry } from '../kit/index.ts';

/**
 * Gusto's payroll CSV upload (Run payroll → upload CSV): one row per employee and job title for
 * the pay period, columns titled as Gusto's template titles them — `first_name`, `last_name`,
 * `gusto_employee_id` (optional; from the worker's Gusto link), `title` (Gusto needs it only for
 * employees with more than one pay rate) — then regular, overtime and double overtime hours.
 * Gusto matches employees by name, and by SSN last four when two share a name; the hub holds no
 * SSNs, so `gusto_employee_id` is the way to tell namesakes apart.
 */
export const gustoPayrollFile: PayrollFile = {
  layout(entries) {
    const groups = new Map<string, { e: PayrollFileEntry; reg: HoursSum; ot: HoursSum; dt: HoursSum }>();
    for (const e of entries) {
      const key = `${e.candidateId}\u0000${e.title ?? ''}`;
      let g = groups.get(key);
      if (!g) {
        g = { e, reg: new HoursSum(), ot: new HoursSum(), dt: new HoursSum() };
        groups.set(key, g);
      }
      g.reg.add(e.regularHours);
      g.ot.add(e.overtimeHours);
      g.dt.add(e.doubleTimeHours);
    }
    const sorted = [...groups.values()].sort(byText((g) => `${g.e.lastName}\u0000${g.e.firstName}\u0000${g.e.candidateId}\u0000${g.e.title ?? ''}`));
    return {
      header: ['first_name', 'last_name', 'gusto_employee_id', 'title', 'regular_hours', 'overtime_hours', 'double_overtime_hours'],
      rows: sorted.map((g) => [
        g.e.firstName, g.e.lastName, metaText(g.e.linkMeta['employeeCode']) ?? metaText(g.e.linkMeta['gustoEmployeeId']), g.e.title,
        decimal(g.reg.value, 2), decimal(g.ot.value, 2), decimal(g.dt.value, 2),
      ]),
    };
  },
  missing: () => null,
};
