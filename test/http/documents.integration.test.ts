/* eslint-disable @typescript-eslint/no-unsafe-member-access, @typescript-eslint/no-unsafe-assignment, @typescript-eslint/no-unsafe-call, @typescript-eslint/no-unsafe-argument --
   Response bodies are untyped JSON (Reply.json); the assertions are what check their shape. */
import { createHash } from 'node:crypto';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LinkSigner } from '../../src/documents/links.ts';
import type { DocumentServices } from '../../src/documents/runtime.ts';
import { DiskBlobStore } from '../../src/store/blobs/disk-blob-store.ts';
import { samples } from '../support/files.ts';
import { countRows, tempDir, TEST_KEYRING } from '../support/temp-store.ts';
import { rawRequest, seedWorld, startHarness, type Harness, type World } from './support.ts';

const MAX = 256 * 1024;
const blobDir = tempDir();
const services: DocumentServices = { blobs: new DiskBlobStore(join(blobDir.dir, 'blobs')), signer: new LinkSigner(TEST_KEYRING), maxBytes: MAX };

let h: Harness;
let w: World;
let approver: string;
let foreign: string;

beforeAll(async () => {
  h = await startHarness({ documents: services });
  w = await seedWorld(h);
  approver = await h.keyFor({ contactId: w.approverId });
  foreign = await h.keyFor({ contactId: w.foreignContactId });
}, 60_000);
afterAll(async () => {
  await h.close();
  blobDir.dispose();
});

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

async function upload(path: string, file: Buffer, name: string, token = h.opsKey) {
  const form = new FormData();
  form.append('file', new Blob([file]), name);
  const res = await fetch(`${h.url}${path}`, { method: 'POST', headers: { authorization: `Bearer ${token}` }, body: form });
  const text = await res.text();
  return { status: res.status, json: JSON.parse(text), text };
}

async function linkFor(documentId: string, token: string, body: Record<string, unknown> = {}) {
  return h.call('POST', `/api/v1/documents/${documentId}/link`, { token, body });
}

async function download(url: string, token: string | null) {
  const res = await fetch(url, { headers: token === null ? {} : { authorization: `Bearer ${token}` } });
  return { status: res.status, headers: res.headers, bytes: Buffer.from(await res.arrayBuffer()) };
}

const onAssignment = (extra = '') => `/api/v1/documents?ownerEntity=assignment&ownerId=${w.assignmentId}${extra}`;

describe('documents over HTTP', () => {
  let clientDoc: string;
  let internalDoc: string;
  const v1 = samples.pdf('version one');
  const v2 = samples.pdf('version two, countersigned');

  it('stores an upload by its bytes’ hash, keeps every version, and records who uploaded it', async () => {
    const first = await upload(onAssignment('&visibility=client&type=timesheet&title=Week%209%20timesheet'), v1, 'week-9.pdf');
    expect(first.status, first.text).toBe(201);
    expect(first.json.data).toMatchObject({ ownerEntity: 'assignment', ownerId: w.assignmentId, type: 'timesheet', title: 'Week 9 timesheet', version: 1, visibility: 'client', contentType: 'application/pdf', sha256: sha(v1) });
    clientDoc = first.json.data.id;
    const second = await upload(`/api/v1/documents/${clientDoc}/versions`, v2, 'week-9-signed.pdf');
    expect(second.status, second.text).toBe(201);
    expect(second.json.version).toMatchObject({ version: 2, sha256: sha(v2), filename: 'week-9-signed.pdf' });
    const detail = await h.call('GET', `/api/v1/documents/${clientDoc}`);
    expect(detail.json.data).toMatchObject({ version: 2, sha256: sha(v2), sizeBytes: v2.length });
    expect(detail.json.versions.map((v: { version: number; sha256: string; uploadedBy: string }) => [v.version, v.sha256, v.uploadedBy])).toEqual([
      [1, sha(v1), `user:${h.opsUserId}`],
      [2, sha(v2), `user:${h.opsUserId}`],
    ]);
    // The bytes are in the blob store under their hash; the ledger and the portal events have the upload.
    expect(existsSync(join(blobDir.dir, 'blobs', sha(v1).slice(0, 2), sha(v1).slice(2)))).toBe(true);
    const ledger = await h.store.repos.ledger.latestFor('document', clientDoc, 5);
    expect(ledger.map((e) => [e.direction, e.action, e.actor])).toEqual([['local', 'update', `user:${h.opsUserId}`], ['local', 'create', `user:${h.opsUserId}`]]);
    const events = await h.store.repos.events.forRecord('document', clientDoc);
    expect(events.map((e) => [e.type, e.data['version'], e.clientId, e.worksiteId])).toEqual([['document.added', 1, w.clientId, w.worksiteId], ['document.added', 2, w.clientId, w.worksiteId]]);

    const internal = await upload(onAssignment('&title=Background%20notes'), samples.docx(), 'notes.docx');
    expect(internal.status, internal.text).toBe(201);
    expect(internal.json.data).toMatchObject({ visibility: 'internal', contentType: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document' });
    internalDoc = internal.json.data.id;
  });

  it('lets a contact list and read the client-visible document only', async () => {
    const list = await h.call('GET', `/api/v1/records/document?ownerEntity=assignment&ownerId=${w.assignmentId}`, { token: approver });
    expect(list.json.data.map((d: { id: string }) => d.id)).toEqual([clientDoc]);
    expect((await h.call('GET', `/api/v1/documents/${clientDoc}`, { token: approver })).status).toBe(200);
    const hidden = await h.call('GET', `/api/v1/documents/${internalDoc}`, { token: approver });
    expect(hidden.status).toBe(404);
    expect(hidden.text).not.toContain('Background notes');
    expect((await h.call('GET', `/api/v1/documents/${clientDoc}`, { token: foreign })).status).toBe(404);
  });

  it('downloads a version through a signed link, with safe headers, and audits it', async () => {
    const link = await linkFor(clientDoc, approver, { version: 1 });
    expect(link.status, link.text).toBe(201);
    expect(Date.parse(link.json.data.expiresAt)).toBeGreaterThan(Date.now() - 10 * 365 * 86_400_000);
    const got = await download(link.json.data.url, approver);
    expect(got.status).toBe(200);
    expect(got.bytes.equals(v1)).toBe(true);
    expect(got.headers.get('content-type')).toBe('application/pdf');
    expect(got.headers.get('content-disposition')).toBe(`attachment; filename="week-9.pdf"; filename*=UTF-8''week-9.pdf`);
    expect(got.headers.get('x-content-type-options')).toBe('nosniff');
    const latest = await download((await linkFor(clientDoc, approver)).json.data.url, approver);
    expect(latest.bytes.equals(v2)).toBe(true);
    const audit = await h.store.repos.audit.list({ action: 'document.download', actorId: w.approverId, limit: 10 });
    expect(audit.filter((a) => a.outcome === 'success').map((a) => [a.targetId, a.reason])).toEqual([[clientDoc, 'version 2'], [clientDoc, 'version 1']]);
  });

  it('refuses a contact the internal document: no link (404), and a staff link does not work for it (403)', async () => {
    expect((await linkFor(internalDoc, approver)).status).toBe(404);
    const staff = await linkFor(internalDoc, h.opsKey);
    expect(staff.status).toBe(201);
    const taken = await download(staff.json.data.url, approver);
    expect(taken.status).toBe(403);
    expect(taken.bytes.toString()).toContain('made for someone else');
    expect(taken.bytes.includes(samples.docx().subarray(0, 40))).toBe(false);
    // Without any credential the link is nothing either.
    expect((await download(staff.json.data.url, null)).status).toBe(401);
  });

  it('refuses a tampered, expired or spent link with 403, each audited', async () => {
    const good = (await linkFor(clientDoc, approver)).json.data.link as string;
    const [keyId, payload, mac] = good.split('.');
    const claims = JSON.parse(Buffer.from(payload ?? '', 'base64url').toString());
    const forged = `${keyId}.${Buffer.from(JSON.stringify({ ...claims, d: internalDoc })).toString('base64url')}.${mac}`;
    const tampered = await download(`${h.url}/api/v1/documents/download?link=${encodeURIComponent(forged)}`, approver);
    expect(tampered.status).toBe(403);
    const expired = services.signer.sign({ documentId: clientDoc, version: 1, principal: `contact:${w.approverId}`, singleUse: false, now: Date.parse('2026-01-01T00:00:00Z') }).link;
    const late = await download(`${h.url}/api/v1/documents/download?link=${encodeURIComponent(expired)}`, approver);
    expect(late.status).toBe(403);
    expect(late.bytes.toString()).toMatch(/expired/);
    const once = (await linkFor(clientDoc, approver, { singleUse: true })).json.data.url as string;
    expect((await download(once, approver)).status).toBe(200);
    const again = await download(once, approver);
    expect(again.status).toBe(403);
    expect(again.bytes.toString()).toMatch(/used already/);
    const denied = await h.store.repos.audit.list({ action: 'document.download', outcome: 'denied', limit: 20 });
    const reasons = denied.map((d) => d.reason ?? '');
    for (const r of [/signature does not match/, /expired/, /used already/, /someone else/]) expect(reasons.some((x) => r.test(x)), String(r)).toBe(true);
  });

  it('ends a link when its principal loses sight of the document', async () => {
    const link = (await linkFor(clientDoc, approver)).json.data.url as string;
    await h.store.unitOfWork(async (tx) => {
      const roles = await tx.canonical.list('contact_worksite_role', { where: { contactId: w.approverId }, limit: 10 });
      const { applyLocalChange } = await import('../../src/engine/index.ts');
      for (const r of roles) await applyLocalChange(tx, h.policy, { entity: 'contact_worksite_role', canonicalId: r.id, changes: { worksiteId: w.otherWorksiteId }, actor: 'seed' }, h.now());
    });
    expect((await download(link, approver)).status).toBe(404);
    await h.store.unitOfWork(async (tx) => {
      const roles = await tx.canonical.list('contact_worksite_role', { where: { contactId: w.approverId }, limit: 10 });
      const { applyLocalChange } = await import('../../src/engine/index.ts');
      for (const r of roles) await applyLocalChange(tx, h.policy, { entity: 'contact_worksite_role', canonicalId: r.id, changes: { worksiteId: w.worksiteId }, actor: 'seed' }, h.now());
    });
    expect((await download(link, approver)).status).toBe(200);
  });

  it('judges uploads by their bytes: a renamed executable 415, a zero-byte file 422, nothing stored', async () => {
    const before = countRows(h.store, 'document_versions');
    const exe = await upload(onAssignment(), samples.exe(), 'timesheet.pdf');
    expect(exe.status).toBe(415);
    expect(exe.json.error.message).toMatch(/Windows executable/);
    expect((await upload(onAssignment(), samples.elf(), 'hours.csv')).status).toBe(415);
    const empty = await upload(onAssignment(), Buffer.alloc(0), 'empty.pdf');
    expect(empty.status).toBe(422);
    expect(empty.json.error.message).toMatch(/zero bytes/);
    expect(countRows(h.store, 'document_versions')).toBe(before);
    // No staged file is left behind.
    expect(readdirSync(join(blobDir.dir, 'blobs', 'tmp'))).toEqual([]);
  });

  it('refuses a file over the limit with 413 before storing it: declared, and streamed without a length', async () => {
    const before = countRows(h.store, 'document_versions');
    const big = Buffer.alloc(MAX + 1, 0x61);
    const declared = await upload(onAssignment(), big, 'big.txt');
    expect(declared.status).toBe(413);
    const boundary = 'cwboundary';
    const chunks = [
      `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="big.txt"\r\nContent-Type: text/plain\r\n\r\n`,
      ...Array.from({ length: 6 }, () => Buffer.alloc(64 * 1024, 0x62)),
      `\r\n--${boundary}--\r\n`,
    ];
    const streamed = await rawRequest(h.url, {
      method: 'POST', path: onAssignment(),
      headers: { authorization: `Bearer ${h.opsKey}`, 'content-type': `multipart/form-data; boundary=${boundary}`, 'transfer-encoding': 'chunked' },
      chunks,
    });
    expect(streamed.status).toBe(413);
    expect(countRows(h.store, 'document_versions')).toBe(before);
    expect(readdirSync(join(blobDir.dir, 'blobs', 'tmp'))).toEqual([]);
  });

  it('attaches only to records in the caller’s scope (404), and a contact only client-visible ones', async () => {
    const outside = await upload(`/api/v1/documents?ownerEntity=time_entry&ownerId=${w.approvedEntryId}`, samples.pdf(), 'x.pdf', foreign);
    expect(outside.status).toBe(404);
    const mine = await upload(`/api/v1/documents?ownerEntity=time_entry&ownerId=${w.approvedEntryId}`, samples.png(), 'gate-log.png', approver);
    expect(mine.status, mine.text).toBe(201);
    expect(mine.json.data).toMatchObject({ visibility: 'client', contentType: 'image/png' });
    const internal = await upload(`/api/v1/documents?ownerEntity=time_entry&ownerId=${w.approvedEntryId}&visibility=internal`, samples.png(), 'x.png', approver);
    expect(internal.status).toBe(403);
    // A contact may add a version to the client-visible document, never to the internal one.
    expect((await upload(`/api/v1/documents/${internalDoc}/versions`, samples.pdf(), 'x.pdf', approver)).status).toBe(404);
    const audited = await h.store.repos.audit.list({ action: 'document.upload', actorId: w.approverId, limit: 10 });
    expect(audited.map((a) => a.outcome)).toContain('success');
  });
});
