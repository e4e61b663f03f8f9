import { bullhorn } from '../../../connectors/bullhorn/index.ts';
import { startBullhornEmulator, type BullhornControl } from '../../../fixtures/bullhorn/index.ts';
import { countDataset, sampleDataset } from '../../../fixtures/dataset/index.ts';
import { describeConnectorContract, type EmulatorHandle } from '../../contract/connector-suite.ts';
import { subscribeAhead } from './support.ts';

/** The Bullhorn connector against its emulator over real HTTP, through the shared contract suite. */

const dataset = sampleDataset();
const counts = countDataset(dataset);
/** Both the test's subscription and the connector's (through its `subscriptionId` option) use this name. */
const SUBSCRIPTION = 'crosswalk-contract';

type Handle = EmulatorHandle<BullhornControl>;

const client = dataset.clients.find((c) => dataset.contacts.some((ct) => ct.clientId === c.key));
const contact = dataset.contacts.find((ct) => ct.clientId === client?.key);
if (!client || !contact) throw new Error('the sample dataset has a client with a contact');

describeConnectorContract<BullhornControl>({
  connector: bullhorn,
  start: async () => {
    const emu = await startBullhornEmulator({ dataset, port: 0 });
    return { baseUrl: emu.baseUrl, credentials: { ...emu.control.credentials, subscriptionId: SUBSCRIPTION }, control: emu.control, close: () => emu.close() };
  },
  entities: [
    { entity: 'Placement', expectedCount: counts.assignments, pageSize: 40 },
    { entity: 'ClientCorporation', expectedCount: counts.clients, pageSize: 3 },
    { entity: 'Location', expectedCount: counts.worksites, pageSize: 7 },
    { entity: 'ClientContact', expectedCount: counts.contacts, pageSize: 25 },
    { entity: 'JobOrder', expectedCount: counts.requisitions, pageSize: 50 },
    { entity: 'Candidate', expectedCount: counts.candidates, pageSize: 60, fields: ['id', 'firstName', 'lastName', 'address.city'] },
    { entity: 'JobSubmission', expectedCount: counts.submissions },
    { entity: 'PlacementRateCard', expectedCount: counts.assignmentRates, pageSize: 45 },
  ],
  incremental: {
    entity: 'Candidate',
    change: async (handle: Handle) => {
      const since = new Date().toISOString();
      // Seeded records are all a minute or more older than the emulator; these become newer than `since`.
      const ids = [dataset.candidates[1], dataset.candidates[40], dataset.candidates[77]].map((c) => handle.control.idFor(c?.key ?? '', 'Candidate'));
      for (const id of ids) handle.control.edit('Candidate', id, { phone: '(614) 555-0199' });
      return { since, changedIds: ids.map(String) };
    },
  },
  fetchByIds: { entity: 'Placement', missingId: '999999999' },
  push: {
    entity: 'JobOrder',
    create: (handle: Handle) => ({
      body: {
        title: 'Picker — contract test',
        employmentType: 'Contract',
        numOpenings: 2,
        clientCorporation: { id: handle.control.idFor(client.key, 'ClientCorporation') },
        clientContact: { id: handle.control.idFor(contact.key, 'ClientContact') },
      },
    }),
    expectCreated: { title: 'Picker — contract test', employmentType: 'Contract', numOpenings: 2 },
    update: () => ({ body: { numOpenings: 3, status: 'On Hold' } }),
    expectUpdated: { title: 'Picker — contract test', numOpenings: 3, status: 'On Hold' },
  },
  events: {
    trigger: async (handle: Handle) => {
      // Bullhorn only queues changes for subscriptions that exist: as after an earlier poll.
      await subscribeAhead(handle.baseUrl, handle.control, SUBSCRIPTION);
      const candidate = handle.control.idFor(dataset.candidates[3]?.key ?? '', 'Candidate');
      const placement = handle.control.idFor(dataset.assignments[5]?.key ?? '', 'Placement');
      handle.control.edit('Candidate', candidate, { status: 'Inactive' });
      handle.control.edit('Placement', placement, { status: 'Terminated' });
      return [{ entity: 'Candidate', externalId: String(candidate) }, { entity: 'Placement', externalId: String(placement) }];
    },
  },
  faults: {
    rateLimitBurst: (handle: Handle, count: number) => handle.control.faults.set({ rateLimitStorm: { requests: count } }),
    // The emulator has no "next N requests fail" switch for 5xx: a seeded share of them does.
    serverErrorBurst: (handle: Handle) => handle.control.faults.set({ errorRate: 0.3, errorStatus: 502 }),
  },
});
