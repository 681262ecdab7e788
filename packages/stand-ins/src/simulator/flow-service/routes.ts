// Flow Service under /data/foundation/flowservice: specs, connections, source and target
// connections, flows and flow actions. (Runs belong to the data routes.)
import type { FastifyInstance } from 'fastify';
import type { SimulatorContext } from '../context.js';
import { registerConnectionRoutes } from './connection-routes.js';
import { registerFlowActionRoutes } from './flow-actions.js';
import { registerFlowRoutes } from './flow-routes.js';
import { registerSourceConnectionRoutes } from './source-connection-routes.js';
import { registerSpecRoutes } from './spec-routes.js';
import { registerTargetConnectionRoutes } from './target-connection-routes.js';

export { FLOW_SERVICE_BASE } from './crud.js';

export function registerFlowService(app: FastifyInstance, ctx: SimulatorContext): void {
  registerSpecRoutes(app);
  registerConnectionRoutes(app, ctx);
  registerSourceConnectionRoutes(app, ctx);
  registerTargetConnectionRoutes(app, ctx);
  registerFlowRoutes(app, ctx);
  registerFlowActionRoutes(app, ctx);
}
