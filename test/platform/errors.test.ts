// Error bodies of reference section 6 parsed into code + message, and every error kind classified
// with plain words a data engineer can act on.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parsePlatformErrorBody } from '../../src/platform/error-body.js';
import {
  isAlreadyExported,
  classifyImsResponse,
  classifyNetworkError,
  classifyPlatformResponse,
  runFailureError,
  type ErrorContext,
} from '../../src/platform/errors.js';

const flowsCreate: ErrorContext = {
  endpoint: 'flows.create',
  area: 'destinations',
  mutating: true,
  subject: 'flow',
  sandbox: 'dev-sandbox',
  orgId: 'FAKEORG000@AdobeOrg',
};
const labelsGet: ErrorContext = { ...flowsCreate, endpoint: 'datasetLabels.get', area: 'labels', mutating: false, subject: 'dataset labels' };

void describe('error body shapes', () => {
  void it('gateway / IMS layer: error_code + message', () => {
    assert.deepEqual(parsePlatformErrorBody({ error_code: '401013', message: 'Oauth token is not valid' }), {
      code: '401013',
      message: 'Oauth token is not valid',
    });
  });

  void it('Flow Service RFC-7807-like: code from the type URI, message from errorMessage', () => {
    const body = {
      type: 'https://ns.adobe.com/aep/errors/FLOW-1439-404',
      title: 'Resource not found',
      status: 404,
      report: { 'detailed-message': 'flow abc not found', type: 'flows' },
      errorMessage: 'flows not found with id = [abc]',
      errorDetails: 'details',
    };
    assert.deepEqual(parsePlatformErrorBody(body), { code: 'FLOW-1439-404', message: 'flows not found with id = [abc]' });
  });

  void it('legacy errorMessage only, bare message, content-type detail', () => {
    assert.equal(parsePlatformErrorBody({ errorMessage: 'Supplied version=[1] does not match', errorDetails: 'x' }).message, 'Supplied version=[1] does not match');
    assert.deepEqual(parsePlatformErrorBody({ message: 'Please provide a valid spec id' }), { code: undefined, message: 'Please provide a valid spec id' });
    assert.deepEqual(
      parsePlatformErrorBody({ type: '/placeholder/type/uri', status: 400, title: 'BadRequestError', detail: 'A valid content-type must be specified' }),
      { code: undefined, message: 'A valid content-type must be specified' },
    );
  });

  void it('Dataset / Policy Service: code PES-404', () => {
    const body = { timestamp: 1, status: 'NOT_FOUND', code: 'PES-404', message: 'GET Entities Not Found', path: '/entities/AEP:dataset:x' };
    assert.deepEqual(parsePlatformErrorBody(body), { code: 'PES-404', message: 'GET Entities Not Found' });
  });

  void it('IMS OAuth errors and run statusSummary errors', () => {
    assert.deepEqual(parsePlatformErrorBody({ error: 'invalid_client', error_description: 'invalid client_secret parameter' }), {
      code: 'invalid_client',
      message: 'invalid client_secret parameter',
    });
    const run = { id: 'r1', metrics: { statusSummary: { status: 'failed', errors: [{ code: 'ACTIVATION_BATCH-0000-FAILED', message: 'boom' }] } } };
    assert.deepEqual(parsePlatformErrorBody(run), { code: 'ACTIVATION_BATCH-0000-FAILED', message: 'boom' });
  });

  void it('plain text and non-objects', () => {
    assert.deepEqual(parsePlatformErrorBody('Bad Gateway'), { message: 'Bad Gateway' });
    assert.deepEqual(parsePlatformErrorBody(undefined), {});
    assert.deepEqual(parsePlatformErrorBody([1, 2]), {});
  });
});

void describe('classification and plain words', () => {
  void it('403 on flows names the destinations permission and the sandbox', () => {
    const error = classifyPlatformResponse(
      { status: 403, body: { type: 'https://ns.adobe.com/aep/errors/FLOW-2120-403', title: 'Forbidden', status: 403 } },
      flowsCreate,
    );
    assert.equal(error.kind, 'permission');
    assert.equal(error.code, 'FLOW-2120-403');
    assert.match(error.plainMessage, /'Manage and Activate Dataset Destinations' permission in sandbox 'dev-sandbox'/);
  });

  void it('403 on a read of flows names View Destinations; on labels View Datasets', () => {
    const read = classifyPlatformResponse({ status: 403, body: {} }, { ...flowsCreate, endpoint: 'flows.get', mutating: false });
    assert.match(read.plainMessage, /'View Destinations'/);
    const labels = classifyPlatformResponse({ status: 403, body: { message: 'Forbidden' } }, labelsGet);
    assert.equal(labels.kind, 'permission');
    assert.match(labels.plainMessage, /'View Datasets'/);
  });

  void it('403003 means the API key is invalid; 403025 a product profile problem', () => {
    const apiKey = classifyPlatformResponse({ status: 403, body: { error_code: '403003', message: 'Api Key is invalid' } }, flowsCreate);
    assert.equal(apiKey.kind, 'auth');
    assert.match(apiKey.plainMessage, /API key/);
    const profile = classifyPlatformResponse({ status: 403, body: { error_code: '403025', message: 'Profile is not valid' } }, flowsCreate);
    assert.equal(profile.kind, 'permission');
    assert.match(profile.plainMessage, /product profile/);
  });

  void it('IMS invalid_client says the client id or secret is wrong', () => {
    const error = classifyImsResponse({ status: 401, body: { error: 'invalid_client', error_description: 'invalid client_secret parameter' } }, 'ims.token');
    assert.equal(error.kind, 'auth');
    assert.equal(error.code, 'invalid_client');
    assert.match(error.plainMessage, /client id or client secret is wrong/);
    assert.equal(classifyImsResponse({ status: 503, body: {} }, 'ims.token').kind, 'transient');
  });

  void it('"not ready" ad hoc answers become not_ready with the 10-minute explanation and a retry hint', () => {
    const error = classifyPlatformResponse(
      {
        status: 400,
        body: { message: 'Invalid parameter: Following order ID(s) are not ready for dataset export, please wait for 10 minutes and retry.' },
      },
      { ...flowsCreate, endpoint: 'adhocRun.create' },
    );
    assert.equal(error.kind, 'not_ready');
    assert.match(error.plainMessage, /about 10 minutes after a flow is created or enabled/);
    assert.ok((error.retryAfterMs ?? 0) > 0);
    assert.equal(error.retryable, true);
  });

  void it('ad hoc runs not enabled is permanent; a run already going is a conflict', () => {
    const notEnabled = classifyPlatformResponse(
      { status: 400, body: { message: 'Invalid parameter: Flow for id f1 is incorrect. Error is [Adhoc run can not be executed for Flow spec=cd2fc47e]' } },
      flowsCreate,
    );
    assert.equal(notEnabled.kind, 'permanent');
    assert.match(notEnabled.plainMessage, /not enabled/);
    const already = classifyPlatformResponse(
      { status: 400, body: { message: 'Run already going on for audience a1 for order f1 with run id r1' } },
      flowsCreate,
    );
    assert.equal(already.kind, 'conflict');
    const exported = classifyPlatformResponse(
      { status: 400, body: { message: 'Invalid parameter: A run already exists for dataset d1 for order f1 (run id r1): the dataset has been exported already and has no new data since.' } },
      flowsCreate,
    );
    assert.equal(exported.kind, 'permanent', 'a definite answer, not something to wait out');
    assert.equal(isAlreadyExported(exported), true);
    assert.match(exported.plainMessage, /nothing new to export/);
    assert.equal(isAlreadyExported(already), false);
  });

  void it('404 not_found, 412 conflict, 422 permanent, 429 and 5xx transient', () => {
    assert.equal(classifyPlatformResponse({ status: 404, body: { errorMessage: 'flows not found with id = [x]' } }, flowsCreate).kind, 'not_found');
    const stale = classifyPlatformResponse({ status: 412, body: { errorMessage: 'Supplied version=[a] does not match' } }, flowsCreate);
    assert.equal(stale.kind, 'conflict');
    assert.match(stale.plainMessage, /read it again/);
    const invalid = classifyPlatformResponse({ status: 422, body: { message: 'connectionSpec.version is required' } }, flowsCreate);
    assert.equal(invalid.kind, 'permanent');
    assert.match(invalid.plainMessage, /connectionSpec\.version is required/);
    const limited = classifyPlatformResponse({ status: 429, body: {}, retryAfterMs: 3_000 }, flowsCreate);
    assert.equal(limited.kind, 'transient');
    assert.equal(limited.retryAfterMs, 3_000);
    assert.equal(classifyPlatformResponse({ status: 503, body: {} }, flowsCreate).kind, 'transient');
  });

  void it('network failures: connect errors never reached the server, dropped sockets may have', () => {
    const refused = classifyNetworkError({ code: 'ECONNREFUSED' }, 'connect', 'https://platform.example.test', 'flows.create');
    assert.equal(refused.reachedServer, false);
    assert.match(refused.plainMessage, /connection refused/);
    const dropped = classifyNetworkError({ code: 'UND_ERR_SOCKET' }, 'in_flight', 'https://platform.example.test', 'flows.create');
    assert.equal(dropped.reachedServer, true);
    assert.equal(dropped.kind, 'transient');
  });

  void it('a failed run carries the run error code', () => {
    const error = runFailureError({ id: 'r1', metrics: { statusSummary: { status: 'failed', errors: [{ code: 'ACTIVATION_BATCH-0000-FAILED', message: 'boom' }] } } });
    assert.equal(error.kind, 'permanent');
    assert.equal(error.code, 'ACTIVATION_BATCH-0000-FAILED');
    assert.match(error.plainMessage, /failed/);
  });
});
