import { describe, expect, it } from 'vitest';
import { fieldsParameter, parsePath, readPath, writePath, type ParsedPath } from '../../src/mapping/index.ts';
import { fieldNames, overlaps } from '../../src/mapping/paths.ts';

function path(text: string): ParsedPath {
  const r = parsePath(text);
  if (!r.ok) throw new Error(r.reason);
  return r.path;
}

const employee = {
  uuid: 'e-1',
  address: { city: 'Dayton', zip: null },
  jobs: [
    { title: 'Picker', primary: false, rate: '18.00' },
    { title: 'Lead', primary: true, rate: '24.50', location: { id: 7 } },
  ],
  custom_fields: [
    { name: 'Shift', value: '2nd' },
    { name: 'Portal Assignment ID', value: 'ASG-2025-00917' },
  ],
};

describe('parsePath', () => {
  it('reads keys, indexes and filters', () => {
    expect(path('jobs[primary=true].rate').segments).toEqual([
      { kind: 'key', name: 'jobs' },
      { kind: 'filter', key: ['primary'], value: 'true' },
      { kind: 'key', name: 'rate' },
    ]);
    expect(path('jobs[0][1].x').segments).toEqual([
      { kind: 'key', name: 'jobs' },
      { kind: 'index', index: 0 },
      { kind: 'index', index: 1 },
      { kind: 'key', name: 'x' },
    ]);
    expect(path('Work Date').segments).toEqual([{ kind: 'key', name: 'Work Date' }]);
    expect(path('a[b.c=x.y]').segments[1]).toEqual({ kind: 'filter', key: ['b', 'c'], value: 'x.y' });
  });

  it.each([
    ['', 'empty path'],
    ['a..b', 'a name is missing at character 3'],
    ['a.', 'path ends with "."'],
    ['.a', 'a name is missing at character 1'],
    ['jobs[primary=true.rate', '"[" at character 5 is not closed'],
    ['jobs[]', '"[]" is neither an index nor a filter like [name=value]'],
    ['jobs[=x]', '"[=x]" is neither an index nor a filter like [name=value]'],
    ['a]b', 'unexpected "]" at character 2'],
    ['a[0]b', 'unexpected "b" at character 5'],
    ['__proto__.x', '"__proto__" is a reserved name'],
    ['a.constructor', '"constructor" is a reserved name'],
    ['a[prototype=1]', '"prototype" is a reserved name'],
    [' a', 'name " a" starts or ends with a space'],
    ['a[99999]', 'index 99999 is larger than 10000'],
  ])('refuses %j: %s', (text, reason) => {
    expect(parsePath(text)).toEqual({ ok: false, reason });
  });
});

describe('readPath', () => {
  it.each([
    ['uuid', 'e-1'],
    ['address.city', 'Dayton'],
    ['address.zip', null],
    ['address.country', undefined],
    ['jobs[0].rate', '18.00'],
    ['jobs[5].rate', undefined],
    ['jobs[primary=true].rate', '24.50'],
    ['jobs[primary=true].location.id', 7],
    ['jobs[title=Lead].primary', true],
    ['jobs[primary=maybe].rate', undefined],
    ['custom_fields[name=Portal Assignment ID].value', 'ASG-2025-00917'],
    ['uuid.length', undefined],
    ['address[0]', undefined],
    ['jobs.rate', undefined],
  ])('%s → %j', (text, expected) => {
    expect(readPath(employee, path(text))).toEqual(expected);
  });

  it('reads through a null parent as null, and never reaches the prototype', () => {
    expect(readPath({ address: null }, path('address.city'))).toBeNull();
    expect(readPath({}, path('toString'))).toBeUndefined();
    expect(readPath({ a: [{ id: 7 }] }, path('a[id=7].id'))).toBe(7);
    expect(readPath('text', path('a'))).toBeUndefined();
  });
});

describe('writePath', () => {
  it('builds nested objects, arrays and filtered elements', () => {
    const body: Record<string, unknown> = {};
    writePath(body, path('approvingClientContact.id'), 15522);
    writePath(body, path('jobs[1].rate'), '24.50');
    writePath(body, path('custom_fields[name=Portal Assignment ID].value'), 'ASG-1');
    writePath(body, path('custom_fields[name=Portal Assignment ID].type'), 'text');
    writePath(body, path('jobs[primary=true].title'), 'Lead');
    expect(body).toEqual({
      approvingClientContact: { id: 15522 },
      jobs: [null, { rate: '24.50' }, { primary: true, title: 'Lead' }],
      custom_fields: [{ name: 'Portal Assignment ID', value: 'ASG-1', type: 'text' }],
    });
  });

  it('writes what it reads back', () => {
    for (const text of ['a', 'a.b.c', 'a[2].b', 'a[k=v].b', 'a[k.j=v].b[0]']) {
      const body: Record<string, unknown> = {};
      writePath(body, path(text), 'x');
      expect(readPath(body, path(text)), text).toBe('x');
    }
  });

  it('replaces a scalar in the way rather than failing', () => {
    const body: Record<string, unknown> = { a: 'text' };
    writePath(body, path('a.b'), 1);
    expect(body).toEqual({ a: { b: 1 } });
  });
});

describe('field names for a connector', () => {
  it('strips selectors and adds filter keys', () => {
    expect(fieldNames(path('jobs[primary=true].rate'))).toEqual(['jobs.primary', 'jobs.rate']);
    expect(fieldNames(path('candidate.id'))).toEqual(['candidate.id']);
  });

  it('renders Bullhorn nested fields=', () => {
    expect(fieldsParameter(['id', 'candidate.id', 'candidate.firstName', 'address.city', 'status'])).toBe('id,candidate(id,firstName),address(city),status');
  });

  it('knows when two outbound paths collide', () => {
    expect(overlaps(path('a.b'), path('a'))).toBe(true);
    expect(overlaps(path('a.b'), path('a.c'))).toBe(false);
    expect(overlaps(path('a[0].b'), path('a[1].b'))).toBe(false);
  });
});
