import { verifyGusto } from '../../../connectors/kit/index.ts';
import { toChangeEvent } from '../../../connectors/gusto/events.ts';
import { GustoEvent } from '../../../connectors/gusto/schemas.ts';
import type { WebhookReceiver } from '../../../src/http/webhooks.ts';

/** The verification token the benchmark's sender signs with and its server verifies with. Invented. */
export const BENCH_GUSTO_TOKEN = 'bench-ingest-verification-token-7f3a';

/**
 * What the hub does for a Gusto delivery, without a configured connector: the kit's Gusto verifier
 * over the raw bytes, then the connector's own zod schema and event mapping (the ingest benchmark's "verify HMAC,
 * zod-validate" steps).
 */
export function gustoReceiver(): WebhookReceiver {
  return {
    verify: (raw, headers) => verifyGusto(raw, headers, { secrets: [BENCH_GUSTO_TOKEN] }),
    parse: (raw) => {
      const change = toChangeEvent(GustoEvent.parse(JSON.parse(raw.toString('utf8'))));
      return change === null ? [] : [{ eventId: change.eventId, entity: change.entity, externalId: change.externalId }];
    },
  };
}
