import { createHash } from 'node:crypto';
import type { Context } from 'hono';
import { actorOf, credentialLabel } from '../access/principal.ts';
import type { Store } from '../store/index.ts';
import type { AppEnv } from './env.ts';
import { ApiError } from './errors.ts';
import type { IdempotencyRunner } from './route.ts';

/** A key claimed this long ago whose request never answered (the process died) may be claimed again. */
const ABANDONED_MS = 5 * 60_000;

/**
 * `Idempotency-Key` on every POST of the registrar: the first answer (2xx–4xx) is stored with a hash
 * of the request, and a retry with the same key and the same request gets it back, marked
 * `Idempotent-Replayed: true`, without running again. The same key with another request is a 422; a
 * retry while the first is still running is a 409. A 5xx frees the key, so a retry runs again.
 * Keys are per principal and credential: one caller's key never answers another's request. Routes
 * that answer with a secret opt out (`RouteSpec.idempotent: false`): no secret is ever stored here.
 */
export function idempotencyRunner(store: Store, now: () => string): IdempotencyRunner {
  return async (c: Context<AppEnv>, key: string, bodyText: string, run: () => Promise<Response>) => {
    const principal = c.get('principal');
    if (principal === null || principal === undefined) return run();
    // Per credential, not only per principal: a narrowed key of a contact never gets the answer its
    // wider key (or session) was given.
    const scopeKey = `${actorOf(principal)}|${credentialLabel(principal.credential)}|${key}`;
    const bodyHash = createHash('sha256').update(`${c.req.method} ${c.req.path}\n${bodyText}`).digest('base64url');
    const at = now();
    const claimed = await store.unitOfWork(async (tx) => {
      const existing = await tx.idempotency.get(scopeKey);
      if (existing !== null && existing.status === null && Date.parse(at) - Date.parse(existing.createdAt) > ABANDONED_MS) {
        await tx.idempotency.release(scopeKey);
      }
      if (await tx.idempotency.claim({ scopeKey, method: c.req.method, path: c.req.path, bodyHash, createdAt: at })) return null;
      return tx.idempotency.get(scopeKey);
    });
    if (claimed !== null) {
      if (claimed.bodyHash !== bodyHash) throw new ApiError('invalid', 'this Idempotency-Key was used for a different request; use a new key');
      if (claimed.status === null) throw new ApiError('refused', 'a request with this Idempotency-Key is still running; retry later');
      return new Response(claimed.responseBody, {
        status: claimed.status,
        headers: { 'Content-Type': claimed.contentType ?? 'application/json', 'Idempotent-Replayed': 'true' },
      });
    }
    let res: Response;
    try {
      res = await run();
    } catch (err) {
      // An expected refusal (4xx) is an answer like any other: a retry gets the same one.
      if (err instanceof ApiError && err.status < 500) {
        const body = JSON.stringify({ error: { code: err.code, message: err.message, ...(err.details && err.details.length > 0 ? { details: [...err.details] } : {}) } });
        await store.unitOfWork(async (tx) => tx.idempotency.complete(scopeKey, err.status, body, 'application/json'));
      } else {
        await store.unitOfWork(async (tx) => tx.idempotency.release(scopeKey));
      }
      throw err;
    }
    if (res.status >= 500) {
      await store.unitOfWork(async (tx) => tx.idempotency.release(scopeKey));
      return res;
    }
    const text = await res.clone().text();
    await store.unitOfWork(async (tx) => tx.idempotency.complete(scopeKey, res.status, text, res.headers.get('content-type')));
    return res;
  };
}
