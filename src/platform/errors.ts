// One error type for everything the Platform (or IMS) can answer, classified so callers decide
// without reading status codes: retry later (transient, not_ready), fix the request (permanent),
// fix the credential (auth, permission), re-read (conflict, not_found). `plainMessage` is what a
// data engineer sees in the job's status.
import { parsePlatformErrorBody } from './error-body.js';

export type PlatformErrorKind =
  | 'transient'
  | 'permanent'
  | 'permission'
  | 'not_found'
  | 'not_ready'
  | 'conflict'
  | 'auth';

/** Which Platform API a call belongs to; picks the permission named in a 403. */
export type PlatformArea = 'destinations' | 'runs' | 'datasets' | 'labels' | 'ims';

/** What the failing call was, for classification and plain words. */
export interface ErrorContext {
  /** Stable low-cardinality call name, e.g. "flows.create". */
  endpoint: string;
  area: PlatformArea;
  /** True for creates, PATCHes, actions and deletes. */
  mutating: boolean;
  /** Human noun for the object, e.g. "flow", "source connection". */
  subject: string;
  sandbox: string;
  orgId: string;
}

export interface PlatformErrorInit {
  kind: PlatformErrorKind;
  plainMessage: string;
  endpoint: string;
  status?: number;
  code?: string;
  platformMessage?: string;
  retryAfterMs?: number;
  /** A create whose outcome is unknown: look the object up by name before creating it again. */
  ambiguous?: boolean;
  /** False only when the request provably never reached the server (connect failure). */
  reachedServer?: boolean;
  requestId?: string;
  cause?: unknown;
}

export class PlatformError extends Error {
  override readonly name = 'PlatformError';
  readonly kind: PlatformErrorKind;
  readonly plainMessage: string;
  readonly endpoint: string;
  readonly status: number | undefined;
  readonly code: string | undefined;
  readonly platformMessage: string | undefined;
  readonly retryAfterMs: number | undefined;
  readonly ambiguous: boolean;
  readonly reachedServer: boolean;
  readonly requestId: string | undefined;

  constructor(init: PlatformErrorInit) {
    super(init.plainMessage, init.cause === undefined ? undefined : { cause: init.cause });
    this.kind = init.kind;
    this.plainMessage = init.plainMessage;
    this.endpoint = init.endpoint;
    this.status = init.status;
    this.code = init.code;
    this.platformMessage = init.platformMessage;
    this.retryAfterMs = init.retryAfterMs;
    this.ambiguous = init.ambiguous ?? false;
    this.reachedServer = init.reachedServer ?? true;
    this.requestId = init.requestId;
  }

  /** Worth trying again later without changing anything. */
  get retryable(): boolean {
    return this.kind === 'transient' || this.kind === 'not_ready';
  }

  /** A copy marked ambiguous, for a create whose request may have been applied. */
  asAmbiguous(subject: string): PlatformError {
    return new PlatformError({
      ...this.init(),
      kind: 'transient',
      ambiguous: true,
      plainMessage:
        `The Platform may or may not have created the ${subject}: ${lowerFirst(this.plainMessage)} ` +
        `Look it up by name before creating it again.`,
      cause: this,
    });
  }

  private init(): PlatformErrorInit {
    return {
      kind: this.kind,
      plainMessage: this.plainMessage,
      endpoint: this.endpoint,
      status: this.status,
      code: this.code,
      platformMessage: this.platformMessage,
      retryAfterMs: this.retryAfterMs,
      ambiguous: this.ambiguous,
      reachedServer: this.reachedServer,
      requestId: this.requestId,
    };
  }
}

function lowerFirst(s: string): string {
  return s.charAt(0).toLowerCase() + s.slice(1);
}

/** The Platform role permission each area needs (Adobe permission names). */
export function likelyMissingPermission(ctx: Pick<ErrorContext, 'area' | 'mutating'>): string {
  switch (ctx.area) {
    case 'destinations':
      return ctx.mutating ? 'Manage and Activate Dataset Destinations' : 'View Destinations';
    case 'runs':
      return ctx.mutating ? 'Manage and Activate Dataset Destinations' : 'View Destinations';
    case 'datasets':
    case 'labels':
      return 'View Datasets';
    case 'ims':
      return 'Experience Platform API access';
  }
}

const NOT_READY = /not ready for dataset export/i;
export const NOT_READY_RETRY_MS = 60_000;
const ADHOC_NOT_ENABLED = /adhoc run can ?not be executed/i;
const RUN_GOING_ON = /run already going on/i;
// "If you get a message saying a run already exists, it means that either this dataset has been
// exported already based on the schedule, or that you've already done an adhoc export before"
// (Adobe's CMLE notebooks, Week2): a definite answer, not something to wait out.
const ALREADY_EXPORTED = /run already exists|already (been )?exported/i;

/** The Platform refused an ad hoc run because the dataset's data was already exported through the flow. */
export function isAlreadyExported(error: unknown): boolean {
  return error instanceof PlatformError && error.kind === 'permanent' && ALREADY_EXPORTED.test(error.platformMessage ?? '');
}

function withDetail(sentence: string, code: string | undefined, message: string | undefined): string {
  const detail = [code, message].filter((part) => part !== undefined).join(': ');
  return detail === '' ? sentence : `${sentence} (Platform said ${detail})`;
}

export interface HttpFailure {
  status: number;
  body: unknown;
  retryAfterMs?: number;
  requestId?: string;
}

/** Classifies a non-2xx answer from the Platform gateway. */
export function classifyPlatformResponse(failure: HttpFailure, ctx: ErrorContext): PlatformError {
  const { status } = failure;
  const { code, message } = parsePlatformErrorBody(failure.body);
  const base = {
    endpoint: ctx.endpoint,
    status,
    code,
    platformMessage: message,
    retryAfterMs: failure.retryAfterMs,
    requestId: failure.requestId,
  };
  const make = (kind: PlatformErrorKind, sentence: string): PlatformError =>
    new PlatformError({
      ...base,
      kind,
      plainMessage: withDetail(sentence, code, message),
      // Adobe's advice for a flow that is not ready yet: retry about a minute later.
      retryAfterMs: kind === 'not_ready' ? (failure.retryAfterMs ?? NOT_READY_RETRY_MS) : failure.retryAfterMs,
    });
  const sandbox = `sandbox '${ctx.sandbox}'`;

  if (message !== undefined && NOT_READY.test(message)) {
    return make(
      'not_ready',
      'The Platform is not ready to export from this flow yet: it needs about 10 minutes after a flow is created or enabled before an ad hoc export is accepted. Try again in a few minutes.',
    );
  }
  if (message !== undefined && ADHOC_NOT_ENABLED.test(message)) {
    return make(
      'permanent',
      `Ad hoc dataset exports are not enabled for this destination in org ${ctx.orgId}; ask Adobe to enable ad hoc dataset export, or run the flow on a schedule.`,
    );
  }
  if (message !== undefined && RUN_GOING_ON.test(message)) {
    return make('conflict', 'An export of this dataset is already running on this flow; wait for that run instead of starting another.');
  }
  if (message !== undefined && ALREADY_EXPORTED.test(message)) {
    return make(
      'permanent',
      'The Platform did not start a run: this dataset was already exported through this flow and has no new data since, so there is nothing new to export.',
    );
  }

  switch (code ?? '') {
    case '401013':
    case '403010':
      return make(
        'auth',
        'Adobe rejected the access token even after a fresh one was fetched; check that the client id, org id and the IMS environment belong together.',
      );
    case '403003':
    case '403000':
      return make(
        'auth',
        'Adobe rejected the API key: the client id sent as x-api-key is not valid for the Platform gateway. Check the client id and that the Experience Platform API is added to the Developer Console project.',
      );
    case '403025':
      return make(
        'permission',
        `The credential's product profile does not give access to Experience Platform in org ${ctx.orgId}; add the technical account to a product profile that includes ${sandbox}.`,
      );
    case '400003':
      return make('permanent', 'The request was missing a required Adobe header (org id or sandbox); this is a bug in the service.');
    default:
      break;
  }

  if (status === 401) {
    return make('auth', 'Adobe rejected the access token even after a fresh one was fetched; check the credential.');
  }
  if (status === 403) {
    return make(
      'permission',
      `The Adobe credential lacks the '${likelyMissingPermission(ctx)}' permission in ${sandbox}; add it to the product profile of the credential's technical account.`,
    );
  }
  if (status === 404) {
    return make('not_found', `The Platform has no ${ctx.subject} with that id in ${sandbox}; it may have been deleted.`);
  }
  if (status === 412) {
    return make('conflict', `The ${ctx.subject} changed since it was read (its etag no longer matches); read it again and retry.`);
  }
  if (status === 409) {
    return make('conflict', `The Platform refused the change to the ${ctx.subject} because it conflicts with its current state.`);
  }
  if (status === 429) {
    const wait = failure.retryAfterMs === undefined ? '' : ` (asked to wait ${Math.ceil(failure.retryAfterMs / 1000)} s)`;
    return make('transient', `The Platform is rate limiting requests${wait}; the call will be retried later.`);
  }
  if (status >= 500) {
    return make('transient', `The Platform had a temporary problem (HTTP ${status}) with the ${ctx.subject}; the call will be retried.`);
  }
  return make('permanent', `The Platform rejected the ${ctx.subject} request as invalid (HTTP ${status}).`);
}

/** Classifies an IMS token endpoint failure. */
export function classifyImsResponse(failure: HttpFailure, endpoint: string): PlatformError {
  const { code, message } = parsePlatformErrorBody(failure.body);
  const base = {
    endpoint,
    status: failure.status,
    code,
    platformMessage: message,
    retryAfterMs: failure.retryAfterMs,
    requestId: failure.requestId,
  };
  const make = (kind: PlatformErrorKind, sentence: string): PlatformError =>
    new PlatformError({ ...base, kind, plainMessage: withDetail(sentence, code, message) });

  if (failure.status === 429 || failure.status >= 500) {
    return make('transient', `Adobe IMS could not issue a token right now (HTTP ${failure.status}); it will be retried.`);
  }
  if (code === 'invalid_scope') {
    return make(
      'auth',
      'Adobe IMS refused the requested scopes; fix the scope list or add the Experience Platform API to the Developer Console project.',
    );
  }
  if (code === 'invalid_client' || code === 'unauthorized_client' || failure.status === 401) {
    return make('auth', 'Adobe IMS rejected the credential: the client id or client secret is wrong (or the secret was rotated).');
  }
  return make('auth', `Adobe IMS refused to issue a token (HTTP ${failure.status}); check the credential.`);
}

/** Whether a network failure happened before the request could reach the server. */
export type NetworkPhase = 'connect' | 'in_flight';

/** Classifies a transport failure (connect refused, timeouts, dropped sockets). */
export function classifyNetworkError(error: unknown, phase: NetworkPhase, origin: string, endpoint: string): PlatformError {
  const code = typeof error === 'object' && error !== null && 'code' in error ? String(error.code) : undefined;
  const reason = describeNetworkCode(code);
  const plainMessage =
    phase === 'connect'
      ? `Could not connect to ${origin} (${reason}); the call will be retried.`
      : `The connection to ${origin} failed while waiting for the answer (${reason}).`;
  return new PlatformError({
    kind: 'transient',
    endpoint,
    code,
    plainMessage,
    reachedServer: phase !== 'connect',
    cause: error,
  });
}

function describeNetworkCode(code: string | undefined): string {
  switch (code ?? '') {
    case 'UND_ERR_CONNECT_TIMEOUT':
      return 'connect timeout';
    case 'UND_ERR_HEADERS_TIMEOUT':
      return 'no answer in time';
    case 'UND_ERR_BODY_TIMEOUT':
      return 'answer stalled';
    case 'UND_ERR_SOCKET':
    case 'ECONNRESET':
      return 'connection dropped';
    case 'ECONNREFUSED':
      return 'connection refused';
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return 'host name not resolved';
    case 'CALL_TIMEOUT':
      return 'call deadline exceeded';
    default:
      return code || 'network error';
  }
}

/** Error codes that prove the request never left this machine. */
const CONNECT_PHASE_CODES = new Set([
  'UND_ERR_CONNECT_TIMEOUT',
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
]);

export function networkPhaseOf(error: unknown): NetworkPhase {
  const code = typeof error === 'object' && error !== null && 'code' in error ? String(error.code) : '';
  return CONNECT_PHASE_CODES.has(code) ? 'connect' : 'in_flight';
}

/** A failed run as an error: permanent, with the run's first error code and message. */
export function runFailureError(run: unknown, endpoint = 'runs.get'): PlatformError {
  const { code, message } = parsePlatformErrorBody(run);
  return new PlatformError({
    kind: 'permanent',
    endpoint,
    code,
    platformMessage: message,
    plainMessage: withDetail('The Platform reported the export run as failed.', code, message),
  });
}
