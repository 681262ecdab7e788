// The one call shape the pipeline-side Platform methods share: a call executor (token, retries,
// classification) plus the Adobe permission a 403 on that API means, so a refused pipeline step
// names "Manage Queries" or "Manage Schemas" instead of the export side's destination wording.
import type { CallExecutor } from './call-executor.js';
import { PlatformError, type PlatformArea } from './errors.js';
import type { HttpMethod, QueryPairs, RawBody, RawResponse } from './http.js';
import type { CallSafety } from './retry.js';
import type { CallOptions } from './client.js';

export interface PipelineCall {
  endpoint: string;
  /** Closest existing area (drives the error classification); `permission` names the real one. */
  area: PlatformArea;
  subject: string;
  /** The Adobe permission this API needs, e.g. "Manage Queries". */
  permission: string;
  method: HttpMethod;
  path: string;
  query?: QueryPairs;
  body?: unknown;
  rawBody?: RawBody;
  callMs?: number;
  accept?: string;
  headers?: Record<string, string>;
  safety?: CallSafety;
}

export type PipelineSend = (call: PipelineCall, opts?: CallOptions) => Promise<RawResponse>;

export function pipelineSender(execute: CallExecutor, sandbox: string): PipelineSend {
  return async (call, opts) => {
    const { permission, ...spec } = call;
    try {
      return await execute({ ...spec, safety: spec.safety ?? 'safe', signal: opts?.signal });
    } catch (error) {
      if (!(error instanceof PlatformError) || error.kind !== 'permission') throw error;
      throw new PlatformError({
        kind: 'permission',
        endpoint: error.endpoint,
        ...(error.status === undefined ? {} : { status: error.status }),
        ...(error.code === undefined ? {} : { code: error.code }),
        ...(error.platformMessage === undefined ? {} : { platformMessage: error.platformMessage }),
        plainMessage: `The Adobe credential lacks the '${permission}' permission in sandbox '${sandbox}'; add it to the product profile of the credential's technical account.`,
        cause: error,
      });
    }
  };
}
