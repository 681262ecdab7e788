// Step `featurize`: the SQL as a Query Service CTAS into a new dataset. The CTAS table has a
// deterministic name, and before submitting the worker looks for a query that already creates it
// (a submit whose answer was lost, or a crash before the id was saved). KILLED and TIMEOUT fail
// the pipeline with that reason, as does a CTAS that succeeded but wrote no rows (the notebooks'
// anonymous blocks could hide failures that way: pitfall 2).
import type { Query } from '../../../platform/pipeline-types.js';
import { ctasTableName } from '../external-names.js';
import { done, fail, wait, type StepOutcome } from '../pipeline-model.js';
import { outcomeOfCallError, pollDelayMs } from '../pipeline-outcome.js';
import { idOf, type StepContext, type StepHandler } from '../step-context.js';

function firstError(query: Query): { platformCode?: string; platformMessage?: string } {
  const error = query.errors[0];
  return { ...(error?.code === undefined ? {} : { platformCode: error.code }), ...(error?.message === undefined ? {} : { platformMessage: error.message }) };
}

async function findOrSubmit(ctx: StepContext<'featurize'>, tableName: string): Promise<string> {
  const existing = (await ctx.platform.findQueriesBySql(tableName, { limit: 10 })).find((q) => (q.effectiveSQL ?? '').includes(tableName));
  if (existing) {
    ctx.log.info({ queryId: existing.id, tableName }, 'featurization query found by its table name');
    return existing.id;
  }
  ctx.crash('featurize', 'before');
  const submitted = await ctx.platform.submitCtasQuery({
    dbName: `${ctx.platform.target.sandbox}:all`,
    sql: ctx.definition.sql,
    datasetName: tableName,
    name: `aepjobs ${ctx.pipeline.name} ${ctx.step.name}`,
    description: `aep-distiller-jobs pipeline ${ctx.pipeline.id} step ${ctx.step.name}`,
    ...(ctx.definition.queryParameters === undefined ? {} : { queryParameters: ctx.definition.queryParameters }),
  });
  ctx.crash('featurize', 'after');
  ctx.log.info({ queryId: submitted.id, tableName }, 'featurization query submitted');
  return submitted.id;
}

async function createdDatasetId(ctx: StepContext<'featurize'>, query: Query, tableName: string): Promise<string | undefined> {
  const linked = query._links?.created_dataset?.id;
  if (linked !== undefined) return linked;
  // The notebooks' way when the link is missing: Catalog by name.
  const found = (await ctx.platform.listDatasets({ name: tableName, limit: 10 })).find((d) => d.name === tableName);
  return found?.id;
}

export const featurizeStep: StepHandler<'featurize'> = async (ctx) => {
  const tableName = idOf(ctx.ids, 'tableName') ?? ctasTableName(ctx.identity, ctx.definition.datasetName);
  try {
    let queryId = idOf(ctx.ids, 'queryId');
    if (queryId === undefined) {
      queryId = await findOrSubmit(ctx, tableName);
      await ctx.saveIds({ queryId, tableName });
    }
    const query = await ctx.platform.getQuery(queryId);
    return await outcomeOf(ctx, query, tableName);
  } catch (error) {
    return outcomeOfCallError(ctx, error);
  }
};

async function outcomeOf(ctx: StepContext<'featurize'>, query: Query, tableName: string): Promise<StepOutcome> {
  switch (query.state) {
    case 'SUBMITTED':
    case 'IN_PROGRESS':
      return wait(pollDelayMs(ctx), `the query is ${query.state}`);
    case 'KILLED':
      return fail('query_killed', `The featurization query ${query.id} ended KILLED (it was cancelled at the Query Service before it finished).`, firstError(query));
    case 'TIMEOUT':
      return fail('query_timeout', `The featurization query ${query.id} ended TIMEOUT: it ran longer than the Query Service allows.`, firstError(query));
    case 'FAILED': {
      const error = firstError(query);
      return fail('query_failed', `The featurization query ${query.id} failed${error.platformMessage ? `: ${error.platformMessage}` : '.'}`, error);
    }
    case 'SUCCESS': {
      const rowCount = query.rowCount ?? 0;
      if (rowCount === 0) return fail('no_rows', `The featurization query wrote no rows (query ${query.id}, table ${tableName}); check its filters and source tables.`);
      const datasetId = await createdDatasetId(ctx, query, tableName);
      if (datasetId === undefined) return fail('dataset_missing', `The featurization query ${query.id} succeeded but the Platform shows no dataset ${tableName}.`);
      ctx.log.info({ queryId: query.id, rowCount, datasetId }, 'featurization query succeeded');
      return done({ datasetId, tableName, queryId: query.id, rowCount });
    }
    default:
      return wait(pollDelayMs(ctx), `the query is ${query.state}`);
  }
}
