import Database from 'better-sqlite3';
import { cpus } from 'node:os';

/** Absolute figures compare only between identical fingerprints; ratios travel. */
export function hostFingerprint(): string {
  const cpu = cpus()[0]?.model.trim() ?? 'unknown cpu';
  const db = new Database(':memory:');
  const sqlite = (db.prepare('select sqlite_version() v').get() as { v: string }).v;
  db.close();
  return `host: ${cpu} x${cpus().length}, node ${process.version}, sqlite ${sqlite}`;
}
