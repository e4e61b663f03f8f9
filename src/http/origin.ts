/**
 * Whether a browser's request comes from this origin: `Sec-Fetch-Site` when the browser sends it,
 * else `Origin`; a request with neither is not. What a cookie-authenticated write must prove.
 */
export function fromThisOrigin(url: string, origin: string | undefined, fetchSite: string | undefined): boolean {
  if (fetchSite !== undefined) return fetchSite === 'same-origin';
  if (origin === undefined) return false;
  try {
    return new URL(url).origin === origin;
  } catch {
    return false;
  }
}
