import type { CsvEncoding } from './encoding-name.ts';

export interface TextDecoderLike {
  /** Decodes a chunk; throws on bytes that are not valid in the encoding. */
  write(chunk: Uint8Array): string;
  end(): string;
}

/** Offset of the first byte Windows-1252 does not define, or -1. */
export function firstUndefined1252(chunk: Uint8Array): number;

/** A streaming decoder that throws instead of inventing characters, and drops the byte order mark. */
export function createDecoder(encoding: CsvEncoding): TextDecoderLike;
