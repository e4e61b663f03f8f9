import { readFileSync, readdirSync } from 'node:fs';
import { parseDocument, LineCounter } from 'yaml';
import { loadMappingSources } from './src/mapping/index.ts';
const texts: string[] = [];
for (const c of readdirSync('test/fixtures/mappings-broken')) {
  const walk = (d: string): void => { for (const e of readdirSync(d, { withFileTypes: true })) { if (e.isDirectory()) walk(`${d}/${e.name}`); else if (e.name.endsWith('.yaml')) texts.push(readFileSync(`${d}/${e.name}`, 'utf8')); } };
  walk(`test/fixtures/mappings-broken/${c}/mappings`);
}
const S = [{ id: 'bullhorn', connector: 'bullhorn' }, { id: 'gusto', connector: 'gusto' }];
for (let w = 0; w < 3; w++) {
  let t = performance.now();
  for (let i = 0; i < 20; i++) for (const text of texts) parseDocument(text, { lineCounter: new LineCounter(), prettyErrors: true }).toJS();
  const yamlMs = performance.now() - t;
  t = performance.now();
  for (let i = 0; i < 20; i++) for (const text of texts) loadMappingSources('mappings', [{ path: 'bullhorn/x.yaml', text }], S);
  console.log('per file: yaml', (yamlMs / 20 / texts.length).toFixed(3), 'load', ((performance.now() - t) / 20 / texts.length).toFixed(3));
}
