import { z } from 'zod';
import { Id, IsoDate } from './primitives.ts';

export const InvoiceStatus = z.enum(['draft', 'issued', 'paid', 'void']);

export const Invoice = z
  .strictObject({
    clientId: Id,
    number: z.string().min(1).max(64),
    issueDate: IsoDate,
    dueDate: IsoDate.nullable(),
    periodStart: IsoDate.nullable(),
    periodEnd: IsoDate.nullable(),
    status: InvoiceStatus,
    totalCents: z.number().int(),
    currency: z.literal('USD'),
  })
  .refine((i) => i.dueDate === null || i.dueDate >= i.issueDate, {
    message: 'dueDate is before issueDate',
    path: ['dueDate'],
  });

export const InvoiceLineKind = z.enum(['regular', 'overtime', 'doubletime', 'fee', 'adjustment']);

/** A line traceable to the assignment and, for time-based lines, the time entry it bills. */
export const InvoiceLine = z.strictObject({
  invoiceId: Id,
  assignmentId: Id.nullable(),
  timeEntryId: Id.nullable(),
  kind: InvoiceLineKind,
  description: z.string().max(500).nullable(),
  quantity: z.number().min(-10_000).max(10_000),
  rateCents: z.number().int(),
  amountCents: z.number().int(),
});
