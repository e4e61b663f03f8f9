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
.null{color:#5d6773;font-style:italic}
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
.muted{color:#56606b}
.grid{display:flex;gap:1.5rem;flex-wrap:wrap;align-items:flex-start}
.scroll{overflow-x:auto;max-width:100%}
caption{text-align:left;font-weight:600;padding:.2rem 0;caption-side:top}
.sr{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap}
.skip{position:absolute;left:-999px}.skip:focus{left:.5rem;top:.5rem;background:#fff;color:#1f3346;padding:.3rem;z-index:2}
header nav{display:flex;gap:.8rem;flex-wrap:wrap}
header form{display:flex;gap:.3rem}
:focus-visible{outline:3px solid #f0b429;outline-offset:1px}
.viewas{background:#7a4a00;color:#fff;padding:.5rem 1rem;font-weight:600}
.state-ok{color:#17602a}.state-bad{color:#8d1c17;font-weight:600}
dl.kv{display:grid;grid-template-columns:max-content 1fr;gap:.2rem .8rem}dl.kv dt{font-weight:600}dl.kv dd{margin:0}
@media (max-width:48rem){main{padding:.5rem}header{padding:.5rem}header .who{margin-left:0}table{font-size:.9em}form.filters{flex-direction:column;align-items:stretch}}
`;

/** The one script: `/` focuses the find box (unless typing in a field). Allowed by its hash only. */
const SCRIPT = "document.addEventListener('keydown',function(e){var t=e.target&&e.target.tagName;if(e.key==='/'&&!e.ctrlKey&&!e.metaKey&&!e.altKey&&t!=='INPUT'&&t!=='TEXTAREA'&&t!=='SELECT'){var q=document.getElementById('find');if(q){e.preventDefault();q.focus();}}});";
const SCRIPT_HASH = createHash('sha256').update(SCRIPT, 'utf8').digest('base64');
/** The script tag every signed-in page carries; tests look for it to tell it from vendor markup. */
export const SHORTCUT_SCRIPT = `<script>${SCRIPT}</script>`;

const STYLE_HASH = createHash('sha256').update(CSS, 'utf8').digest('base64');

/**
 * No script may run on a console page but the one constant keyboard shortcut, allowed by its hash:
 * even if a value escaped its escaping, the browser would refuse it. Styles are allowed by hash
 * only; forms post to this origin only.
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  `style-src 'sha256-${STYLE_HASH}'`,
  `script-src 'sha256-${SCRIPT_HASH}'`,
  "img-src 'self' data:",
  "connect-src 'self'",
  "form-action 'self'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
].join('; ');

export type Section =
  | 'overview' | 'search' | 'conflicts' | 'ledger' | 'inbox' | 'outbox' | 'exceptions' | 'runs' | 'imports' | 'mappings' | 'access'
  | 'records' | 'none';

const NAV: ReadonlyArray<readonly [Exclude<Section, 'records' | 'search' | 'none'>, string, string]> = [
  ['overview', '/console', 'Health'],
  ['conflicts', '/console/conflicts', 'Conflicts'],
  ['exceptions', '/console/exceptions', 'Exceptions'],
  ['ledger', '/console/ledger', 'Ledger'],
  ['inbox', '/console/inbox', 'Inbox'],
  ['outbox', '/console/outbox', 'Outbox'],
  ['runs', '/console/runs', 'Runs'],
  ['imports', '/console/imports', 'Imports'],
  ['mappings', '/console/mappings', 'Mappings'],
  ['access', '/console/access', 'Access'],
];

export interface PageOptions {
  readonly title: string;
  readonly section: Section;
  /** The signed-in user; absent on the sign-in refusal page. */
  readonly user?: string;
  readonly body: Part;
  /** What the find box shows (the search page echoes the query). */
  readonly query?: string;
  /** A line above the header (view-as). */
  readonly banner?: Part;
  /** Seconds after which the page reloads itself (a running run's progress, without script). */
  readonly refreshSeconds?: number;
}

export function page(options: PageOptions): SafeHtml {
  const signedIn = options.user !== undefined;
  const nav = !signedIn
    ? null
    : h`<nav aria-label="console sections">${NAV.map(([key, href, label]) => h`<a href="${href}"${key === options.section ? trusted(' aria-current="page"') : ''}>${label}</a>`)}</nav>
<form role="search" method="get" action="/console/search"><label for="find" class="sr">Find anything (press /)</label><input id="find" name="q" type="search" value="${options.query ?? ''}" placeholder="find anything (press /)" maxlength="200" size="24"><button type="submit">Find</button></form>`;
  return h`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="same-origin"><link rel="icon" href="data:,">${options.refreshSeconds === undefined ? null : h`<meta http-equiv="refresh" content="${options.refreshSeconds}">`}
<title>${options.title} · Crosswalk console</title><style>${trusted(CSS)}</style></head>
<body><a class="skip" href="#main">Skip to content</a>${options.banner ?? null}<header><strong>Crosswalk console</strong>${nav}${signedIn ? h`<span class="who">signed in as ${options.user}</span>` : null}</header>
<main id="main"><h1>${options.title}</h1>
${options.body}
</main>${signedIn ? trusted(SHORTCUT_SCRIPT) : null}</body></html>`;
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
