import { h, type Part, type SafeHtml } from './html.ts';

/**
 * The first submit button of a form with several: disabled, so pressing Enter in a text box submits
 * nothing rather than the first real button ("take incoming" where the user typed a value).
 */
export const NO_IMPLICIT_SUBMIT = h`<button type="submit" disabled hidden aria-hidden="true" tabindex="-1"></button>`;

export function select(name: string, label: string, options: readonly string[], selected: string | undefined): SafeHtml {
  return h`<label>${label}<select name="${name}"><option value="">any</option>${options.map(
    (o) => h`<option value="${o}"${o === selected ? h` selected` : null}>${o}</option>`,
  )}</select></label>`;
}

export function textInput(name: string, label: string, current: string | undefined, placeholder = ''): SafeHtml {
  return h`<label>${label}<input name="${name}" value="${current ?? ''}" placeholder="${placeholder}" maxlength="100"></label>`;
}

export function filterForm(action: string, fields: Part, clearHref: string): SafeHtml {
  return h`<form class="filters" method="get" action="${action}">${fields}<button type="submit">Filter</button> <a href="${clearHref}">clear</a></form>`;
}

/** "next page" when the page was full, else nothing. */
export function nextLink(href: string | null): SafeHtml | null {
  return href === null ? null : h`<p><a rel="next" href="${href}">next page →</a></p>`;
}
