/**
 * Natural match keys: how a record seen for the first time in one system is recognised as a
 * canonical record another system (or the portal) already made. Declared per entity in
 * `ENTITIES[entity].matchKeys`; the engine looks them up, the store compares them.
 */

/**
 * How one part of a key is compared.
 * - `exact`: as stored (ids, ISO dates: already normalised by the mapping).
 * - `email`: case-insensitive (`Ana@X.com` is `ana@x.com`).
 * - `phone`: its digits without spaces, dashes, dots, brackets or `+`, the last ten of them
 *   (`+1 (555) 010-0100` is `5550100100`); a value with anything else in it (an extension) is
 *   not used as a key.
 * - `text`: case, dots, commas and doubled spaces ignored (`12 Main St.` is `12 main st`).
 */
export type KeyNorm = 'exact' | 'email' | 'phone' | 'text';

export interface MatchKeyPart {
  readonly field: string;
  readonly norm: KeyNorm;
}

export interface MatchKey {
  /** How ops read it in the evidence: `email`, `assignment + work date`. */
  readonly name: string;
  /** Every part must have a value for the key to be used. */
  readonly parts: readonly MatchKeyPart[];
  /**
   * `strong`: one canonical record with the same key is the same record (link and merge).
   * `weak`: a match is evidence only; a record matched by weak keys alone waits for a person.
   */
  readonly strength: 'strong' | 'weak';
}

/**
 * A key's value for a record: its parts normalised, as a JSON array (a part may hold any
 * character), or null when a part is missing or unusable.
 */
export function keyValue(key: MatchKey, values: Readonly<Record<string, unknown>>): string | null {
  const out: string[] = [];
  for (const part of key.parts) {
    const v = normaliseKeyPart(part.norm, values[part.field]);
    if (v === null) return null;
    out.push(v);
  }
  return JSON.stringify(out);
}

/** One part, normalised as the store's SQL normalises it (see `keyExpression` in src/store/key-sql.ts). */
export function normaliseKeyPart(norm: KeyNorm, value: unknown): string | null {
  if (typeof value !== 'string' && typeof value !== 'number') return null;
  const text = String(value);
  switch (norm) {
    case 'exact':
      return text === '' ? null : text;
    case 'email': {
      const email = text.trim().toLowerCase();
      return email.includes('@') ? email : null;
    }
    case 'phone': {
      const digits = text.replace(/[ ().+-]/g, '');
      // Fewer than seven digits is an extension or a typo, not a phone number anyone shares.
      return /^\d{7,}$/.test(digits) ? digits.slice(-10) : null;
    }
    case 'text': {
      // Mirrors SQLite's lower(trim(replace(...))): ASCII case, spaces at the ends, no dots or commas.
      const t = text.replaceAll('.', '').replaceAll(',', '').replaceAll('  ', ' ').replace(/^ +| +$/g, '').replace(/[A-Z]/g, (c) => c.toLowerCase());
      return t === '' ? null : t;
    }
  }
}
