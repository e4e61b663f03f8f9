import { adp } from '../../../connectors/adp/index.ts';
import { sampleDataset } from '../../../fixtures/dataset/index.ts';
import { startAdpEmulator, type RunningAdpEmulator } from '../../../fixtures/adp/index.ts';
import { describeConnectorContract } from '../../contract/connector-suite.ts';

/** The ADP connector against the ADP emulator over real HTTPS with mutual TLS: the shared contract suite, once. */

const dataset = sampleDataset();
/** Workers the emulator seeds: the candidates of active or completed assignments. */
const placed = new Set(dataset.assignments.filter((a) => a.status === 'active' || a.status === 'completed').map((a) => a.candidateId));
const seededWorkers = dataset.candidates.filter((c) => placed.has(c.key)).length;

function firstWorker(emulator: RunningAdpEmulator): string {
  const [worker] = emulator.control.workers();
  if (!worker) throw new Error('no workers seeded');
  return worker.associateOID;
}

describeConnectorContract<RunningAdpEmulator>({
  connector: adp,
  start: async () => {
    const emulator = await startAdpEmulator({ dataset });
    return { baseUrl: emulator.baseUrl, credentials: emulator.credentials, control: emulator, close: () => emulator.close() };
  },
  idOf: (_entity, record) => String(record['associateOID']),
  // Wrong secrets: the client secret (refused at the token endpoint) and the key (the certificate no longer matches it).
  badCredentials: (good) => ({ ...good, clientSecret: `${good['clientSecret'] ?? ''}-wrong` }),
  entities: [{ entity: 'workers', expectedCount: seededWorkers, pageSize: 25 }],
  fetchByIds: { entity: 'workers', missingId: 'G3NOSUCHWORKER00' },
  events: {
    trigger: async (handle) => {
      const [worker] = handle.control.control.workers();
      if (!worker) throw new Error('no workers seeded');
      handle.control.control.editWorker(worker.associateOID, { givenName: 'Contract' });
      return [{ entity: 'workers', externalId: worker.associateOID }];
    },
  },
  // An approved worker-day as pay data input, read back from the worker's batch; the update sends the difference.
  push: {
    entity: 'payDataInputs',
    create: (handle) => ({
      body: { workDate: '2026-11-18', hours: { regular: 8, overtime: 1.5, doubleTime: 0 } },
      related: { assignmentId: { externalId: firstWorker(handle.control), meta: {} } },
    }),
    expectCreated: { payrollProcessingJobID: 'crosswalk-week-2026-11-15', batchTotals: { R: 8, O: 1.5 } },
    update: (_created, _readBack, handle) => ({
      body: { workDate: '2026-11-18', hours: { regular: 8, overtime: 2.5, doubleTime: 0.5 } },
      related: { assignmentId: { externalId: firstWorker(handle.control), meta: {} } },
    }),
    expectUpdated: { batchTotals: { R: 8, O: 2.5, D: 0.5 } },
  },
  faults: {
    rateLimitBurst: (handle, count) => {
      handle.control.control.faults.rateLimitNext = count;
      handle.control.control.faults.retryAfterSeconds = 1;
    },
    serverErrorBurst: (handle, count) => {
      handle.control.control.faults.serverErrorNext = count;
    },
  },
  skip: {
    // docs/vendors.md §4.2 documents $top/$skip/$filter/$select but no filterable modified date: the skip stands.
    incremental: 'ADP workers have no modified-since filter: changes come from the event notification queue',
  },
});
