import { describe, expect, it } from 'vitest';
import { decidePayroll, type PayrollFacts } from '../../src/engine/index.ts';

/** The payroll rule, case by case (src/engine/payroll-route.ts). */
const both = ['gusto', 'adp'];
const facts = (linkedTo: string[], clientId: string | null = 'client-1', payrollSystems = both): PayrollFacts => ({ payrollSystems, linkedTo, clientId });

describe('which payroll pays a worker', () => {
  it('a worker linked to one payroll is paid there, whatever the settings say', () => {
    expect(decidePayroll(facts(['adp']), { byClient: { 'client-1': 'gusto' }, default: 'gusto' })).toMatchObject({ kind: 'route', system: 'adp' });
  });

  it('linked to both: the client\'s setting decides; without one it is ambiguous (ops decide)', () => {
    expect(decidePayroll(facts(['gusto', 'adp']), { byClient: { 'client-1': 'adp' } })).toMatchObject({ kind: 'route', system: 'adp' });
    const open = decidePayroll(facts(['gusto', 'adp']), { byClient: {}, default: 'gusto' });
    expect(open).toMatchObject({ kind: 'ambiguous' });
    expect(open.why).toMatch(/payroll\.byClient/);
  });

  it('linked to none (a new hire): the client\'s setting, else the default, else the only payroll, else wait', () => {
    expect(decidePayroll(facts([]), { byClient: { 'client-1': 'adp' }, default: 'gusto' })).toMatchObject({ kind: 'route', system: 'adp' });
    expect(decidePayroll(facts([], 'client-2'), { byClient: { 'client-1': 'adp' }, default: 'gusto' })).toMatchObject({ kind: 'route', system: 'gusto' });
    expect(decidePayroll(facts([], null, ['gusto']), { byClient: {} })).toMatchObject({ kind: 'route', system: 'gusto' });
    expect(decidePayroll(facts([]), { byClient: {} })).toMatchObject({ kind: 'wait' });
  });

  it('links to systems that are not payrolls are ignored, and a setting naming no payroll is a configuration error', () => {
    expect(decidePayroll(facts(['bullhorn', 'adp']), { byClient: {} })).toMatchObject({ kind: 'route', system: 'adp' });
    expect(() => decidePayroll(facts([]), { byClient: { 'client-1': 'bullhorn' } })).toThrow(/payroll\.byClient\.client-1 names bullhorn/);
    expect(() => decidePayroll(facts([]), { byClient: {}, default: 'paychex' })).toThrow(/payroll\.default names paychex/);
  });
});
