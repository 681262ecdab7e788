// OAuth server-to-server token request to Adobe IMS (reference section 1.1): a form POST of
// grant_type, client_id, client_secret and a comma-separated scope list; `expires_in` in seconds.
import { classifyImsResponse, PlatformError } from './errors.js';
import { firstHeader, sendRequest, type HttpTimeouts, type OriginPools } from './http.js';
import { parseRetryAfterMs } from './retry-after.js';
import { ImsTokenResponseSchema, type PlatformTarget } from './types.js';

export const IMS_ENDPOINT = 'ims.token';

export interface IssuedToken {
  accessToken: string;
  /** Lifetime as issued, in milliseconds. */
  ttlMs: number;
}

/** One token request (no retry); throws a classified PlatformError on failure. */
export async function requestImsToken(
  pools: OriginPools,
  target: PlatformTarget,
  timeouts: HttpTimeouts,
  nowMs: () => number,
): Promise<IssuedToken> {
  const form = new URLSearchParams({
    grant_type: 'client_credentials',
    client_id: target.clientId,
    client_secret: target.clientSecret,
    scope: target.scopes.map((s) => s.trim()).filter((s) => s !== '').join(','),
  });
  const response = await sendRequest(pools, {
    baseUrl: target.imsUrl,
    path: '/ims/token/v3',
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
    body: form.toString(),
    timeouts,
    endpoint: IMS_ENDPOINT,
  });
  if (response.status < 200 || response.status >= 300) {
    throw classifyImsResponse(
      {
        status: response.status,
        body: response.body,
        retryAfterMs: parseRetryAfterMs(response.headers['retry-after'], nowMs()),
        requestId: firstHeader(response.headers, 'x-request-id'),
      },
      IMS_ENDPOINT,
    );
  }
  const parsed = ImsTokenResponseSchema.safeParse(response.body);
  if (!parsed.success) {
    throw new PlatformError({
      kind: 'transient',
      endpoint: IMS_ENDPOINT,
      status: response.status,
      plainMessage: 'Adobe IMS answered without a usable access token; the request will be retried.',
    });
  }
  return { accessToken: parsed.data.access_token, ttlMs: parsed.data.expires_in * 1000 };
}
