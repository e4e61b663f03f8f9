import { z } from 'zod';
import { ENTITIES, type EntityName } from '../../model/index.ts';
import type { Scalar } from '../../store/index.ts';

export type Coerced = { readonly ok: true; readonly value: Scalar } | { readonly ok: false; readonly reason: string };

function isNumberField(entity: EntityName, field: string): boolean {
  let schema = ENTITIES[entity].schema.shape[field] as z.ZodType | undefined;
  while (schema instanceof z.ZodNullable || schema instanceof z.ZodOptional) schema = schema.unwrap() as z.ZodType;
  return schema instanceof z.ZodNumber;
}

/**
 * A "set value" typed into a form, as the canonical value it means: blank clears the field (null),
 * a number field takes a number, anything else is text. Whether the value is allowed (an enum, a
 * required field) is the engine's call; this only decides the type a text box cannot carry.
 */
export function coerceFormValue(entity: EntityName, field: string, text: string | undefined): Coerced {
  if (text === undefined || text === '') return { ok: true, value: null };
  if (!isNumberField(entity, field)) return { ok: true, value: text };
  const n = Number(text.replace(/,/g, ''));
  if (!Number.isFinite(n)) return { ok: false, reason: `${entity}.${field} takes a number${field.endsWith('Cents') ? ' (integer cents: $29.40 is 2940)' : ''}, not ${JSON.stringify(text)}` };
  return { ok: true, value: n };
}
