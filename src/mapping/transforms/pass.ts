import type { Scalar } from '../../store/index.ts';
import { parseCanonical, toCanonical } from '../dates.ts';
import { describeKind, type FieldKind } from '../field-kinds.ts';
import type { ParsedPath } from '../paths.ts';
import { fail, fromPath, ok, shapeOf, type Codec, type Outcome } from './types.ts';

/**
 * A vendor value checked against the canonical field's type, without conversion beyond the
 * harmless: a number into a text field (zip codes, ids) and ISO dates normalised. Objects, lists
 * and booleans are refused: mapping them needs a transform.
 */
export function coerce(raw: unknown, kind: FieldKind): Outcome<Scalar> {
  const wrong = () => fail(`${shapeOf(raw)} is not ${describeKind(kind)}`);
  switch (kind.type) {
    case 'string':
      if (typeof raw === 'string') return ok(raw);
      if (typeof raw === 'number' && Number.isFinite(raw)) return ok(String(raw));
      return wrong();
    case 'enum': {
      const text = typeof raw === 'number' ? String(raw) : raw;
      return typeof text === 'string' && kind.values.includes(text) ? ok(text) : wrong();
    }
    case 'integer':
      return typeof raw === 'number' && Number.isSafeInteger(raw) ? ok(raw) : wrong();
    case 'number':
      return typeof raw === 'number' && Number.isFinite(raw) ? ok(raw) : wrong();
    case 'date':
    case 'datetime': {
      const parsed = typeof raw === 'string' ? parseCanonical(raw.trim()) : null;
      // A date field takes only a date; a date-time field only an instant: no silent midnight.
      if (!parsed || (kind.type === 'date') !== (parsed.kind === 'date')) return wrong();
      return ok(toCanonical(parsed, kind.type, 'UTC'));
    }
  }
}

export function passCodec(path: ParsedPath, kind: FieldKind): Codec {
  return {
    name: 'pass',
    inbound: fromPath(path, (raw) => coerce(raw, kind)),
    outbound: (value) => ok(value),
    reads: [path],
  };
}
