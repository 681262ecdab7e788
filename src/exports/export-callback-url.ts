// The callback URL rules of POST /exports, on top of the SSRF guard in src/security/ssrf.ts:
// `callbackUrlProblem` judges the URL on its face (https, no credentials, no literal loopback,
// private, link-local or internal name); `resolvedCallbackUrlProblem` also resolves the host and
// refuses names that point inside. Delivery connects through the guard's dispatcher, which checks
// the address again at connect time (DNS rebinding).
import { resolvedUrlProblem, urlProblem, type SsrfPolicy } from '../security/ssrf.js';

/** Why the URL is refused, or null when it may be used (no DNS). */
export function callbackUrlProblem(raw: string, opts: { allowPrivate: boolean }): string | null {
  return urlProblem(raw, opts);
}

/** As callbackUrlProblem, plus the host's resolved addresses (a name that does not resolve passes). */
export function resolvedCallbackUrlProblem(raw: string, policy: SsrfPolicy): Promise<string | null> {
  return resolvedUrlProblem(raw, policy);
}
