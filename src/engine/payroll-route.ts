import type { Repos } from '../store/index.ts';

/**
 * Which payroll system pays an assignment's time (docs/decisions/0019-payroll-routing.md). The
 * rule, in order:
 *   1. a worker whose candidate is linked to exactly one payroll system is paid there;
 *   2. linked to several: the client's entry in `payroll.byClient`, when it names one of them;
 *      otherwise it is ambiguous and ops decide (the push is parked, never sent to both);
 *   3. linked to none (a new hire): the client's entry, else `payroll.default`, else the only
 *      payroll system configured; with several and no setting, the push waits for a link.
 * The same rule routes the assignment itself (a Gusto job) so a worker's job and time go to one payroll.
 */

export interface PayrollRouting {
  readonly byClient: Readonly<Record<string, string>>;
  readonly default?: string | undefined;
}

export interface PayrollFacts {
  /** Every configured payroll system id. */
  readonly payrollSystems: readonly string[];
  /** The payroll systems the worker's candidate has a live link in. */
  readonly linkedTo: readonly string[];
  /** The assignment's client, when the hub knows it (through the worksite or the requisition). */
  readonly clientId: string | null;
}

export type PayrollRoute =
  | { readonly kind: 'route'; readonly system: string; readonly why: string }
  | { readonly kind: 'wait'; readonly why: string }
  | { readonly kind: 'ambiguous'; readonly why: string };

export function decidePayroll(facts: PayrollFacts, routing: PayrollRouting): PayrollRoute {
  const configured = (value: string | undefined, where: string): string | undefined => {
    if (value === undefined) return undefined;
    if (!facts.payrollSystems.includes(value)) throw new Error(`${where} names ${value}, which is not a configured payroll system (${facts.payrollSystems.join(', ')})`);
    return value;
  };
  const forClient = facts.clientId === null ? undefined : configured(routing.byClient[facts.clientId], `payroll.byClient.${facts.clientId}`);
  const linked = facts.linkedTo.filter((s) => facts.payrollSystems.includes(s));
  const [only] = linked;
  if (linked.length === 1 && only !== undefined) return { kind: 'route', system: only, why: `the worker is linked to ${only}` };
  if (linked.length > 1) {
    if (forClient !== undefined && linked.includes(forClient)) return { kind: 'route', system: forClient, why: `the worker is linked to ${linked.join(' and ')}; the client's setting names ${forClient}` };
    return { kind: 'ambiguous', why: `the worker is linked to ${linked.join(' and ')} and no payroll.byClient entry for client ${facts.clientId ?? '(unknown)'} names one of them: unlink one or set it` };
  }
  if (forClient !== undefined) return { kind: 'route', system: forClient, why: `the client's setting names ${forClient}` };
  const fallback = configured(routing.default, 'payroll.default');
  if (fallback !== undefined) return { kind: 'route', system: fallback, why: `payroll.default is ${fallback}` };
  const [single] = facts.payrollSystems;
  if (facts.payrollSystems.length === 1 && single !== undefined) return { kind: 'route', system: single, why: `${single} is the only payroll system` };
  return { kind: 'wait', why: 'the worker is linked to no payroll system yet and neither payroll.byClient nor payroll.default names one' };
}

/** Reads the facts for a time entry or an assignment and decides; null for any other entity. */
export async function payrollRouteFor(
  repos: Repos,
  payrollSystems: readonly string[],
  routing: PayrollRouting,
  entity: string,
  fields: Readonly<Record<string, unknown>>,
): Promise<PayrollRoute | null> {
  let assignment: Readonly<Record<string, unknown>> | undefined;
  if (entity === 'assignment') assignment = fields;
  else if (entity === 'time_entry' && typeof fields['assignmentId'] === 'string') assignment = (await repos.canonical.get('assignment', fields['assignmentId']))?.fields;
  else return null;
  if (assignment === undefined) return { kind: 'wait', why: 'the time entry\'s assignment is not known yet' };
  const candidateId = assignment['candidateId'];
  const linkedTo: string[] = [];
  if (typeof candidateId === 'string') {
    for (const system of payrollSystems) {
      const link = await repos.links.forCanonical(system, 'candidate', candidateId);
      if (link !== null && link.state === 'linked' && link.tombstonedAt === null) linkedTo.push(system);
    }
  }
  return decidePayroll({ payrollSystems, linkedTo, clientId: await clientOf(repos, assignment) }, routing);
}

async function clientOf(repos: Repos, assignment: Readonly<Record<string, unknown>>): Promise<string | null> {
  for (const [field, entity] of [['worksiteId', 'worksite'], ['requisitionId', 'requisition']] as const) {
    const id = assignment[field];
    if (typeof id !== 'string') continue;
    const clientId = (await repos.canonical.get(entity, id))?.fields['clientId'];
    if (typeof clientId === 'string') return clientId;
  }
  return null;
}
