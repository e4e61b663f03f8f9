import { join } from 'node:path';
import type { Store } from '../store/index.ts';
import { createAuthenticator, type Authenticator } from './authenticate.ts';
import { createJwtVerifier } from './credentials/jwt.ts';
import { createMailer, type Mailer } from './mail/mailer.ts';

type Env = Readonly<Record<string, string | undefined>>;

/** Where the local mail spool lives beside a database file: `<db dir>/mail`. */
/** The mail spool in the hub's files folder (`filesRoot` of the config). */
export function mailSpoolDir(root: string): string {
  return join(root, 'mail');
}

/**
 * The mailer the environment asks for: SMTP through `CROSSWALK_SMTP_URL` (from `CROSSWALK_MAIL_FROM`),
 * otherwise `.eml` files in the spool folder beside the database.
 */
export function mailerFromEnv(root: string, env: Env = process.env): Mailer {
  return createMailer({
    smtpUrl: env['CROSSWALK_SMTP_URL'] ?? null,
    from: env['CROSSWALK_MAIL_FROM'] ?? 'Crosswalk <no-reply@crosswalk.invalid>',
    spoolDir: mailSpoolDir(root),
  });
}

/**
 * The authenticator the environment configures: API keys, sessions and the admin token always; OIDC
 * bearer tokens when `CROSSWALK_OIDC_ISSUER`, `CROSSWALK_OIDC_AUDIENCE` and `CROSSWALK_OIDC_JWKS_URL`
 * are all set (`CROSSWALK_OIDC_CLAIM` names the claim mapped to a user or contact e-mail; default
 * `email`). A half-configured OIDC is an error at start, not a silent fallback.
 */
export function authenticatorFromEnv(store: Store, adminToken: string | null, env: Env = process.env): Authenticator {
  const issuer = env['CROSSWALK_OIDC_ISSUER'];
  const audience = env['CROSSWALK_OIDC_AUDIENCE'];
  const jwksUrl = env['CROSSWALK_OIDC_JWKS_URL'];
  const given = [issuer, audience, jwksUrl].filter((v) => v !== undefined && v !== '');
  if (given.length > 0 && given.length < 3) {
    throw new Error('OIDC needs all of CROSSWALK_OIDC_ISSUER, CROSSWALK_OIDC_AUDIENCE and CROSSWALK_OIDC_JWKS_URL (or none of them)');
  }
  const jwt = issuer && audience && jwksUrl
    ? createJwtVerifier({ issuer, audience, jwksUrl, ...(env['CROSSWALK_OIDC_CLAIM'] ? { claim: env['CROSSWALK_OIDC_CLAIM'] } : {}) })
    : undefined;
  return createAuthenticator({ store, adminToken, ...(jwt === undefined ? {} : { jwt }) });
}
