import type { Engine } from '../engine/index.ts';
import type { Binding } from './binding.ts';
import type { SeenKeys } from './scratch.ts';

/** What every stage of a chunk reads: the import's binding, source, engine, run and seen keys. */
export interface ChunkContext {
  readonly binding: Binding;
  /** `csv:<source>` */
  readonly system: string;
  readonly engine: Engine;
  /** Ledger rows of the import carry it; the engine's rejections are found by it. */
  readonly runId: string;
  readonly seen: SeenKeys;
  readonly headerLength: number;
}
