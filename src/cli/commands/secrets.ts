import type { Command } from 'commander';
import { resolveSecretKey } from '../../config/index.ts';
import type { RotateSummary } from '../../store/repos/state-repo.ts';
import { SqliteStore, type Store } from '../../store/index.ts';
import type { CliContext } from '../context.ts';
import { emit } from '../output.ts';

/**
 * `crosswalk secrets rotate`: seals every connector_state value under the current key (the first of
 * CROSSWALK_SECRET_KEY). To rotate: put the new key first and keep the old one after it
 * (`k2:…,k1:…`), run this, then drop the old key. Also seals rows written before encryption.
 */
export function registerSecrets(program: Command, ctx: CliContext): void {
  const secrets = program.command('secrets').description('connector secrets sealed at rest (CROSSWALK_SECRET_KEY)');
  secrets
    .command('rotate')
    .description('re-encrypt every connector state value under the current key')
    .option('--json', 'machine-readable output')
    .action(async (opts: { json?: boolean }) => {
      const config = ctx.config();
      const keyring = resolveSecretKey(config);
      const summary = await rotateConnectorSecrets(ctx.store());
      const report = { database: config.database, currentKeyId: keyring.currentId, keyIds: keyring.keyIds, ...summary };
      emit(opts, report, () => {
        process.stdout.write(
          `${config.database}: ${summary.resealed} of ${summary.total} connector state value(s) sealed under key "${keyring.currentId}"` +
            `${summary.plaintext > 0 ? ` (${summary.plaintext} were plaintext)` : ''}; keys in the ring: ${keyring.keyIds.join(', ')}\n`,
        );
      });
    });
}

/**
 * Re-seals every connector_state value under the current key, in one unit of work. The old bytes
 * (plaintext, or sealed under a key being retired) must not survive in the file: secure_delete
 * zeroes the space the old cells leave, and a TRUNCATE checkpoint folds the WAL, which still holds
 * the old pages, into the database and empties it.
 */
export async function rotateConnectorSecrets(store: Store): Promise<RotateSummary> {
  if (!(store instanceof SqliteStore)) {
    // PostgreSQL: the old row versions are dead tuples until vacuumed; VACUUM reclaims them (it cannot
    // run inside a transaction, so it follows the commit).
    const summary = await store.unitOfWork((tx) => tx.state.rotate(), { durable: true });
    await store.query.run('VACUUM connector_state');
    return summary;
  }
  const previous = store.db.pragma('secure_delete', { simple: true }) as number; // cast: pragma(simple) returns the value untyped
  store.db.pragma('secure_delete = ON');
  try {
    const summary = await store.unitOfWork((tx) => tx.state.rotate(), { durable: true });
    if (!store.db.memory) store.db.pragma('wal_checkpoint(TRUNCATE)');
    return summary;
  } finally {
    store.db.pragma(`secure_delete = ${previous === 1 ? 'ON' : 'OFF'}`);
  }
}
