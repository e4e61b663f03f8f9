import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { greenhouse } from '../../../connectors/greenhouse/index.ts';
import { memoryState, signGreenhouse, silentLogger } from '../../../connectors/kit/index.ts';
import { loadMappingSources, type CompiledMapping } from '../../../src/mapping/index.ts';

/**
 * Greenhouse's documented payloads (copied into golden/) through the Greenhouse mapping files and
 * the connector's webhook parser, compared with plain expected JSON files next to them.
 * `UPDATE_GOLDEN=1` rewrites the expected files; review the diff before keeping it.
 */
const GOLDEN = join(import.meta.dirname, 'golden');
const MAPPINGS = join(import.meta.dirname, '../../../mappings/greenhouse');
const { registry, errors } = loadMappingSources(
  'mappings',
  readdirSync(MAPPINGS).filter((f) => f.endsWith('.yaml')).map((f) => ({ path: `greenhouse/${f}`, text: readFileSync(join(MAPPINGS, f), 'utf8') })),
  [{ id: 'greenhouse', connector: 'greenhouse' }],
);

const payload = (name: string): Record<string, unknown> => JSON.parse(readFileSync(join(GOLDEN, name), 'utf8')) as Record<string, unknown>;

function expectGolden(name: string, actual: unknown): void {
  const file = join(GOLDEN, name);
  if (process.env['UPDATE_GOLDEN'] === '1') writeFileSync(file, `${JSON.stringify(actual, null, 2)}\n`);
  if (!existsSync(file)) throw new Error(`${name} is missing: run with UPDATE_GOLDEN=1 and review the new file`);
  expect(JSON.parse(JSON.stringify(actual))).toEqual(JSON.parse(readFileSync(file, 'utf8')));
}

function mapping(entity: string): CompiledMapping {
  const found = registry.get('greenhouse', entity);
  if (!found) throw new Error(`no greenhouse mapping for ${entity}`);
  return found;
}

describe('greenhouse mappings against the documented payloads', () => {
  it('load without errors', () => {
    expect(errors.map(String)).toEqual([]);
  });

  it('candidate → candidate (names, first email and phone; no attachments or custom fields read)', () => {
    const incoming = mapping('candidate').toIncoming(payload('greenhouse-candidate.json'));
    expectGolden('candidate.incoming.json', incoming);
  });

  it('application → submission, referring to the candidate and the job by their Greenhouse ids', () => {
    const incoming = mapping('submission').toIncoming(payload('greenhouse-application.json'));
    expectGolden('application.incoming.json', incoming);
  });

  it('hires → assignments: a hired application with its accepted offer; an active one is not an assignment', () => {
    const application = payload('greenhouse-application.json');
    const hired = { ...application, status: 'hired', current_offer: { id: 5100001, status: 'accepted', starts_at: '2025-07-14' } };
    expectGolden('hire.incoming.json', mapping('assignment').toIncoming(hired));
    const active = mapping('assignment').toIncoming(application);
    expect(active).toMatchObject({ ok: true, record: { externalId: '90114233', deleted: true } });
  });

  it('the candidate-hired webhook names the application and the candidate', () => {
    const instance = greenhouse.create({
      systemId: 'greenhouse', baseUrl: 'https://harvest.greenhouse.io', credentials: { apiKey: 'k', webhookSecret: 's3cret' }, state: memoryState(), logger: silentLogger,
    });
    const body = readFileSync(join(GOLDEN, 'greenhouse-webhook-candidate-hired.json'));
    const headers = { ...signGreenhouse(body, 's3cret'), 'Greenhouse-Event-ID': 'evt-0001' };
    expect(instance.verifyWebhook?.(body, headers)).toEqual({ ok: true });
    expectGolden('webhook-candidate-hired.events.json', instance.parseWebhook?.(body, headers));
  });
});
