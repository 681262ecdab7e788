// The export workflow reads as one list (src/exports/worker/workflow.ts): the stored step
// vocabulary is that list plus the three markers, `advance` follows it, the last step of each lane
// has no step after it, and every jump out of the order names its reason. (That a handler can only
// answer the jumps listed for its step is checked by the compiler.)
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { exportSteps } from '../../src/exports/worker/export-model.js';
import { exportJumps, exportWorkflow, lastSteps, stepAfter } from '../../src/exports/worker/workflow.js';

test('the stored steps are the workflow in order, plus pending, done and cancelled', () => {
  assert.deepEqual(
    exportSteps.filter((s) => s !== 'pending' && s !== 'done' && s !== 'cancelled'),
    [...exportWorkflow],
  );
});

test('advance goes to the next step of the list; the last step of a lane has none', () => {
  assert.equal(stepAfter('governance'), 'base_connection');
  assert.equal(stepAfter('verify_flow'), 'trigger_run');
  assert.equal(stepAfter('poll_run'), 'list_files');
  for (const last of lastSteps) assert.throws(() => stepAfter(last), /last of its lane/);
});

test('every jump leads to a workflow step and says why', () => {
  const jumps = Object.entries(exportJumps).flatMap(([from, targets]) => Object.entries(targets).map(([to, why]) => ({ from, to, why })));
  assert.ok(jumps.length > 0);
  for (const { from, to, why } of jumps) {
    assert.ok((exportWorkflow as readonly string[]).includes(from), from);
    assert.ok((exportWorkflow as readonly string[]).includes(to), `${from} -> ${to}`);
    assert.ok(why.length > 20, `${from} -> ${to} has no reason`);
  }
});
