import type { GustoClient } from '../client.ts';
import { FAMILY_OF_ENTITY, isUnknownCursor, readFeed, toChangeEvent, type FeedPage } from '../events.ts';

/** Page ends remembered per family, to start the next incremental read near `since` instead of at the oldest event. */
const MAX_ANCHORS = 64;
/** Event timestamps are whole seconds and Gusto does not promise a strictly ordered feed. */
const ANCHOR_SLACK_S = 60;

type Anchor = readonly [uuid: string, timestamp: number];

/**
 * Ids of the records of `entity` that the events feed reports as created or changed at or after
 * `since`, oldest first, each once. The feed is read from the newest remembered page end older
 * than `since` (kept in `ctx.state`), else from the oldest event Gusto keeps (about 30 days).
 * Deleted records are left out (a fetch would not find them); reconciliation tombstones them.
 */
export async function changedSince(client: GustoClient, entity: string, since: string): Promise<string[]> {
  const family = FAMILY_OF_ENTITY[entity];
  if (family === undefined) return [];
  const sinceS = Math.floor(Date.parse(since) / 1000);
  const key = `events.anchors.${family}`;
  let anchors = await loadAnchors(client, key);
  const start = [...anchors].reverse().find(([, ts]) => ts < sinceS - ANCHOR_SLACK_S);
  let cursor: string | null = start?.[0] ?? null;
  const ids = new Set<string>();
  for (;;) {
    let page: FeedPage;
    try {
      page = await readFeed(client, cursor, `${family}.*`);
    } catch (err: unknown) {
      if (!isUnknownCursor(err) || cursor === null) throw err;
      // The anchor is past Gusto's retention: forget the anchors and read from the oldest event.
      anchors = [];
      cursor = null;
      continue;
    }
    for (const event of page.events) {
      const change = toChangeEvent(event);
      if (change !== null && change.entity === entity && change.kind !== 'deleted' && event.timestamp >= sinceS) ids.add(change.externalId);
    }
    const tail = page.events.at(-1);
    if (tail !== undefined) {
      anchors = [...anchors.filter(([uuid]) => uuid !== tail.uuid), [tail.uuid, tail.timestamp] as const].slice(-MAX_ANCHORS);
      cursor = tail.uuid;
    }
    if (tail === undefined || !page.hasNext) break;
  }
  await client.ctx.state.set(key, JSON.stringify(anchors));
  return [...ids];
}

async function loadAnchors(client: GustoClient, key: string): Promise<Anchor[]> {
  const raw = await client.ctx.state.get(key);
  if (raw === null || raw === '') return [];
  try {
    const parsed: unknown = JSON.parse(raw);
    if (!Array.isArray(parsed)) return [];
    return parsed.filter((a): a is Anchor => Array.isArray(a) && typeof a[0] === 'string' && typeof a[1] === 'number');
  } catch {
    return [];
  }
}
