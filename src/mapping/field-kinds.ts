import { z } from 'zod';
import { ENTITIES, type EntityName } from '../model/index.ts';

/** What a canonical field holds, read from the model's zod schema so the two cannot drift. */
export type FieldKind =
  | { readonly type: 'string' }
  | { readonly type: 'date' }
  | { readonly type: 'datetime' }
  | { readonly type: 'integer' }
  | { readonly type: 'number' }
  | { readonly type: 'enum'; readonly values: readonly string[] };

export interface FieldInfo {
  readonly entity: EntityName;
  readonly name: string;
  readonly kind: FieldKind;
  readonly nullable: boolean;
  /** The entity this field references by canonical id, when it is a reference. */
  readonly ref: EntityName | null;
  /** Integer cents by the model's naming rule: these need the `money` transform. */
  readonly cents: boolean;
}

function kindOf(schema: z.ZodType): FieldKind {
  if (schema instanceof z.ZodISODate) return { type: 'date' };
  if (schema instanceof z.ZodISODateTime) return { type: 'datetime' };
  if (schema instanceof z.ZodEnum) return { type: 'enum', values: schema.options.map(String) };
  if (schema instanceof z.ZodLiteral) return { type: 'enum', values: [...schema.values].map(String) };
  if (schema instanceof z.ZodNumber) return schema.isInt ? { type: 'integer' } : { type: 'number' };
  return { type: 'string' };
}

const cache = new Map<EntityName, ReadonlyMap<string, FieldInfo>>();

/** Every field of a canonical entity, in schema order. */
export function fieldsOf(entity: EntityName): ReadonlyMap<string, FieldInfo> {
  let fields = cache.get(entity);
  if (fields) return fields;
  const def = ENTITIES[entity];
  const map = new Map<string, FieldInfo>();
  for (const [name, raw] of Object.entries(def.schema.shape)) {
    let schema = raw as z.ZodType;
    let nullable = false;
    if (schema instanceof z.ZodNullable) {
      nullable = true;
      schema = schema.unwrap() as z.ZodType;
    }
    const kind = kindOf(schema);
    map.set(name, { entity, name, kind, nullable, ref: def.refs[name] ?? null, cents: kind.type === 'integer' && name.endsWith('Cents') });
  }
  fields = map;
  cache.set(entity, fields);
  return fields;
}

export function describeKind(kind: FieldKind): string {
  switch (kind.type) {
    case 'string':
      return 'text';
    case 'date':
      return 'a date';
    case 'datetime':
      return 'a date-time';
    case 'integer':
      return 'a whole number';
    case 'number':
      return 'a number';
    case 'enum':
      return `one of ${kind.values.join(', ')}`;
  }
}
