import type { Context } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { ConsoleEnv } from './deps.ts';
import type { Part } from './html.ts';
import { CONTENT_SECURITY_POLICY, page, type PageOptions, type Section } from './layout.ts';

/** Extras a page may set: the find box's text, a banner above the header, a self-refresh. */
export type RenderExtras = Pick<PageOptions, 'query' | 'banner' | 'refreshSeconds'>;

/** A console page as the response, with the policy that forbids every script but the shortcut. */
export function render(c: Context<ConsoleEnv>, title: string, section: Section, body: Part, status: ContentfulStatusCode = 200, extras: RenderExtras = {}): Response {
  c.header('Content-Security-Policy', CONTENT_SECURITY_POLICY);
  c.header('Referrer-Policy', 'same-origin');
  return c.html(page({ title, section, user: c.get('consoleUser'), body, ...extras }).value, status);
}
