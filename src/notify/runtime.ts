import { mailerFromEnv } from '../access/runtime.ts';
import type { Store } from '../store/index.ts';
import { NotificationRelay, type NotificationRelayOptions } from './relay.ts';

type Env = Readonly<Record<string, string | undefined>>;

/**
 * The notification relay the environment configures: mail through `CROSSWALK_SMTP_URL` (else the
 * spool beside the database), approval links pointing at `CROSSWALK_PUBLIC_URL` (none without it).
 */
export function notificationRelayFromEnv(
  store: Store,
  root: string,
  options: Partial<Omit<NotificationRelayOptions, 'store'>> = {},
  env: Env = process.env,
): NotificationRelay {
  const publicUrl = env['CROSSWALK_PUBLIC_URL'];
  return new NotificationRelay({
    mailer: mailerFromEnv(root, env),
    publicUrl: publicUrl === undefined || publicUrl === '' ? null : publicUrl,
    ownsMailer: true,
    ...options,
    store,
  });
}
