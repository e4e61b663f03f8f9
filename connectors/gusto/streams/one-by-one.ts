import { NotFoundError, type VendorRecord } from '../../kit/index.ts';

/** Parallel reads for endpoints without a batch filter; the kit's limiter still paces them. */
const CONCURRENCY = 4;

/**
 * Reads records one GET each, keeping the order asked for and leaving out the ones that are gone
 * (404: `NotFoundError`), which reconciliation reads as deleted.
 */
export async function fetchEach(ids: readonly string[], read: (id: string) => Promise<VendorRecord>): Promise<VendorRecord[]> {
  const wanted = [...new Set(ids)];
  const found: Array<VendorRecord | null> = new Array<VendorRecord | null>(wanted.length).fill(null);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < wanted.length) {
      const index = next++;
      const id = wanted[index];
      if (id === undefined) continue;
      try {
        found[index] = await read(id);
      } catch (err: unknown) {
        if (!(err instanceof NotFoundError)) throw err;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(CONCURRENCY, wanted.length) }, () => worker()));
  return found.filter((record): record is VendorRecord => record !== null);
}
