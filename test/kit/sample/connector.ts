import { z } from 'zod';
import {
  ConnectorConfigError, defineConnector, httpClientFor, singleFlight, webhookVerifierFor, WebhookPayloadError,
  type ChangeEvent, type ConnectorContext, type ConnectorManifest, type ConnectorInstance, type HttpClient,
  type VendorRecord,
} from '../../../connectors/kit/index.ts';

/**
 * The connector for the invented "Lumen HR" vendor: the shape a real connector takes, kept small.
 * A real one splits this into manifest.ts, client.ts (auth + paging) and streams/<entity>.ts.
 */

const Worker = z.looseObject({ id: z.string(), version: z.number() });
const ListResponse = z.looseObject({ data: z.array(Worker) });
const OneResponse = z.looseObject({ data: Worker });
const TokenResponse = z.looseObject({ access_token: z.string() });
const EventsResponse = z.looseObject({
  batch_id: z.number().nullable(),
  events: z.array(z.looseObject({ id: z.string(), type: z.string(), worker_id: z.string() })),
});
const WebhookBody = z.looseObject({ type: z.string(), data: z.looseObject({ id: z.string() }), sent_at: z.string().optional() });

export const lumen = defineConnector({
  manifest: {
    id: 'lumen-hr',
    kind: 'payroll',
    displayName: 'Lumen HR (sample)',
    entities: [{ name: 'workers', pull: true, incremental: true, push: ['create', 'update'], events: true }],
    auth: {
      scheme: 'oauth2-client-credentials',
      fields: [
        { key: 'clientId', env: 'CLIENT_ID', secret: false },
        { key: 'clientSecret', env: 'CLIENT_SECRET', secret: true },
        { key: 'webhookSecret', env: 'WEBHOOK_SECRET', secret: true },
      ],
    },
    webhook: {
      scheme: 'standard-webhooks', signatureHeader: 'webhook-signature', timestampHeader: 'webhook-timestamp', idHeader: 'webhook-id',
      timestampSigned: true, secretFields: ['webhookSecret'],
    },
    events: { mode: 'queue' },
    rateLimit: { requests: 100, windowMs: 10_000, resetHeader: 'X-RateLimit-Reset' },
    baseUrl: 'https://api.lumen-hr.example',
  },
  create: (ctx, manifest) => createLumen(ctx, manifest),
});

function createLumen(ctx: ConnectorContext, manifest: ConnectorManifest): ConnectorInstance {
  let token: string | null = null;
  const http: HttpClient = httpClientFor(ctx, manifest, {
    auth: {
      beforeRequest: async (req) => {
        req.headers['authorization'] = `Bearer ${token ?? (await login())}`;
      },
      onAuthError: async () => {
        token = null;
        await login();
      },
    },
  });
  // Concurrent first requests share one login.
  const login = singleFlight(async () => {
    // A client-credentials grant changes nothing at the vendor, so it may be retried like a read.
    // (A rotating refresh-token grant may not: a retry after a lost answer spends the token twice.)
    const response = await http.request({
      method: 'POST', path: '/oauth/token', auth: false, idempotent: true,
      body: { client_id: ctx.credentials['clientId'], client_secret: ctx.credentials['clientSecret'], grant_type: 'client_credentials' },
    });
    token = TokenResponse.parse(response.data).access_token;
    return token;
  });
  const verify = webhookVerifierFor(manifest, ctx);

  return {
    async pullPage(request) {
      const page = typeof request.cursor?.['page'] === 'number' ? request.cursor['page'] : 1;
      const response = await http.get('/v1/workers', { page, per: request.pageSize ?? 20, updated_since: request.since });
      const next = response.headers['x-next-page'];
      const total = Number(response.headers['x-total-count']);
      return {
        records: ListResponse.parse(response.data).data,
        next: next === undefined ? null : { page: Number(next) },
        ...(Number.isFinite(total) ? { total } : {}),
      };
    },

    async fetchByIds(_entity, ids) {
      if (ids.length === 0) return [];
      const response = await http.get('/v1/workers', { ids: ids.join(',') });
      return ListResponse.parse(response.data).data;
    },

    async push(request) {
      if (request.op === 'create') {
        const response = await http.request({ method: 'POST', path: '/v1/workers', body: request.body });
        const created = OneResponse.parse(response.data).data;
        return { externalId: created.id, confirmed: created, meta: { version: created.version } };
      }
      if (request.externalId === undefined) throw ConnectorConfigError.forSystem(ctx.systemId, 'update without an external id', 'misconfigured');
      const response = await http.request({
        method: 'PUT', path: `/v1/workers/${encodeURIComponent(request.externalId)}`, body: { ...request.body, version: request.meta['version'] },
      });
      const updated = OneResponse.parse(response.data).data;
      return { externalId: updated.id, confirmed: updated, meta: { version: updated.version } };
    },

    verifyWebhook: (rawBody, headers) => verify(rawBody, headers),

    parseWebhook(rawBody, headers): ChangeEvent[] {
      let json: unknown;
      try {
        json = JSON.parse(rawBody.toString('utf8'));
      } catch {
        throw new WebhookPayloadError('body is not JSON', ctx.systemId);
      }
      const parsed = WebhookBody.safeParse(json);
      const eventId = headers['webhook-id'];
      if (!parsed.success || eventId === undefined) throw new WebhookPayloadError('not a Lumen worker event', ctx.systemId);
      return [{ eventId, entity: 'workers', externalId: parsed.data.data.id, kind: parsed.data.type === 'worker.created' ? 'created' : 'updated', occurredAt: parsed.data.sent_at ?? null }];
    },

    async pollEvents(againBatchId) {
      const response = await http.get('/v1/events', againBatchId === undefined ? {} : { batch_id: againBatchId });
      const batch = EventsResponse.parse(response.data);
      return {
        batchId: batch.batch_id === null ? null : String(batch.batch_id),
        events: batch.events.map((event) => ({
          eventId: event.id, entity: 'workers', externalId: event.worker_id, kind: event.type === 'worker.created' ? 'created' : 'updated', occurredAt: null,
        })),
      };
    },

    requestStats: () => http.stats(),
  };
}

export type LumenWorker = VendorRecord & z.infer<typeof Worker>;
