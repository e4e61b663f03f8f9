import type { IncomingRecord, IncomingValue, MatchHints, RefValue } from '../../src/engine/index.ts';

/** A reference to a record by the id a system knows it by. */
export function ref(system: string, externalId: string): RefValue {
  return { ref: { system, externalId } };
}

export interface RecordOptions {
  readonly at?: string | null;
  readonly deleted?: boolean;
  readonly match?: MatchHints;
  readonly invalid?: string;
}

/** An incoming record; the source time defaults to a fixed instant so hashes and ordering are deterministic. */
export function rec(externalId: string, values: Readonly<Record<string, IncomingValue>>, options: RecordOptions = {}): IncomingRecord {
  return {
    externalId,
    sourceModifiedAt: options.at === undefined ? '2026-01-01T00:00:00.000Z' : options.at,
    values,
    ...(options.deleted === undefined ? {} : { deleted: options.deleted }),
    ...(options.match === undefined ? {} : { match: options.match }),
    ...(options.invalid === undefined ? {} : { invalid: options.invalid }),
  };
}

/** A clock that moves one second per call, so every write carries a distinct time tests can see. */
export function steppingClock(start = '2026-03-01T00:00:00.000Z'): { now: () => string; peek: () => string } {
  let t = Date.parse(start);
  let last = new Date(t).toISOString();
  return {
    now: () => {
      last = new Date(t).toISOString();
      t += 1000;
      return last;
    },
    peek: () => last,
  };
}

/** An ISO time `minutes` after a fixed origin: readable, ordered source times. */
export function minute(minutes: number): string {
  return new Date(Date.parse('2026-01-01T00:00:00.000Z') + minutes * 60_000).toISOString();
}

/** Valid client fields, overridable. */
export function clientValues(over: Readonly<Record<string, IncomingValue>> = {}): Record<string, IncomingValue> {
  return {
    name: 'Harbor Freight Lines', status: 'active', phone: null, website: null, billingFrequency: 'weekly',
    addressLine1: null, city: 'Dayton', state: 'OH', postalCode: null, ...over,
  };
}

/** Valid candidate fields, overridable. */
export function candidateValues(over: Readonly<Record<string, IncomingValue>> = {}): Record<string, IncomingValue> {
  return {
    firstName: 'Ada', lastName: 'Quill', email: 'ada.quill@example.test', phone: null, city: 'Akron', state: 'OH',
    status: 'active', employeeType: 'w2', ...over,
  };
}
