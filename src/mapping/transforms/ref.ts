import { z } from 'zod';
import { PORTAL } from '../../engine/policy.ts';
import { isEntityName, type EntityName } from '../../model/index.ts';
import { problem, type Problem } from '../errors.ts';
import type { ParsedPath } from '../paths.ts';
import { fail, fromPath, ok, shapeOf, type Codec, type CodecEnv, type TargetContext } from './types.ts';

export const RefOptions = z.strictObject({
  /** The canonical entity referenced: must be the one the model says for the target field. */
  entity: z.string().min(1),
  /**
   * Whose id the vendor value is. `portal` means the value is our own canonical id.
   * @defaultValue the system of the mapping
   */
  system: z.string().min(1).optional(),
  /** How the vendor id goes back out: Bullhorn wants numbers (`{ id: 15522 }`). @defaultValue 'string' */
  as: z.enum(['number', 'string']).optional(),
});
export type RefOptions = z.infer<typeof RefOptions>;

export function checkRef(options: RefOptions, target: TargetContext): Problem[] {
  const { ref, name, entity } = target.field;
  if (ref === null) return [problem([], 'ref_not_reference', `${name} is not a reference field of ${entity}`)];
  if (options.entity !== ref) {
    const what = isEntityName(options.entity) ? '' : ' (not a canonical entity)';
    return [problem(['ref', 'entity'], 'ref_wrong_entity', `${name} refers to ${ref}, not ${options.entity}${what}`)];
  }
  return [];
}

export function refCodec(options: RefOptions, path: ParsedPath, env: CodecEnv): Codec {
  const entity = options.entity as EntityName;
  const canonical = options.system === PORTAL;
  const system = canonical ? PORTAL : options.system === undefined ? env.system : env.resolveSystem(options.system);
  return {
    name: 'ref',
    inbound: fromPath(path, (raw) => {
      let id: string;
      if (typeof raw === 'string') id = raw.trim();
      else if (typeof raw === 'number' && Number.isSafeInteger(raw)) id = String(raw);
      else return fail(`${shapeOf(raw)} is not an id`);
      return ok(canonical ? id : { ref: { system, externalId: id } });
    }),
    outbound: (value, ctx) => {
      if (value === null) return ok(null);
      if (typeof value !== 'string') return fail(`${shapeOf(value)} is not a canonical id`);
      if (ctx.symbolicRefs) return ok(`<${entity} ${value}>`);
      const external = canonical ? value : ctx.resolveRef(entity, value, system);
      if (external === null) return fail(`${entity} ${value} has no ${system} id yet`);
      if (options.as !== 'number') return ok(external);
      const n = Number(external);
      return Number.isSafeInteger(n) && /^-?\d+$/.test(external) ? ok(n) : fail(`${system} id ${JSON.stringify(external)} is not a number`);
    },
    reads: [path],
  };
}
