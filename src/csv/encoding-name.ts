/** The encodings an import accepts (see encoding.ts for how one is chosen). */
export type CsvEncoding = 'utf-8' | 'utf-8-bom' | 'utf-16le-bom' | 'utf-16be-bom' | 'windows-1252';
