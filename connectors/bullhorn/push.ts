import { z } from 'zod';
import {
  ConnectorConfigError, type HttpClient, type PushRequest, type PushResult, type VendorRecord,
} from '../kit/index.ts';
import { PUSHABLE, type EntityInfo } from './entities.ts';
import { bodyFieldNames, fieldsParameter } from './fields.ts';
import { fetchRecords } from './streams/fetch.ts';

/**
 * Writes (docs/vendors.md §1.2): create with `PUT entity/{Type}`, update with `POST entity/{Type}/{id}`,
 * each followed by a read of the record (read-after-write) that the hub compares with what it sent.
 *
 * Bullhorn has no idempotency key. A create that timed out may have landed, and sending it again
 * would make a second JobOrder. So every create carries the hub's idempotency key in a custom text
 * field ({@link IDEMPOTENCY_FIELD}), and before creating the connector looks for a record that
 * already carries the key: found, that is the earlier create, and it is returned instead. The
 * field is one Bullhorn customers rarely use; ops who need it elsewhere change the constant (and
 * must leave it out of their mappings: the key overwrites whatever a mapping puts there).
 *
 * An update sets fields to given values, so repeating it is harmless: it is retried like a read.
 * 400 (a field refused), 404 (no such record) and 403 come back as `ConnectorConfigError` carrying
 * Bullhorn's message (the kit's classification; `bullhornErrorMessage` names the fields).
 */

export const IDEMPOTENCY_FIELD = 'customText5';

const WriteResponse = z.looseObject({ changedEntityId: z.union([z.number().int(), z.string().regex(/^\d+$/)]) });

export async function pushRecord(http: HttpClient, info: EntityInfo, request: PushRequest): Promise<PushResult> {
  const systemId = http.systemId;
  if (!PUSHABLE.has(info.name)) {
    throw ConnectorConfigError.forSystem(systemId, `${info.name} is read-only for the hub (writable: ${[...PUSHABLE].join(', ')})`, 'misconfigured');
  }
  let id: string;
  if (request.op === 'create') {
    id = (await findCreated(http, info, request.idempotencyKey)) ?? (await create(http, info, request));
  } else {
    if (request.externalId === undefined || !/^\d+$/.test(request.externalId)) {
      throw ConnectorConfigError.forSystem(systemId, `update of ${info.name} without a Bullhorn id`, 'misconfigured');
    }
    id = request.externalId;
    await http.request({ method: 'POST', path: `entity/${info.name}/${id}`, body: withoutId(request.body), idempotent: true });
  }
  const fields = fieldsParameter(systemId, [...info.defaultFields, ...bodyFieldNames(request.body), IDEMPOTENCY_FIELD]);
  const [confirmed] = await fetchRecords(http, info, [id], fields);
  return { externalId: id, ...(confirmed === undefined ? {} : { confirmed }) };
}

async function create(http: HttpClient, info: EntityInfo, request: PushRequest): Promise<string> {
  const response = await http.request({
    method: 'PUT',
    path: `entity/${info.name}`,
    body: { ...withoutId(request.body), [IDEMPOTENCY_FIELD]: request.idempotencyKey },
    // PUT is idempotent in HTTP, but Bullhorn's PUT creates: never resend it blindly.
    idempotent: false,
  });
  const parsed = WriteResponse.safeParse(response.data);
  if (!parsed.success) throw ConnectorConfigError.forSystem(http.systemId, `create of ${info.name} answered without changedEntityId`, 'misconfigured');
  return String(parsed.data.changedEntityId);
}

/** The id of a record an earlier attempt created with this key, if one landed. */
async function findCreated(http: HttpClient, info: EntityInfo, key: string): Promise<string | null> {
  const quoted = key.replace(/["\\]/g, '\\$&');
  const response = info.searchable
    ? await http.get(`search/${info.name}`, { query: `${IDEMPOTENCY_FIELD}:"${quoted}"`, fields: 'id', count: 2 })
    : await http.get(`query/${info.name}`, { where: `${IDEMPOTENCY_FIELD} = '${key.replace(/'/g, "''")}'`, fields: 'id', count: 2 });
  const data: unknown = typeof response.data === 'object' && response.data !== null && 'data' in response.data ? response.data.data : [];
  const first: unknown = Array.isArray(data) ? data[0] : undefined;
  return typeof first === 'object' && first !== null && 'id' in first && typeof first.id === 'number' ? String(first.id) : null;
}

/** Bullhorn refuses a write that sets `id` (read-only); the id travels in the path. */
function withoutId(body: VendorRecord): Record<string, unknown> {
  const { id: _id, ...rest } = body;
  return rest;
}
