export { Engine, type EngineOptions } from './apply.ts';
export { ConflictResolver, type ResolveOutcome, type ResolveRequest } from './conflicts.ts';
export { applyLocalChange, type LocalChange, type LocalResult } from './local.ts';
export { mergeRecord, type MergeInput, type MergeResult } from './merge.ts';
export { fanOut, type ChangedRecord } from './fanout.ts';
export { hashIncoming } from './hash.ts';
export * from './policy.ts';
export * from './types.ts';
export * from './errors.ts';
