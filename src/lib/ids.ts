import { uuidv7 } from 'uuidv7';

/** A new canonical or row id: UUIDv7, time-ordered so inserts stay at the end of the B-tree. */
export function newId(): string {
  return uuidv7();
}
