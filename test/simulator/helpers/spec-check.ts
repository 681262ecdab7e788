// Validates a recorded exchange against one of Adobe's specs, excusing only the named deviations.
import assert from 'node:assert/strict';
import { loadSpec, type SpecFile } from '../../support/openapi.js';
import type { PlatformExchange } from './platform-call.js';
import { SPEC_DEVIATIONS, type DeviationId } from './spec-deviations.js';

export interface SpecCheck {
  file: SpecFile;
  /** Deviations (by id) whose errors are excused for this exchange. */
  deviations?: DeviationId[];
  /** Skip the request side (e.g. a deliberately invalid request in an error test). */
  skipRequest?: boolean;
  /** Accept a status the operation does not document (gateway errors, faults). */
  allowUndocumentedStatus?: boolean;
}

function excused(error: string, operationId: string | undefined, side: 'request' | 'response', check: SpecCheck): boolean {
  return (check.deviations ?? []).some((id) => {
    const deviation = SPEC_DEVIATIONS[id];
    return deviation.file === check.file && deviation.side === side && operationId !== undefined && deviation.operationIds.includes(operationId) && deviation.errors.test(error);
  });
}

/** Asserts request and response match the spec's operation, apart from listed deviations. */
export async function assertMatchesSpec(exchange: PlatformExchange, check: SpecCheck): Promise<void> {
  const spec = await loadSpec(check.file);
  const failures: string[] = [];
  if (check.skipRequest !== true) {
    const request = spec.validateRequest({ ...exchange.request });
    failures.push(...request.errors.filter((e) => !excused(e, request.operationId, 'request', check)).map((e) => `request: ${e}`));
  }
  const response = spec.validateResponse(exchange.request, { status: exchange.status, body: exchange.body }, { allowUndocumentedStatus: check.allowUndocumentedStatus === true });
  failures.push(...response.errors.filter((e) => !excused(e, response.operationId, 'response', check)).map((e) => `response: ${e}`));
  assert.deepEqual(failures, [], `${exchange.request.method} ${exchange.request.path} -> ${exchange.status} vs ${check.file}:\n${failures.join('\n')}`);
}
