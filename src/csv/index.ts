/**
 * The CSV fallback: files as source system `csv:<source>` through the mappings and the merge
 * engine, exactly once; payroll-ready and register exports. See `mappings/csv/README.md`.
 */
export { importCsv, describe as describeImport, DEFAULT_CHUNK_ROWS, type ImportOptions, type ImportProgress } from './import.ts';
export type { ImportReport, ImportStatus } from './report.ts';
export { IMPORT_KINDS, KINDS, isImportKind, type ImportKind } from './kinds.ts';
export { CsvRefusal, DEFAULT_LIMITS, REFUSAL_CODES, type ImportLimits, type RefusalCode } from './limits.ts';
export { exportTime, exportTimeRun, parsePeriod, MAX_PERIOD_DAYS, type Period, type TimeExportOptions, type TimeExportResult } from './export-time.ts';
export { exportInvoices } from './export-invoices.ts';
export { exportEntity, entityColumns, type EntityExportOptions } from './export-entity.ts';
export { writeImportErrors, writeErrorList } from './errors-csv.ts';
export { PAYROLL_FORMATS, isPayrollFormat, type PayrollFormat, type AdpOptions } from './payroll.ts';
export { neutralise, unneutralise, FORMULA_TRIGGERS, NEUTRALISING_PREFIX } from './neutralise.ts';
export { createCsvWriter, stringifyRows, type Cell } from './write.ts';
export { csvRoutes, type CsvRouteDeps } from './http.ts';
export { terminalProgress } from './progress.ts';
