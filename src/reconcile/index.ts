/**
 * Nightly reconciliation (issue 5): per system and vendor entity, stream the full listing into
 * staging, diff it against `links` inside SQLite, repair drift through the engine, tombstone safely,
 * list cross-system orphans and report. `jobs/handlers/reconcile-run.ts` drives it one step per job.
 */
export { DEFAULT_SETTINGS, type ReconcileDeps, type ReconcileSettings, type RequestLimit } from './deps.ts';
export { decideGate } from './gate.ts';
export { inboundMappings, stageRows } from './map.ts';
export { isSourceOf } from './source.ts';
export { initialCursor, runStep, startOrJoinRun } from './run.ts';
export { failRun, purgeStaging } from './finish.ts';
export { findOrphans } from './orphans.ts';
export { buildReport, isReport, REPORT_COLUMNS, reportRow } from './report.ts';
export { reconcileMetricFamilies, reconcileMetrics, type ReconcileFamily } from './metrics.ts';
export type { StepResult } from './step.ts';
export * from './types.ts';
