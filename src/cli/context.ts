import { Hub } from '../hub.ts';
import { loadConfig, type LoadedConfig } from '../config/index.ts';
import type { SyncPolicy } from '../engine/index.ts';
import type { Store } from '../store/index.ts';

/**
 * What commands share: the configuration and the hub's services, each built on first use so that
 * `crosswalk --help` or `mappings check` never opens a database.
 */
export class CliContext {
  private hubInstance: Hub | null = null;
  private configFile: string | undefined;

  setConfigFile(file: string | undefined): void {
    this.configFile = file;
  }

  config(): LoadedConfig {
    return this.hub().config;
  }

  hub(): Hub {
    this.hubInstance ??= new Hub(loadConfig(this.configFile === undefined ? {} : { file: this.configFile }));
    return this.hubInstance;
  }

  store(): Store {
    return this.hub().store();
  }

  policy(): SyncPolicy {
    return this.hub().policy();
  }

  async close(): Promise<void> {
    await this.hubInstance?.close();
  }
}
