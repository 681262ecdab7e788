// Prometheus for the API: every response is timed by route pattern, method and status, and
// GET /metrics serves the process's registry. /metrics is public unless METRICS_TOKEN is set; then
// it needs `Authorization: Bearer <token>` (a scrape token, not an API key).
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { AppError } from '../../errors.js';
import { metricsAccessAllowed } from '../../metrics/metrics-token.js';
import type { ServiceMetrics } from '../../metrics/service-metrics.js';

export interface MetricsPluginOptions {
  metrics: ServiceMetrics;
  token?: string;
}

export default fp(
  async function metricsPlugin(app: FastifyInstance, opts: MetricsPluginOptions) {
    const { metrics } = opts;

    app.addHook('onResponse', async (request, reply) => {
      // Unmatched URLs share one label value: raw paths would make a series per probe.
      const route = request.routeOptions.url ?? 'unmatched';
      metrics.httpRequestDuration.observe({ method: request.method, route, status_code: String(reply.statusCode) }, reply.elapsedTime / 1000);
    });

    app.get('/metrics', { config: { public: true }, schema: { hide: true } }, async (request, reply) => {
      if (!metricsAccessAllowed(request.headers.authorization, opts.token)) {
        throw new AppError('unauthorized', 'GET /metrics needs the metrics token as "Authorization: Bearer <token>".', { headers: { 'www-authenticate': 'Bearer' } });
      }
      return reply.type(metrics.registry.contentType).send(await metrics.registry.metrics());
    });
  },
  { name: 'metrics' },
);
