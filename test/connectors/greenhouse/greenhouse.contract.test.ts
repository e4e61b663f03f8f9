import { greenhouse } from '../../../connectors/greenhouse/index.ts';
import { sampleDataset } from '../../../fixtures/dataset/index.ts';
import { startGreenhouseEmulator, type RunningGreenhouseEmulator } from '../../../fixtures/greenhouse/index.ts';
import { describeConnectorContract, type EmulatorHandle } from '../../contract/connector-suite.ts';

/** The Greenhouse connector against the Greenhouse emulator over real HTTP: the shared contract suite, once. */

const dataset = sampleDataset();
const SECRET = 'contract-greenhouse-secret-key';

/** Candidates edited in Greenhouse (their updated_at moves to now). */
function editCandidates(handle: EmulatorHandle<RunningGreenhouseEmulator>, count: number): string[] {
  const ids = handle.control.control.records('candidates').slice(0, count).map((r) => r.id);
  for (const id of ids) handle.control.control.edit('candidates', id, { title: 'Contract' });
  return ids.map(String);
}

describeConnectorContract<RunningGreenhouseEmulator>({
  connector: greenhouse,
  start: async () => {
    const emulator = await startGreenhouseEmulator({ dataset, rateLimit: 500 });
    return { baseUrl: emulator.baseUrl, credentials: { ...emulator.credentials, webhookSecret: SECRET }, control: emulator, close: () => emulator.close() };
  },
  entities: [
    { entity: 'jobs', expectedCount: dataset.requisitions.length, pageSize: 40 },
    { entity: 'candidates', expectedCount: dataset.candidates.length, pageSize: 100 },
    { entity: 'applications', expectedCount: dataset.submissions.length, pageSize: 100 },
  ],
  incremental: {
    entity: 'candidates',
    change: async (handle) => {
      const since = new Date(Date.now() - 1).toISOString();
      return { since, changedIds: editCandidates(handle, 3) };
    },
  },
  fetchByIds: { entity: 'candidates', missingId: '99999999' },
  webhook: {
    // A hire as Greenhouse sends it (the payload file's shape), for a seeded application.
    sample: (handle) => {
      const app = handle.control.control.records('applications')[0];
      if (!app) throw new Error('no application seeded');
      return handle.control.control.delivery('hire_candidate', { application: { id: app.id, status: 'hired', candidate: { id: app['candidate_id'], first_name: 'Theo <T>' } } }, SECRET);
    },
    secret: () => SECRET,
    bad: (sample) => [
      { label: 'signature without the sha256 prefix', body: sample.body, headers: { ...sample.headers, Signature: (sample.headers['Signature'] ?? '').replace('sha256 ', '') } },
      { label: 'signature as sha256=<hex> (the GitHub form)', body: sample.body, headers: { ...sample.headers, Signature: (sample.headers['Signature'] ?? '').replace('sha256 ', 'sha256=') } },
      { label: 'the body re-encoded without Greenhouse escaping', body: Buffer.from(JSON.stringify(JSON.parse(sample.body.toString('utf8')))), headers: sample.headers },
    ],
    expectEvents: [{ entity: 'applications', kind: 'updated' }, { entity: 'candidates', kind: 'updated' }],
  },
  faults: {
    rateLimitBurst: (handle, count) => {
      handle.control.control.faults.rateLimitNext = count;
      handle.control.control.faults.retryAfterSeconds = 1;
    },
    serverErrorBurst: (handle, count) => {
      handle.control.control.faults.serverErrorNext = count;
    },
    entity: 'jobs',
  },
  skip: {
    // Harvest takes writes (PATCH candidate with On-Behalf-Of, docs/vendors.md §2), but no mapping carries a field out to Greenhouse:
    // a push would be code with no caller. Decided again for issue 12: the skip stands.
    push: 'read-only: requisitions, candidates and submissions start in the ATS and the hub writes nothing back to Greenhouse',
    events: 'Greenhouse has no event queue or feed: changes come by recruiting webhooks, and incremental pulls catch missed ones',
  },
});
