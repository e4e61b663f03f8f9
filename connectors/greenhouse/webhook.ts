import { createHash } from 'node:crypto';
import { z } from 'zod';
import {
  GREENHOUSE_EVENT_ID_HEADER, headerValue, webhookVerifierFor, WebhookPayloadError,
  type ChangeEvent, type ConnectorContext, type ConnectorManifest, type VerifyResult,
} from '../kit/index.ts';
import { ENTITY, type GreenhouseEntity } from './manifest.ts';

type Headers = Readonly<Record<string, string | undefined>>;

const Id = z.union([z.number().int(), z.string().regex(/^\d+$/)]).transform(String);
const Body = z.looseObject({
  action: z.string().min(1),
  payload: z
    .looseObject({
      application: z.looseObject({ id: Id.optional(), candidate: z.looseObject({ id: Id }).optional(), candidate_id: Id.optional() }).optional(),
      candidate: z.looseObject({ id: Id }).optional(),
      person: z.looseObject({ id: Id }).optional(),
      job: z.looseObject({ id: Id }).optional(),
    })
    .optional(),
});
type Payload = NonNullable<z.infer<typeof Body>['payload']>;

/** What each recruiting action tells the hub: which records changed (§2.5; the payload paths other than hire_candidate's are guesses, see README). */
const ACTIONS: Readonly<Record<string, (p: Payload) => Array<{ entity: GreenhouseEntity; id: string | undefined; kind: ChangeEvent['kind'] }>>> = {
  hire_candidate: applicationAndCandidate('updated'),
  unhire_candidate: applicationAndCandidate('updated'),
  new_candidate_application: applicationAndCandidate('created'),
  new_prospect_application: applicationAndCandidate('created'),
  candidate_stage_change: applicationAndCandidate('updated'),
  reject_candidate: applicationAndCandidate('updated'),
  unreject_candidate: applicationAndCandidate('updated'),
  application_updated: applicationAndCandidate('updated'),
  delete_application: (p) => [{ entity: ENTITY.applications, id: p.application?.id, kind: 'deleted' }],
  update_candidate: (p) => [{ entity: ENTITY.candidates, id: p.candidate?.id ?? p.person?.id, kind: 'updated' }],
  merge_candidate: (p) => [{ entity: ENTITY.candidates, id: p.candidate?.id ?? p.person?.id, kind: 'updated' }],
  candidate_anonymized: (p) => [{ entity: ENTITY.candidates, id: p.candidate?.id ?? p.person?.id, kind: 'updated' }],
  delete_candidate: (p) => [{ entity: ENTITY.candidates, id: p.candidate?.id ?? p.person?.id, kind: 'deleted' }],
  job_created: (p) => [{ entity: ENTITY.jobs, id: p.job?.id, kind: 'created' }],
  job_updated: (p) => [{ entity: ENTITY.jobs, id: p.job?.id, kind: 'updated' }],
  job_approved: (p) => [{ entity: ENTITY.jobs, id: p.job?.id, kind: 'updated' }],
  job_deleted: (p) => [{ entity: ENTITY.jobs, id: p.job?.id, kind: 'deleted' }],
};

function applicationAndCandidate(kind: ChangeEvent['kind']) {
  return (p: Payload) => [
    { entity: ENTITY.applications, id: p.application?.id, kind },
    { entity: ENTITY.candidates, id: p.application?.candidate?.id ?? p.application?.candidate_id ?? p.candidate?.id, kind: 'updated' as const },
  ];
}

export interface GreenhouseWebhooks {
  verify(rawBody: Buffer, headers: Headers): VerifyResult;
  parse(rawBody: Buffer, headers: Headers): ChangeEvent[];
}

/**
 * Recruiting webhooks: `Signature: sha256 <hex>` over the raw bytes (the kit's verifier, both
 * secrets of a rotation). Events name records only; the hub fetches them. The delivery id is the
 * `Greenhouse-Event-ID` header; when the hub parses a stored body again (no headers), it is the
 * body's hash. Other actions (ping, offers, interviews, job posts) carry nothing the mappings read.
 */
export function createWebhooks(ctx: ConnectorContext, manifest: ConnectorManifest): GreenhouseWebhooks {
  const configured = ['webhookSecret', 'previousWebhookSecret'].some((k) => (ctx.credentials[k] ?? '') !== '');
  const verifier = configured ? webhookVerifierFor(manifest, ctx) : null;
  return {
    verify: (rawBody, headers) =>
      verifier === null ? { ok: false, status: 401, reason: 'no Greenhouse webhook secret: set the WEBHOOK_SECRET secret' } : verifier(rawBody, headers),

    parse(rawBody, headers) {
      let json: unknown;
      try {
        json = JSON.parse(rawBody.toString('utf8'));
      } catch {
        throw new WebhookPayloadError('the body is not JSON', ctx.systemId);
      }
      const body = Body.safeParse(json);
      if (!body.success) throw new WebhookPayloadError('not a Greenhouse webhook body ({ action, payload })', ctx.systemId);
      const read = ACTIONS[body.data.action];
      if (read === undefined) return [];
      const delivery = headerValue(headers, GREENHOUSE_EVENT_ID_HEADER) ?? `sha256:${createHash('sha256').update(rawBody).digest('hex')}`;
      const events = read(body.data.payload ?? {});
      if (events.some((e) => e.id === undefined)) throw new WebhookPayloadError(`a ${body.data.action} delivery without the record's id`, ctx.systemId);
      return events.flatMap((e) =>
        e.id === undefined ? [] : [{ eventId: `${delivery}:${e.entity}:${e.id}`, entity: e.entity, externalId: e.id, kind: e.kind, occurredAt: null }],
      );
    },
  };
}
