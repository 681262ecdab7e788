// The worker's small HTTP listener: GET /metrics (Prometheus text) and GET /healthz (liveness for
// container health checks). The worker has no Fastify app; plain node:http is enough here.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import { metricsAccessAllowed } from './metrics-token.js';
import type { ServiceMetrics } from './service-metrics.js';

export interface MetricsServerOptions {
  host: string;
  port: number;
  metrics: ServiceMetrics;
  token?: string;
  logger: Logger;
}

export interface RunningMetricsServer {
  url: string;
  close(): Promise<void>;
}

function handle(server: Server, options: MetricsServerOptions): void {
  server.on('request', (request, response) => {
    const path = (request.url ?? '/').split('?')[0];
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      response.writeHead(405, { allow: 'GET, HEAD' }).end();
    } else if (path === '/healthz') {
      response.writeHead(200, { 'content-type': 'application/json' }).end('{"status":"ok"}');
    } else if (path !== '/metrics') {
      response.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
    } else if (!metricsAccessAllowed(request.headers.authorization, options.token)) {
      response.writeHead(401, { 'content-type': 'text/plain', 'www-authenticate': 'Bearer' }).end('metrics need the metrics token');
    } else {
      options.metrics.registry.metrics().then(
        (text) => response.writeHead(200, { 'content-type': options.metrics.registry.contentType }).end(text),
        (error: unknown) => {
          options.logger.error({ err: error }, 'collecting metrics failed');
          response.writeHead(500, { 'content-type': 'text/plain' }).end('collecting metrics failed');
        },
      );
    }
  });
}

export async function startMetricsServer(options: MetricsServerOptions): Promise<RunningMetricsServer> {
  const server = createServer();
  handle(server, options);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return {
    url: `http://${host}:${address.port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
