import type { Command } from 'commander';
import { RefusedError } from '../../engine/index.ts';
import { draftInvoice, type DraftOutcome } from '../../invoicing/draft.ts';
import { issueInvoice } from '../../invoicing/issue.ts';
import { invoiceView } from '../../invoicing/view.ts';
import { nowIso } from '../../lib/time.ts';
import type { CliContext } from '../context.ts';
import { UsageError } from '../errors.ts';
import { emit, printTable } from '../output.ts';
import { auditCli, cliActor } from './audit.ts';
import { parseLimit } from './parse.ts';

const dollars = (cents: number) => `${cents < 0 ? '-' : ''}${(Math.abs(cents) / 100).toFixed(2)}`;
const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;

/** A refusal (nothing to bill, held lines, issued already) is the operator's answer, not a crash. */
function refused(err: unknown): never {
  if (err instanceof RefusedError) throw new UsageError(err.message);
  throw err;
}

/**
 * `crosswalk invoices draft|issue|list|show`: invoices drafted from approved time
 * (docs/decisions/0016-invoice-money-and-rounding.md), acting as the CLI's account.
 */
export function registerInvoices(program: Command, ctx: CliContext): void {
  const invoices = program.command('invoices').description('invoices drafted from approved time: draft, review, issue');

  invoices
    .command('draft')
    .description("draft (or draft again) a client's invoice for the billing period holding --date; --all drafts every hub-invoiced client with time to bill")
    .option('--client <id>', 'the client')
    .option('--all', 'every client (progress on stderr)')
    .requiredOption('--date <yyyy-mm-dd>', 'any date in the billing period')
    .option('--json', 'machine-readable output')
    .action(async (opts: { client?: string; all?: boolean; date: string; json?: boolean }) => {
      if (!ISO_DATE.test(opts.date)) throw new UsageError(`--date must be YYYY-MM-DD, not "${opts.date}"`);
      if ((opts.client === undefined) === (opts.all !== true)) throw new UsageError('give exactly one of --client <id> or --all');
      const store = ctx.store();
      const settings = ctx.config().invoicing;
      const clients = opts.client !== undefined ? [opts.client] : (await store.repos.canonical.list('client', { limit: 100_000 })).map((c) => c.id);
      const results: Array<{ clientId: string; outcome: DraftOutcome | null; error: string | null }> = [];
      const started = Date.now();
      for (const [i, clientId] of clients.entries()) {
        const at = nowIso();
        try {
          const outcome = await store.unitOfWork(async (tx) => {
            const out = await draftInvoice(tx, { clientId, date: opts.date, actor: cliActor(), now: at, settings });
            await auditCli(tx, { action: 'invoice.draft', targetType: 'invoice', targetId: out.invoiceId }, at);
            return out;
          });
          results.push({ clientId, outcome, error: null });
        } catch (err) {
          if (!(err instanceof RefusedError) || opts.all !== true) refused(err);
          results.push({ clientId, outcome: null, error: err.message });
        }
        if (opts.all === true && (i % 10 === 9 || i === clients.length - 1)) {
          process.stderr.write(`drafted ${i + 1}/${clients.length} clients (${((Date.now() - started) / 1000).toFixed(1)} s)\n`);
        }
      }
      const rows = results.map((r) => ({
        client: r.clientId, invoice: r.outcome?.number ?? '', id: r.outcome?.invoiceId ?? '', period: r.outcome ? `${r.outcome.period.start}..${r.outcome.period.end}` : '',
        lines: r.outcome?.result.lines.length ?? 0, held: r.outcome?.result.held.length ?? 0, total: r.outcome ? dollars(r.outcome.result.totalCents) : '',
        note: r.error ?? (r.outcome?.redrafted ? 'drafted again' : ''),
      }));
      emit(opts, rows, () => {
        printTable(opts.all === true ? rows.filter((r) => r.invoice !== '') : rows);
        for (const r of results) for (const h of r.outcome?.result.held ?? []) process.stdout.write(`held: ${h.reason}\n`);
      });
    });

  invoices
    .command('issue <id>')
    .description('issue a draft: once, never with held lines; its time entries become invoiced')
    .option('--json', 'machine-readable output')
    .action(async (id: string, opts: { json?: boolean }) => {
      const store = ctx.store();
      const at = nowIso();
      const out = await store
        .unitOfWork(async (tx) => {
          const result = await issueInvoice(tx, ctx.policy(), { invoiceId: id, actor: cliActor(), now: at });
          await auditCli(tx, { action: 'invoice.issue', targetType: 'invoice', targetId: id }, at);
          return result;
        })
        .catch(refused);
      emit(opts, out, () => process.stdout.write(`issued ${out.number}: ${out.timeEntries} time entries invoiced\n`));
    });

  invoices
    .command('list')
    .description('invoices the hub drafted, newest first')
    .option('--client <id>', 'only this client')
    .option('--status <status>', 'draft or issued')
    .option('--limit <n>', 'at most this many', '50')
    .option('--json', 'machine-readable output')
    .action(async (opts: { client?: string; status?: string; limit: string; json?: boolean }) => {
      if (opts.status !== undefined && opts.status !== 'draft' && opts.status !== 'issued') throw new UsageError('--status must be draft or issued');
      const store = ctx.store();
      const rows = await store.repos.invoicing.list({
        limit: parseLimit(opts.limit), ...(opts.client === undefined ? {} : { clientId: opts.client }), ...(opts.status === undefined ? {} : { issued: opts.status === 'issued' }),
      });
      const invoicesById = await store.repos.canonical.getMany('invoice', rows.map((r) => r.invoiceId));
      const out = rows.map((r) => {
        const inv = invoicesById.get(r.invoiceId);
        return {
          id: r.invoiceId, number: String(inv?.fields['number'] ?? ''), client: r.clientId, period: `${r.periodStart}..${r.periodEnd}`,
          status: String(inv?.fields['status'] ?? ''), total: dollars(Number(inv?.fields['totalCents'] ?? 0)), held: r.held.length, issuedAt: r.issuedAt ?? '',
        };
      });
      emit(opts, out, () => printTable(out));
    });

  invoices
    .command('show <id>')
    .description('an invoice with its lines and the time entries each line bills')
    .option('--json', 'machine-readable output')
    .action(async (id: string, opts: { json?: boolean }) => {
      const store = ctx.store();
      const row = await store.repos.canonical.get('invoice', id);
      if (!row) throw new UsageError(`invoice ${id} not found`);
      const view = await invoiceView(store.repos, row, { internal: true });
      emit(opts, view, () => {
        process.stdout.write(`${view.number}  ${view.status}  client ${view.clientId}  ${view.periodStart ?? ''}..${view.periodEnd ?? ''}  total ${dollars(view.totalCents)}\n`);
        printTable(view.lines.map((l) => ({ kind: l.kind, description: l.description, hours: l.quantity, rate: dollars(l.rateCents), amount: dollars(l.amountCents), entries: l.timeEntries.length })));
        for (const h of view.held ?? []) process.stdout.write(`held: ${h.reason}\n`);
      });
    });
}
