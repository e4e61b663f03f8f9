import { z } from 'zod';
import { type ChangeEvent, type EventBatch } from '../kit/index.ts';
import type { AdpClient } from './client.ts';
import { ENTITY } from './manifest.ts';

const MESSAGES = '/core/v1/event-notification-messages';
/** `ctx.state` key: the last message this connector acknowledged (a DELETE that need not be sent again). */
const ACKED = 'events.acknowledged';

const Message = z.looseObject({
  events: z.array(
    z.looseObject({
      eventID: z.string().min(1),
      eventNameCode: z.looseObject({ codeValue: z.string() }).optional(),
      recordDateTime: z.string().optional(),
      data: z.looseObject({ eventContext: z.looseObject({ worker: z.looseObject({ associateOID: z.string().min(1) }).optional() }).optional() }).optional(),
    }),
  ),
});

/**
 * ADP's event notification queue (§4.4), read one message at a time. `GET` answers the message at
 * the head of the queue (its id in `adp-msg-msgid`) without removing it, or 204 when the queue is
 * empty; `DELETE …/{id}` removes it. A message is deleted only once the hub has written its
 * events to the inbox — the hub says so by passing that batch as `lastDoneBatchId` on its next poll
 * — so a poll that dies before the commit reads the same message again, and the inbox's event id
 * dedupes it. Deleting a message already gone (404) is fine: acknowledged twice is acknowledged.
 */
export async function pollMessages(client: AdpClient, againBatchId?: string, lastDoneBatchId?: string): Promise<EventBatch> {
  const { ctx, http } = client;
  if (lastDoneBatchId !== undefined && lastDoneBatchId !== againBatchId && (await ctx.state.get(ACKED)) !== lastDoneBatchId) {
    const response = await http.request({ method: 'DELETE', path: `${MESSAGES}/${encodeURIComponent(lastDoneBatchId)}`, accept: [404] });
    if (response.status !== 404) ctx.logger.info({ systemId: ctx.systemId, messageId: lastDoneBatchId }, 'ADP event notification acknowledged');
    await ctx.state.set(ACKED, lastDoneBatchId);
  }
  const response = await http.get(MESSAGES);
  if (response.status === 204) return { batchId: null, events: [] };
  const messageId = response.headers['adp-msg-msgid'];
  if (messageId === undefined || messageId === '') return { batchId: null, events: [] };
  const events = toEvents(messageId, response.data);
  if (events.length === 0) ctx.logger.warn({ systemId: ctx.systemId, messageId }, 'ADP event notification names no worker the hub reads; it is acknowledged after the next commit');
  return { batchId: messageId, events };
}

/**
 * The worker each event names. An event the hub cannot read (no worker AOID, not ADP's shape) is
 * left out, and its message is still acknowledged once the batch is committed: it cannot block the
 * queue (the poll logs the message id for ops).
 */
function toEvents(messageId: string, body: unknown): ChangeEvent[] {
  const parsed = Message.safeParse(body);
  if (!parsed.success) return [];
  return parsed.data.events.flatMap((e) => {
    const aoid = e.data?.eventContext?.worker?.associateOID;
    if (aoid === undefined) return [];
    const name = e.eventNameCode?.codeValue ?? '';
    const kind: ChangeEvent['kind'] = name === 'worker.hire' || name === 'worker.rehire' ? 'created' : 'updated';
    return [{ eventId: `${messageId}:${e.eventID}`, entity: ENTITY.workers, externalId: aoid, kind, occurredAt: e.recordDateTime ?? null }];
  });
}
