import { expect, it } from 'vitest';
import type { DocumentVersionRow } from '../../../src/store/index.ts';
import { describeEachStore } from '../../support/stores.ts';
import { later, NOW } from './support.ts';

const version = (n: number, over: Partial<DocumentVersionRow> = {}): DocumentVersionRow => ({
  documentId: 'doc-1', version: n, sha256: `sha-${n}`, sizeBytes: 1_000 * n, contentType: 'application/pdf', filename: `timesheet-${n}.pdf`,
  uploadedBy: 'contact:c1', uploadedAt: later(n), ...over,
});

describeEachStore('documents repository', (current) => {
  it('records versions, reads them oldest first and answers the latest number', async () => {
    const store = current();
    const repo = store.repos.documents;
    expect(await repo.latestVersion('doc-1')).toBe(0);
    expect(await repo.versions('doc-1')).toEqual([]);
    await store.unitOfWork(async (tx) => {
      await tx.documents.addVersion(version(2));
      await tx.documents.addVersion(version(1));
      await tx.documents.addVersion(version(1, { documentId: 'doc-2', sizeBytes: 3_000_000_000 }));
    });
    expect(await repo.versions('doc-1')).toEqual([version(1), version(2)]);
    expect(await repo.version('doc-1', 2)).toEqual(version(2));
    expect(await repo.version('doc-1', 3)).toBeNull();
    expect(await repo.version('DOC-1', 1)).toBeNull();
    expect(await repo.latestVersion('doc-1')).toBe(2);
    expect((await repo.version('doc-2', 1))?.sizeBytes).toBe(3_000_000_000); // past 32 bits, still a number
    await expect(store.unitOfWork((tx) => tx.documents.addVersion(version(2, { sha256: 'other' })))).rejects.toThrow(/unique|primary key/i);
    expect((await repo.version('doc-1', 2))?.sha256).toBe('sha-2');
    await expect(repo.addVersion(version(3))).rejects.toThrow(/unitOfWork/);
  });

  it('spends a single-use link once, by its exact id, even under racing downloads', async () => {
    const store = current();
    const spend = (id: string, at = NOW) => store.unitOfWork((tx) => tx.documents.spendLink(id, 'doc-1', 'contact:c1', at));
    expect(await spend('link-a')).toBe(true);
    expect(await spend('link-a', later(1))).toBe(false);
    expect(await spend('LINK-A')).toBe(true); // another id
    expect(await store.repos.documents.spendLink('link-b', 'doc-1', 'contact:c1', NOW)).toBe(true); // its own statement
    expect(await store.repos.documents.spendLink('link-b', 'doc-1', 'contact:c1', NOW)).toBe(false);
    const raced = await Promise.all([1, 2, 3].map(() => spend('link-c')));
    expect(raced.filter(Boolean)).toHaveLength(1);
  });
});
