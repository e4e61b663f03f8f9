import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { connectors, sensitiveHeaders } from '../../connectors/index.ts';
import { createLogger } from '../../src/lib/logger.ts';

/** The logger redacts the headers the connector manifests declare secret: none is listed outside the connectors. */
describe('logger redaction from the connector manifests', () => {
  it('every registered connector\'s webhook signature header and redactHeaders are in sensitiveHeaders()', () => {
    const headers = sensitiveHeaders();
    let declared = 0;
    for (const connector of Object.values(connectors)) {
      const { webhook, redactHeaders } = connector.manifest;
      for (const header of [...(webhook?.signatureHeader === undefined ? [] : [webhook.signatureHeader]), ...redactHeaders]) {
        declared++;
        expect(headers, `${connector.manifest.id}: ${header}`).toContain(header.toLowerCase());
      }
    }
    expect(declared, 'some connector signs its webhooks').toBeGreaterThan(0);
  });

  it('a logged delivery\'s signature headers are censored, whatever the connector; other headers stay', () => {
    const stream = new PassThrough();
    const lines: string[] = [];
    stream.on('data', (chunk: Buffer) => lines.push(chunk.toString('utf8')));
    const logger = createLogger({ level: 'info', destination: stream, redactHeaders: sensitiveHeaders() });
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    for (const header of sensitiveHeaders()) headers[header] = `secret-value-of-${header}`;
    logger.info({ headers, req: { headers } }, 'delivery');
    const text = lines.join('');
    expect(text).toContain('application/json');
    expect(text).toContain('[redacted]');
    expect(text).not.toMatch(/secret-value-of-/);
  });
});
