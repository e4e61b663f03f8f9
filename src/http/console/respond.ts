import type { Context } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { ConsoleEnv } from './deps.ts';
import type { Part } from './html.ts';
import { CONTENT_SECURITY_POLICY, page, type Section } from './layout.ts';

/** A console page as the response, with the policy that forbids every script. */
export function render(c: Context<ConsoleEnv>, title: string, section: Section, body: Part, status: ContentfulStatusCode = 200): Response {
  c.header('Content-Security-Policy', CONTENT_SECURITY_POLICY);
  c.header('Referrer-Policy', 'same-origin');
  return c.html(page({ title, section, user: c.get('consoleUser'), body }).value, status);
}
