import { gusto } from '../../../connectors/gusto/index.ts';
import { signGusto } from '../../../connectors/kit/index.ts';
import { sampleDataset } from '../../../fixtures/dataset/index.ts';
import { describeConnectorContract, type EmulatorHandle } from '../../contract/connector-suite.ts';
import { startGusto, type GustoUnderTest } from './support/emulator.ts';

/** The Gusto connector against the Gusto emulator over real HTTP: the shared contract suite, once. */

const dataset = sampleDataset();
const WEBHOOK_TOKEN = 'contract-webhook-verification-token';

/** Employees the emulator seeds: 80 % (rounded) of the candidates with an active or completed assignment. */
const eligible = new Set(dataset.assignments.filter((a) => a.status === 'active' || a.status === 'completed').map((a) => a.candidateId));
const seededEmployees = Math.round(dataset.candidates.filter((c) => eligible.has(c.key)).length * 0.8);

/** One processed payroll per week of exported or invoiced time of an employee's job, and the open one after. */
function seededPayrolls(handle: EmulatorHandle<GustoUnderTest>): number {
  const weeks = new Set<string>();
  for (const entry of dataset.timeEntries()) {
    if (entry.status !== 'exported' && entry.status !== 'invoiced') continue;
    if (handle.control.control.jobUuidFor(entry.assignmentId) === undefined) continue;
    const day = new Date(`${entry.workDate}T00:00:00Z`);
    day.setUTCDate(day.getUTCDate() - ((day.getUTCDay() + 6) % 7));
    weeks.add(day.toISOString().slice(0, 10));
  }
  return weeks.size + 1;
}

/** Some seeded employees, edited in the emulator (each edit is an `employee.updated` event). */
function editEmployees(handle: EmulatorHandle<GustoUnderTest>, count: number): string[] {
  const uuids = handle.control.control.employees().slice(0, count).map((e) => String(e['uuid']));
  for (const uuid of uuids) handle.control.control.editEmployee(uuid, { preferred_first_name: 'Contract' });
  return uuids;
}

describeConnectorContract<GustoUnderTest>({
  connector: gusto,
  start: async () => {
    const emulator = await startGusto({ dataset });
    return {
      baseUrl: emulator.baseUrl,
      credentials: { ...emulator.credentials, verificationToken: WEBHOOK_TOKEN },
      control: emulator,
      close: () => emulator.close(),
    };
  },
  entities: [
    { entity: 'employees', expectedCount: seededEmployees, pageSize: 25 },
    { entity: 'payrolls', expectedCount: seededPayrolls, pageSize: 2 },
  ],
  incremental: {
    entity: 'employees',
    change: async (handle) => {
      const since = new Date().toISOString();
      return { since, changedIds: editEmployees(handle, 3) };
    },
  },
  fetchByIds: { missingId: '00000000-0000-4000-8000-000000000000' },
  push: {
    entity: 'employees',
    create: () => ({ body: { first_name: 'Marisol', last_name: 'Quintero-Abara', email: 'marisol.quintero-abara@example.com' } }),
    expectCreated: { first_name: 'Marisol', last_name: 'Quintero-Abara', email: 'marisol.quintero-abara@example.com', onboarded: false },
    update: () => ({ body: { first_name: 'Marisela' } }),
    expectUpdated: { first_name: 'Marisela', last_name: 'Quintero-Abara' },
  },
  webhook: {
    // The bytes the emulator's dispatcher sends for an event (JSON.stringify of it), signed as Gusto signs.
    sample: (handle) => {
      const [uuid] = editEmployees(handle, 1);
      const event = handle.control.control.events().at(-1);
      if (uuid === undefined || event === undefined) throw new Error('no event to deliver');
      const body = Buffer.from(JSON.stringify(event));
      return { body, headers: { 'content-type': 'application/json', ...signGusto(body, WEBHOOK_TOKEN) } };
    },
    secret: () => WEBHOOK_TOKEN,
    bad: (sample) => [
      { label: 'signature with a sha256= prefix', body: sample.body, headers: { 'X-Gusto-Signature': `sha256=${Object.values(sample.headers).at(-1) ?? ''}` } },
      { label: 'the signature of another body', body: Buffer.from('{"uuid":"x"}'), headers: sample.headers },
    ],
    expectEvents: [{ entity: 'employees', kind: 'updated' }],
  },
  events: {
    trigger: async (handle) => editEmployees(handle, 2).map((externalId) => ({ entity: 'employees', externalId })),
  },
  faults: {
    rateLimitBurst: (handle, count) => handle.control.control.faults.set({ rateLimitStorm: { requests: count, retryAfterSeconds: 1 } }),
    serverErrorBurst: (handle, count) => handle.control.serverErrorNext(count),
  },
});
