/**
 * Declarative mappings: `mappings/<vendor>/<name>.yaml` files turned into compiled mappers and the
 * engine's sync policy. See `mappings/README.md` for the file format and the error codes.
 */
export { loadMappings, loadMappingSources, type FileStatus, type LoadResult } from './load.ts';
export { checkMappings, formatCheckReport, type EntityReport, type MappingCheckReport } from './check.ts';
export { previewMapping, type MappingPreview, type PreviewField } from './preview.ts';
export { MappingRegistry } from './registry.ts';
export { CompiledMapping, type IncomingResult, type MappedField, type VendorBody, type VendorResult } from './compile.ts';
export { MappingError, MAPPING_ERROR_CODES, type MappingErrorCode } from './errors.ts';
export { fieldsParameter, parsePath, readPath, writePath, type ParsedPath } from './paths.ts';
export type { SystemRef } from './bind.ts';
export type { MappingSource } from './sources.ts';
export type { RefResolver } from './transforms/types.ts';
export { TRANSFORM_NAMES, type TransformName } from './transforms/index.ts';
