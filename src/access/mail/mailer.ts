import { randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import nodemailer from 'nodemailer';

/** One outgoing message. `text` is required: every message has a plain-text part. */
export interface MailMessage {
  to: string;
  subject: string;
  text: string;
  html?: string;
}

export interface Mailer {
  /** Delivers (or spools) one message; `id` is its Message-ID. Rejects when delivery fails. */
  send(message: MailMessage): Promise<{ id: string }>;
  /** Where messages go, for logs and the demo: `smtp://host:port` (no credentials) or the spool folder. */
  readonly describe: string;
  close(): void;
}

function checkMessage(message: MailMessage): void {
  if (message.text.trim() === '') throw new TypeError('a message needs a plain-text part');
  if (/[\r\n]/.test(message.to) || /[\r\n]/.test(message.subject)) throw new TypeError('header values must be single lines');
}

/** The SMTP URL without its user and password, for logs. */
function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.host}`;
  } catch {
    return 'smtp (unparsable URL)';
  }
}

/** What nodemailer sends for a message: the plain-text part always, HTML when given. */
function mailOptions(from: string, message: MailMessage) {
  return { from, to: message.to, subject: message.subject, text: message.text, ...(message.html === undefined ? {} : { html: message.html }) };
}

/** Sends through an SMTP server (`smtp://user:pass@host:587`, `smtps://…:465`) with nodemailer. */
export class SmtpMailer implements Mailer {
  // The SMTP overload's return type (the last overload is the SMTP one): typed sent info, not `any`.
  private readonly transport: ReturnType<typeof nodemailer.createTransport>;
  readonly describe: string;

  constructor(smtpUrl: string, private readonly from: string) {
    this.transport = nodemailer.createTransport(smtpUrl);
    this.describe = redactUrl(smtpUrl);
  }

  async send(message: MailMessage): Promise<{ id: string }> {
    checkMessage(message);
    const info = await this.transport.sendMail(mailOptions(this.from, message));
    return { id: info.messageId };
  }

  close(): void {
    this.transport.close();
  }
}

/**
 * Writes each message as an RFC 822 `.eml` file into a local folder: the default when no SMTP server
 * is configured (the demo prints the folder, and any mail client opens the files). The folder is
 * 0700 and each file 0600 — the files hold live sign-in links. Names start with the UTC time to the
 * millisecond, so `ls` lists them in the order they were sent.
 */
export class SpoolMailer implements Mailer {
  private readonly transport = nodemailer.createTransport({ streamTransport: true, buffer: true, newline: 'windows' });
  readonly describe: string;

  constructor(
    readonly dir: string,
    private readonly from: string,
    private readonly clock: () => number = Date.now,
  ) {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    chmodSync(dir, 0o700);
    this.describe = dir;
  }

  async send(message: MailMessage): Promise<{ id: string }> {
    checkMessage(message);
    const info = await this.transport.sendMail(mailOptions(this.from, message));
    const body = info.message;
    if (!Buffer.isBuffer(body)) throw new TypeError('the stream transport did not render a buffer');
    const stamp = new Date(this.clock()).toISOString().replace(/[-:]/g, '').replace('.', '');
    const file = join(this.dir, `${stamp}-${randomBytes(4).toString('hex')}.eml`);
    // `wx`: never overwrite; mode 0600 applies because the file is new.
    await writeFile(file, body, { mode: 0o600, flag: 'wx' });
    return { id: info.messageId };
  }

  close(): void {
    this.transport.close();
  }
}

/**
 * @see SmtpMailer, SpoolMailer
 */
export interface MailConfig {
  /** e.g. `CROSSWALK_SMTP_URL`. Null or empty: messages go to the spool folder. */
  smtpUrl: string | null;
  /** The From address, e.g. `Crosswalk <no-reply@example.com>`. */
  from: string;
  /** Folder for spooled `.eml` files when there is no SMTP server. */
  spoolDir: string;
}

/** SMTP when a URL is configured, else the local spool. */
export function createMailer(config: MailConfig): Mailer {
  return config.smtpUrl !== null && config.smtpUrl.trim() !== ''
    ? new SmtpMailer(config.smtpUrl.trim(), config.from)
    : new SpoolMailer(config.spoolDir, config.from);
}
