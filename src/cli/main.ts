import { Command, CommanderError } from 'commander';
import { ConfigFileError } from '../config/index.ts';
import { ConfigError } from '../engine/index.ts';
import { CliContext } from './context.ts';
import { UsageError } from './errors.ts';
import { registerAccess } from './commands/access.ts';
import { registerAudit } from './commands/audit.ts';
import { registerConflicts } from './commands/conflicts.ts';
import { registerConnectors } from './commands/connectors.ts';
import { registerDb } from './commands/db.ts';
import { registerDemo } from './commands/demo.ts';
import { registerDocuments } from './commands/documents.ts';
import { registerExport } from './commands/export.ts';
import { registerExceptions } from './commands/exceptions.ts';
import { registerIdentity } from './commands/identity.ts';
import { registerImport } from './commands/import.ts';
import { registerInvoices } from './commands/invoices.ts';
import { registerKeys } from './commands/keys.ts';
import { registerLedger } from './commands/ledger.ts';
import { registerLinks } from './commands/links.ts';
import { registerMappings } from './commands/mappings.ts';
import { registerOutbox } from './commands/outbox.ts';
import { registerNotifications } from './commands/notifications.ts';
import { registerReconcile } from './commands/reconcile.ts';
import { registerRuns } from './commands/runs.ts';
import { registerRuntime } from './commands/runtime.ts';
import { registerSecrets } from './commands/secrets.ts';
import { registerStatus } from './commands/status.ts';
import { registerSync } from './commands/sync.ts';
import { registerUsers } from './commands/users.ts';

const ctx = new CliContext();
const program = new Command('crosswalk')
  .description('Crosswalk: the integration and sync hub behind a staffing firm\'s client portal')
  .option('-c, --config <file>', 'configuration file (default crosswalk.config.yaml, or CROSSWALK_CONFIG)')
  .showHelpAfterError()
  .exitOverride();
program.hook('preAction', () => ctx.setConfigFile(program.opts<{ config?: string }>().config));

registerDb(program, ctx);
registerStatus(program, ctx);
registerLedger(program, ctx);
registerConflicts(program, ctx);
registerConnectors(program, ctx);
registerSync(program, ctx);
registerReconcile(program, ctx);
registerImport(program, ctx);
registerExport(program, ctx);
registerInvoices(program, ctx);
registerExceptions(program, ctx);
registerMappings(program, ctx);
registerLinks(program, ctx);
registerIdentity(program, ctx);
registerOutbox(program, ctx);
registerNotifications(program, ctx);
registerRuns(program, ctx);
registerRuntime(program, ctx);
registerSecrets(program, ctx);
registerKeys(program, ctx);
registerUsers(program, ctx);
registerAccess(program, ctx);
registerAudit(program, ctx);
registerDocuments(program, ctx);
registerDemo(program);

try {
  await program.parseAsync(process.argv);
} catch (err) {
  process.exitCode = report(err);
} finally {
  await ctx.close();
}

/** Known mistakes print one clear line; anything else prints its stack, because it is a bug. */
function report(err: unknown): number {
  if (err instanceof CommanderError) return err.exitCode;
  if (err instanceof UsageError) {
    process.stderr.write(`crosswalk: ${err.message}\n`);
    return 2;
  }
  if (err instanceof ConfigFileError || err instanceof ConfigError) {
    process.stderr.write(`crosswalk: configuration: ${err.message}\n`);
    return 2;
  }
  process.stderr.write(`crosswalk: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  return 1;
}
