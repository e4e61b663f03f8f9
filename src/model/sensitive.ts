/**
 * Fields that never enter the hub: not in the canonical model, not in a mapping, not in a stored
 * payload (no SSN, birth date, bank or EEO data, see docs/DESIGN.md). A mapping whose target or source path
 * matches one of these is refused when it loads.
 */
const SENSITIVE_PATTERNS: ReadonlyArray<{ pattern: RegExp; what: string }> = [
  { pattern: /(^|[^a-z])ssn($|[^a-z])|social.?security|governmentids?|tax.?id|^tin$|\bein\b/i, what: 'social security or tax id' },
  { pattern: /date.?of.?birth|birth.?date|^dob$|[^a-z]dob$|birthday/i, what: 'date of birth' },
  { pattern: /bank|routing|account.?number|acct.?num|iban|direct.?deposit/i, what: 'bank account' },
  // `eeo` and `race` as words only: `freeOption`, `traceId` and `gracePeriod` merely contain them.
  { pattern: /(^|[^a-z])eeo|gender|(^|[^a-z])race($|[^a-z])|racial|ethnic|veteran|disabilit|sexual.?orient/i, what: 'EEO self-identification' },
  { pattern: /background|criminal|drug.?test|e.?verify|(^|[^a-z])i.?9($|[^0-9a-z])|immigration|visa.?status|medical/i, what: 'background, medical or immigration' },
];

/** Word breaks inside one segment: `_`, `-`, spaces, `employeeSsn`, `i9Status`, `SSNLast4`. */
const CAMEL_OR_SEPARATOR = /[_\-\s]+|(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])/;

/** Returns what kind of sensitive data a field name or path looks like, or null when it is allowed. */
export function sensitiveKind(nameOrPath: string): string | null {
  // Check each path segment and each word of it on its own as well as the whole, so `person.birthDate`,
  // `ssn` and `employeeSsn` all match: under the `i` flag `[^a-z]` cannot see a camelCase boundary.
  const segments = nameOrPath.split(/[.[\]=]+/).filter(Boolean);
  const words = segments.flatMap((s) => s.split(CAMEL_OR_SEPARATOR).filter(Boolean));
  const candidates = [nameOrPath, ...segments, ...words];
  for (const candidate of candidates) {
    for (const { pattern, what } of SENSITIVE_PATTERNS) {
      if (pattern.test(candidate)) return what;
    }
  }
  return null;
}
