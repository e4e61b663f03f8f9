import { describe, expect, it } from 'vitest';
import { bullhornErrorMessage } from '../../../connectors/bullhorn/client.ts';
import { ENTITY_NAMES, entityInfo } from '../../../connectors/bullhorn/entities.ts';
import { toEventBatch } from '../../../connectors/bullhorn/events.ts';
import { bodyFieldNames, fieldsParameter } from '../../../connectors/bullhorn/fields.ts';
import { bullhorn } from '../../../connectors/bullhorn/index.ts';
import { luceneTimestamp } from '../../../connectors/bullhorn/streams/listing.ts';
import { ConnectorConfigError, memoryState, silentLogger } from '../../../connectors/kit/index.ts';
import { bullhornRegistry } from './golden.ts';

describe('fields parameter', () => {
  it('nests dotted names in parentheses, id first, each name once', () => {
    expect(fieldsParameter('bh', ['name', 'candidate.id', 'candidate.firstName', 'address.city', 'name', 'candidate.id'])).toBe(
      'id,name,candidate(id,firstName),address(city)',
    );
  });

  it('nests at any depth and keeps a whole reference when also asked for by a sub-field', () => {
    expect(fieldsParameter('bh', ['location.clientCorporation.name', 'location'])).toBe('id,location(clientCorporation(name))');
  });

  it('never asks for SSN, date of birth or similar', () => {
    expect(fieldsParameter('bh', ['firstName', 'ssn', 'dateOfBirth', 'person.birthDate'])).toBe('id,firstName');
  });

  it('refuses what is not a field path', () => {
    expect(() => fieldsParameter('bh', ['name),owner(password'])).toThrow(ConnectorConfigError);
    expect(() => fieldsParameter('bh', ['a..b'])).toThrow(ConnectorConfigError);
  });

  it('reads the dotted names of a write body', () => {
    expect(bodyFieldNames({ title: 'x', clientContact: { id: 5 }, numOpenings: 2, tags: ['a'] })).toEqual(['title', 'clientContact.id', 'numOpenings', 'tags']);
  });
});

describe('listing helpers', () => {
  it('formats search timestamps as yyyyMMddHHmmss in UTC, rounded down to the second', () => {
    expect(luceneTimestamp(Date.parse('2026-03-07T09:04:05.999Z'))).toBe('20260307090405');
  });
});

describe('bullhornErrorMessage', () => {
  it('names the refused properties of a write', () => {
    const body = {
      errorMessage: 'error persisting an entity of type: JobOrder',
      errorMessageKey: 'errors.cannotPersistEntity',
      errorCode: 400,
      errors: [
        { propertyName: 'clientContact', detailMessage: 'value is null', type: 'MISSING_REQUIRED_PROPERTY' },
        { propertyName: 'colour', detailMessage: 'unknown property', type: 'UNKNOWN_PROPERTY' },
      ],
    };
    expect(bullhornErrorMessage(body)).toBe('error persisting an entity of type: JobOrder; clientContact: value is null; colour: unknown property');
  });

  it('falls back to the kit for other bodies and keeps texts short and on one line', () => {
    expect(bullhornErrorMessage({ error: 'invalid_grant', error_description: 'Invalid, expired, or revoked refresh token.' })).toBe('Invalid, expired, or revoked refresh token.');
    const long = bullhornErrorMessage({ errorMessage: `line\none ${'x'.repeat(400)}` }) ?? '';
    expect(long.length).toBeLessThanOrEqual(300);
    expect(long).not.toContain('\n');
  });
});

describe('toEventBatch', () => {
  it('reads an empty queue as no events, whether the body is empty or has no events key', () => {
    expect(toEventBatch('')).toEqual({ batchId: null, events: [] });
    expect(toEventBatch({ requestId: 7 })).toEqual({ batchId: '7', events: [] });
  });

  it('maps every kind, keeps Bullhorn event ids and leaves out what it cannot use', () => {
    const batch = toEventBatch({
      requestId: 9,
      events: [
        { eventId: 'ID:JBM-1', entityName: 'Placement', entityId: 30001, entityEventType: 'DELETED', eventTimestamp: 0 },
        { eventId: 'ID:JBM-2', entityName: 'Lead', entityId: 5, entityEventType: 'UPDATED' },
        { entityName: 'Candidate', entityId: 48001, entityEventType: 'UPDATED' },
        { eventId: 'ID:JBM-3', entityName: 'JobOrder', entityId: '77001', entityEventType: 'INSERTED' },
      ],
    });
    expect(batch).toEqual({
      batchId: '9',
      events: [
        { eventId: 'ID:JBM-1', entity: 'Placement', externalId: '30001', kind: 'deleted', occurredAt: '1970-01-01T00:00:00.000Z' },
        { eventId: 'ID:JBM-3', entity: 'JobOrder', externalId: '77001', kind: 'created', occurredAt: null },
      ],
    });
  });
});

describe('manifest and entities', () => {
  it('declares every entity with pull, incremental and events, and writes where the hub pushes', () => {
    const entities = new Map(bullhorn.manifest.entities.map((e) => [e.name, e]));
    expect([...entities.keys()]).toEqual([...ENTITY_NAMES]);
    for (const entity of entities.values()) expect(entity).toMatchObject({ pull: true, incremental: true, events: true });
    const writable = [...entities.values()].filter((e) => e.push.length > 0).map((e) => e.name);
    expect(writable).toEqual(['ClientContact', 'JobOrder', 'Placement']);
    expect(bullhorn.manifest.rateLimit).toMatchObject({ requests: 1500, windowMs: 60_000 });
    expect(bullhorn.manifest.auth.fields.filter((f) => f.secret).map((f) => f.key)).toEqual(['clientSecret', 'password']);
  });

  it('refuses to start without credentials, naming the variables', () => {
    const make = () => bullhorn.create({ systemId: 'bullhorn', baseUrl: 'http://127.0.0.1:1', credentials: { clientId: 'x' }, state: memoryState(), logger: silentLogger });
    expect(make).toThrow(ConnectorConfigError);
    expect(make).toThrow(/CROSSWALK_BULLHORN_PASSWORD/);
  });

  it('asks by default for every field the shipped mappings read, and only fields of their entity', () => {
    const registry = bullhornRegistry();
    const mapped = new Set<string>();
    for (const mapping of registry.all()) {
      const info = entityInfo('bullhorn', mapping.vendorEntity);
      mapped.add(info.name);
      const missing = mapping.sourcePaths().filter((path) => !info.defaultFields.includes(path));
      expect(missing, `${mapping.file} reads fields the defaults of ${info.name} leave out`).toEqual([]);
      if (!info.softDelete) expect(info.defaultFields).not.toContain('isDeleted');
    }
    expect([...mapped].sort()).toEqual([...ENTITY_NAMES].sort());
  });

  it('an unknown entity is a configuration error', () => {
    expect(() => entityInfo('bullhorn', 'Timesheet')).toThrow(ConnectorConfigError);
  });
});
