import { isRef, type IncomingValue } from '../engine/index.ts';
import { ENTITIES, type EntityName } from '../model/index.ts';
import type { Repos } from '../store/index.ts';
import type { BoundStage } from './binding.ts';
import type { ChunkContext } from './chunk-context.ts';
import { cellOf, entityLabel, errorAt, type Fail, type StageItem } from './rows.ts';

/**
 * Resolves reference fields. With `only` unset: references to entities outside this kind (the
 * ones `skip` does not hold). With `only`: references to records earlier stages just applied.
 */
export async function resolveRefs(
  ctx: ChunkContext,
  tx: Repos,
  stage: BoundStage,
  items: readonly StageItem[],
  skip: ReadonlySet<EntityName> | null,
  fail: Fail,
  only?: ReadonlySet<EntityName>,
): Promise<void> {
  const refs = ENTITIES[stage.def.entity].refs;
  const isInternal = (target: EntityName, value: IncomingValue) => isRef(value) && value.ref.system === ctx.system && (skip ?? only)?.has(target) === true;
  const wanted = new Map<string, { system: string; target: EntityName; ids: Set<string> }>();
  const plain = new Map<EntityName, Set<string>>();
  const take = (field: string, value: IncomingValue | undefined): boolean => {
    const target = refs[field];
    if (target === undefined || value === null || value === undefined) return false;
    const internal = isInternal(target, value);
    return only ? internal : !internal;
  };
  // `for…in` walks the values in the order Object.entries would, without an array per row.
  for (const w of items) {
    const values = w.incoming.values;
    for (const field in values) {
      const value = values[field];
      if (!take(field, value)) continue;
      const target = refs[field] as EntityName;
      if (isRef(value)) {
        const k = `${value.ref.system}\u0000${target}`;
        const group = wanted.get(k) ?? { system: value.ref.system, target, ids: new Set<string>() };
        group.ids.add(value.ref.externalId);
        wanted.set(k, group);
      } else if (typeof value === 'string') {
        const set = plain.get(target) ?? new Set<string>();
        set.add(value);
        plain.set(target, set);
      }
    }
  }
  const found = new Map<string, string>();
  for (const [k, group] of wanted) {
    const ids = await tx.links.resolve(group.system, group.target, [...group.ids]);
    for (const [ext, id] of ids) found.set(`${k}\u0000${ext}`, id);
  }
  const exists = new Map<EntityName, Set<string>>();
  for (const [target, ids] of plain) exists.set(target, await tx.canonical.exists(target, [...ids]));
  for (const w of items) {
    const values = w.incoming.values;
    for (const field in values) {
      const value = values[field];
      if (!take(field, value)) continue;
      const target = refs[field] as EntityName;
      const column = stage.fieldColumns.get(field) ?? null;
      if (isRef(value)) {
        const id = found.get(`${value.ref.system}\u0000${target}\u0000${value.ref.externalId}`);
        if (id === undefined) {
          fail(w.row, errorAt(w.row, column, column === null ? null : cellOf(stage, w.row.record, column), `no ${entityLabel(target)} with ${value.ref.system} id ${value.ref.externalId} is known`));
          break;
        }
        w.refs[field] = id;
      } else if (typeof value === 'string') {
        if (!exists.get(target)?.has(value)) {
          fail(w.row, errorAt(w.row, column, column === null ? null : cellOf(stage, w.row.record, column), `no ${entityLabel(target)} with id ${value} exists`));
          break;
        }
        w.refs[field] = value;
      }
    }
  }
}

