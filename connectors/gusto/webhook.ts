import {
  headerValue, verifyGusto, WebhookPayloadError, GUSTO_SIGNATURE_HEADER,
  type ChangeEvent, type ConnectorContext, type VerifyResult,
} from '../kit/index.ts';
import { toChangeEvent } from './events.ts';
import { GustoEvent, VerificationBody } from './schemas.ts';

/** Set by `setupWebhooks` once Gusto has accepted the token: a secret learned at run time. */
export const LEARNED_TOKEN_KEY = 'webhook.verificationToken';
/** Written by `acceptHandshake`; only `setupWebhooks` promotes it, after Gusto confirms it. */
export const PENDING_TOKEN_KEY = 'webhook.pendingVerificationToken';
/**
 * Set by `setupWebhooks` while a subscription it created (or asked a token for) awaits
 * verification: `{"until": <epoch ms>}`, or '' when none does. Outside that window no unsigned body
 * is a handshake: it gets 401 like any unsigned delivery and writes nothing.
 */
export const AWAITING_KEY = 'webhook.awaitingVerification';
/** A failed verification re-reads the learned token at most this often (another process may have set it up). */
const RELOAD_EVERY_MS = 1_000;

type Headers = Readonly<Record<string, string | undefined>>;

export interface GustoWebhooks {
  verify(rawBody: Buffer, headers: Headers): VerifyResult;
  parse(rawBody: Buffer, headers: Headers): ChangeEvent[];
  acceptHandshake(rawBody: Buffer, headers: Headers): Promise<boolean>;
}

/**
 * Deliveries are verified over the exact raw bytes with the kit's Gusto verifier: lowercase hex
 * HMAC-SHA256 keyed with the subscription's verification token, in `X-Gusto-Signature`. Tokens
 * accepted: the configured one and the previous one (a rotation), and the one `setupWebhooks`
 * learned (kept in `ctx.state`).
 */
export function createWebhooks(ctx: ConnectorContext): GustoWebhooks {
  const now = ctx.now ?? Date.now;
  const configured = ['verificationToken', 'previousVerificationToken'].map((key) => ctx.credentials[key] ?? '').filter((token) => token !== '');
  let learned: string | null = null;
  let loadedAt = Number.NEGATIVE_INFINITY;
  let handshakes: Promise<unknown> = Promise.resolve();
  const reload = (): void => {
    loadedAt = now();
    ctx.state.get(LEARNED_TOKEN_KEY).then(
      (token) => {
        learned = token === null || token === '' ? null : token;
      },
      (err: unknown) => ctx.logger.warn({ systemId: ctx.systemId, err: err instanceof Error ? err.message : String(err) }, 'could not read the learned Gusto webhook token'),
    );
  };
  reload();

  return {
    verify(rawBody, headers) {
      const secrets = learned === null ? configured : [...configured, learned];
      const result: VerifyResult = secrets.length === 0
        ? { ok: false, status: 401, reason: 'no Gusto webhook verification token: set the WEBHOOK_TOKEN secret or run setupWebhooks' }
        : verifyGusto(rawBody, headers, { secrets });
      if (!result.ok && now() - loadedAt >= RELOAD_EVERY_MS) reload();
      return result;
    },

    parse(rawBody) {
      let json: unknown;
      try {
        json = JSON.parse(rawBody.toString('utf8'));
      } catch {
        throw new WebhookPayloadError('the body is not JSON', ctx.systemId);
      }
      if (VerificationBody.safeParse(json).success) throw new WebhookPayloadError('a subscription verification request, not an event', ctx.systemId);
      const event = GustoEvent.safeParse(json);
      if (!event.success) throw new WebhookPayloadError(`not a Gusto event: ${event.error.issues.map((i) => `${i.path.join('.') || '(body)'} ${i.message}`).join('; ')}`, ctx.systemId);
      // A valid event about something the hub does not track (Company, Contractor…): nothing to do.
      const change = toChangeEvent(event.data);
      return change === null ? [] : [change];
    },

    /**
     * Gusto's subscription handshake: an unsigned POST of `{"verification_token": "…"}` to the
     * subscription URL (docs/vendors.md §5.5). It is not an event: the token is kept as pending and the
     * delivery is answered without touching the inbox. Anyone can send such a body, so it is taken
     * only while `setupWebhooks` awaits one (AWAITING_KEY, within its deadline) and only when no
     * token is pending yet: a later body never replaces the first, and a verified token is never
     * touched here. The pending token is trusted only after Gusto accepts it in `setupWebhooks`'
     * verify call; a forged one that came first is refused there, dropped, and Gusto asked again.
     */
    async acceptHandshake(rawBody, headers) {
      if (headerValue(headers, GUSTO_SIGNATURE_HEADER) !== undefined) return false;
      let json: unknown;
      try {
        json = JSON.parse(rawBody.toString('utf8'));
      } catch {
        return false;
      }
      const body = VerificationBody.safeParse(json);
      if (!body.success) return false;
      // One check-then-set at a time in this process, so two bodies racing cannot both see no
      // pending token. (Across processes the verify step with Gusto stays the gate.)
      const run = handshakes.then(() => takePending(body.data.verification_token));
      handshakes = run.then(() => undefined, () => undefined);
      return await run;
    },
  };

  async function takePending(token: string): Promise<boolean> {
    if (!awaiting(await ctx.state.get(AWAITING_KEY), now())) {
      ctx.logger.warn({ systemId: ctx.systemId }, 'unsigned gusto verification body refused: no subscription awaits verification');
      return false;
    }
    const pending = await ctx.state.get(PENDING_TOKEN_KEY);
    if (pending !== null && pending !== '') {
      ctx.logger.warn({ systemId: ctx.systemId }, 'unsigned gusto verification body refused: a token is already pending');
      return false;
    }
    await ctx.state.set(PENDING_TOKEN_KEY, token);
    ctx.logger.info({ systemId: ctx.systemId }, 'gusto webhook verification token received');
    return true;
  }
}

/** Whether the AWAITING_KEY value says a subscription awaits verification at `nowMs`. */
function awaiting(value: string | null, nowMs: number): boolean {
  if (value === null || value === '') return false;
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch {
    return false;
  }
  const until = typeof parsed === 'object' && parsed !== null && 'until' in parsed ? parsed.until : undefined;
  return typeof until === 'number' && nowMs <= until;
}
