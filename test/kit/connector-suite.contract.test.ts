import { describeConnectorContract } from '../contract/connector-suite.ts';
import { lumen } from './sample/connector.ts';
import { startLumenEmulator } from './sample/emulator.ts';

// The suite run against the kit's sample connector: proves the suite itself and shows the shape of a
// connector's contract test (one call, options only).
describeConnectorContract({
  connector: lumen,
  start: () => startLumenEmulator({ workers: 57 }),
  entities: [{ entity: 'workers', expectedCount: 57, pageSize: 10 }],
  incremental: {
    entity: 'workers',
    change: async (handle) => {
      const since = new Date().toISOString();
      const changedIds = ['wk_0003', 'wk_0030', 'wk_0057'];
      await new Promise((resolve) => setTimeout(resolve, 5));
      handle.control.touch(changedIds);
      return { since, changedIds };
    },
  },
  fetchByIds: { missingId: 'wk_9999' },
  push: {
    entity: 'workers',
    create: () => ({ body: { name: 'Zoë Nguyễn-Søren', email: 'zoe.nguyen@example.com' } }),
    expectCreated: { name: 'Zoë Nguyễn-Søren', email: 'zoe.nguyen@example.com', version: 1 },
    update: (_created, record) => ({ body: { name: `${String(record['name'])} (updated)` } }),
    expectUpdated: { name: 'Zoë Nguyễn-Søren (updated)', version: 2 },
  },
  webhook: {
    sample: (handle) => handle.control.webhookFor('wk_0012'),
    secret: (handle) => handle.credentials['webhookSecret'] ?? '',
    expectEvents: [{ entity: 'workers', externalId: 'wk_0012', kind: 'updated' }],
  },
  events: {
    trigger: async (handle) => {
      handle.control.touch(['wk_0001', 'wk_0002']);
      return [{ entity: 'workers', externalId: 'wk_0001' }, { entity: 'workers', externalId: 'wk_0002' }];
    },
  },
  faults: {
    rateLimitBurst: (handle, count) => handle.control.faults.rateLimit(count),
    serverErrorBurst: (handle, count) => handle.control.faults.serverError(count),
  },
});
