import { createHash } from 'node:crypto';
import { h, trusted, type Part, type SafeHtml } from './html.ts';

/** The one stylesheet, inline (no external assets: the console must work on a machine with no internet). */
const CSS = `
:root{font-family:system-ui,-apple-system,"Segoe UI",sans-serif;color:#1d232b;background:#f6f7f9;font-size:14px}
body{margin:0}
header{background:#1f3346;color:#fff;padding:.6rem 1rem;display:flex;gap:1.2rem;align-items:center;flex-wrap:wrap}
header a{color:#dbe7f3;text-decoration:none}header a[aria-current=page]{color:#fff;font-weight:600;text-decoration:underline}
header .who{margin-left:auto;color:#b9c8d6}
main{padding:1rem;max-width:110rem}
h1{font-size:1.3rem;margin:.2rem 0 1rem}h2{font-size:1.05rem;margin:1.4rem 0 .5rem}h3{font-size:.95rem;margin:1rem 0 .4rem}
table{border-collapse:collapse;background:#fff;margin:.3rem 0 1rem;width:auto}
th,td{border:1px solid #d8dde3;padding:.3rem .5rem;text-align:left;vertical-align:top}
th{background:#eef1f4;font-weight:600}
td.num{text-align:right;font-variant-numeric:tabular-nums}
code,pre{font-family:ui-monospace,Menlo,Consolas,monospace;font-size:.92em}
pre{background:#fff;border:1px solid #d8dde3;padding:.6rem;overflow:auto;max-height:40rem}
.null{color:#8a94a0;font-style:italic}
.tag{display:inline-block;border-radius:3px;padding:0 .3rem;font-size:.8em;background:#e4e8ec;color:#3b4652}
.tag.internal{background:#fde8c8;color:#7a4a00}
.tag.failed,.tag.conflict,.tag.rejected,.tag.parked{background:#f9d6d5;color:#8d1c17}
.tag.applied,.tag.succeeded,.tag.done,.tag.linked{background:#d7efdc;color:#17602a}
.banner{border:1px solid;padding:.5rem .8rem;margin:0 0 1rem;background:#fff}
.banner.ok{border-color:#3f9b57}.banner.refused{border-color:#c0392b}
.banner ul{margin:.2rem 0 0;padding-left:1.2rem}
form.inline{display:flex;gap:.3rem;flex-wrap:wrap;align-items:center;margin:0}
form.filters{display:flex;gap:.6rem;flex-wrap:wrap;align-items:end;margin:0 0 1rem}
form.filters label{display:flex;flex-direction:column;font-size:.85em;color:#4b5663}
input,select,button{font:inherit;padding:.15rem .35rem}
button{cursor:pointer}
.diff{margin:0;padding-left:1rem}
.muted{color:#6b7682}
.grid{display:flex;gap:1.5rem;flex-wrap:wrap;align-items:flex-start}
`;

const STYLE_HASH = createHash('sha256').update(CSS, 'utf8').digest('base64');

/**
 * No script may run on a console page, inline or not: even if a value escaped its escaping, the
 * browser would refuse it. Styles are allowed by hash only; forms post to this origin only.
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  `style-src 'sha256-${STYLE_HASH}'`,
  "img-src 'self'",
  "form-action 'self'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
].join('; ');

export type Section = 'overview' | 'conflicts' | 'ledger' | 'outbox' | 'runs' | 'records' | 'none';

const NAV: ReadonlyArray<readonly [Exclude<Section, 'records' | 'none'>, string, string]> = [
  ['overview', '/console', 'Overview'],
  ['conflicts', '/console/conflicts', 'Conflicts'],
  ['ledger', '/console/ledger', 'Ledger'],
  ['outbox', '/console/outbox', 'Outbox'],
  ['runs', '/console/runs', 'Runs'],
];

export interface PageOptions {
  readonly title: string;
  readonly section: Section;
  /** The signed-in user; absent on the sign-in refusal page. */
  readonly user?: string;
  readonly body: Part;
}

export function page(options: PageOptions): SafeHtml {
  const nav = options.user === undefined
    ? null
    : NAV.map(([key, href, label]) => h`<a href="${href}"${key === options.section ? trusted(' aria-current="page"') : ''}>${label}</a>`);
  return h`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="same-origin">
<title>${options.title} · Crosswalk console</title><style>${trusted(CSS)}</style></head>
<body><header><strong>Crosswalk console</strong>${nav}${options.user === undefined ? null : h`<span class="who">signed in as ${options.user}</span>`}</header>
<main><h1>${options.title}</h1>
${options.body}
</main></body></html>`;
}

export interface Outcome {
  readonly ok: boolean;
  readonly message: string;
}

/** What a POST did, at the top of the page it answers with: one line per item acted on. */
export function banner(title: string, outcomes: readonly Outcome[]): SafeHtml {
  const allOk = outcomes.every((o) => o.ok);
  return h`<div class="banner ${allOk ? 'ok' : 'refused'}" role="status"><strong>${title}</strong><ul>${outcomes.map(
    (o) => h`<li class="${o.ok ? 'ok' : 'refused'}">${o.message}</li>`,
  )}</ul></div>`;
}
