import { sqliteOf } from '../../support/temp-store.ts';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { ConnectorInstance } from '../../../connectors/kit/types.ts';
import { CrosswalkConfig, type LoadedConfig } from '../../../src/config/index.ts';
import { Hub } from '../../../src/hub.ts';
import { silentLogger } from '../../../src/lib/logger.ts';
import { inboundMappings } from '../../../src/reconcile/index.ts';
import { tempDir } from '../../support/temp-store.ts';
import { FakeVendor } from './fake-vendor.ts';
import { MAPPINGS, SYSTEMS } from './harness.ts';
import { ensureStagingTable } from './schema.ts';

/** A hub whose systems talk to in-memory fake vendors: the connector registry has no fake connectors, so they are handed in here. */
class FakeVendorHub extends Hub {
  constructor(config: LoadedConfig, private readonly fakes: Readonly<Record<string, ConnectorInstance>>) {
    super(config, { logger: silentLogger() });
  }

  override connector(systemId: string): ConnectorInstance {
    return this.fakes[systemId] ?? super.connector(systemId);
  }
}

export interface TestHub {
  readonly hub: Hub;
  readonly vendors: { readonly ats: FakeVendor; readonly payroll: FakeVendor };
  close(): Promise<void>;
}

/** A hub on a temp directory: the test mappings written out, inline queue, both fake systems configured. */
export function openTestHub(options: { pageSize?: number; reconcile?: { shrinkThreshold?: number; graceDays?: number } } = {}): TestHub {
  const temp = tempDir();
  for (const [path, text] of Object.entries(MAPPINGS)) {
    const file = join(temp.dir, 'mappings', path);
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, text);
  }
  const parsed = CrosswalkConfig.parse({
    database: join(temp.dir, 'hub.sqlite'),
    mappings: join(temp.dir, 'mappings'),
    queue: { driver: 'inline' },
    reconcile: options.reconcile ?? {},
    systems: SYSTEMS.map((s) => ({ id: s.id, connector: s.connector, kind: s.kind, baseUrl: 'http://127.0.0.1:9' })),
  });
  const config: LoadedConfig = { ...parsed, source: '(test)', root: temp.dir, redisUrl: null, adminToken: null, logLevel: 'silent' };
  const vendors = { ats: new FakeVendor(options.pageSize ?? 3), payroll: new FakeVendor(options.pageSize ?? 3) };
  const hub = new FakeVendorHub(config, { ats: vendors.ats.connector(), payroll: vendors.payroll.connector() });
  ensureStagingTable(sqliteOf(hub.store()));
  return {
    hub,
    vendors,
    async close() {
      await hub.close();
      temp.dispose();
    },
  };
}

/** A full pull without the queue (the CLI under test starts the hub's worker itself): every record through the hub's engine. */
export async function syncDirect(t: TestHub, system: 'ats' | 'payroll', vendorEntity: string): Promise<void> {
  const vendor = t.vendors[system];
  for (const mapping of inboundMappings(t.hub.registry().allByVendorEntity(system, vendorEntity))) {
    const records = vendor.all(vendorEntity).flatMap((r) => {
      const res = mapping.toIncoming(r);
      return res.ok ? [res.record] : [];
    });
    await t.hub.engine().apply({ system, entity: mapping.entity, records });
  }
}
