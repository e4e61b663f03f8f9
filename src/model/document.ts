import { z } from 'zod';
import { Id } from './primitives.ts';

export const DocumentVisibility = z.enum(['internal', 'client']);
export const DocumentOwnerEntity = z.enum([
  'client', 'worksite', 'contact', 'requisition', 'candidate', 'submission', 'assignment', 'time_entry', 'invoice',
]);

/** A file attached to exactly one record. The bytes live elsewhere; the hub keeps the hash. */
export const Document = z.strictObject({
  ownerEntity: DocumentOwnerEntity,
  ownerId: Id,
  type: z.string().min(1).max(64),
  title: z.string().min(1).max(300),
  version: z.number().int().min(1),
  sha256: z.string().regex(/^[0-9a-f]{64}$/, 'a lowercase hex SHA-256'),
  contentType: z.string().max(100).nullable(),
  sizeBytes: z.number().int().min(0).nullable(),
  visibility: DocumentVisibility,
});
