# syntax=docker/dockerfile:1
# Multi-stage build: compile TypeScript with dev dependencies, ship only production dependencies
# and the compiled output, run as the unprivileged `node` user. The default target (the last
# stage) is the product: API, worker, migrations, CLI. The stand-ins (packages/stand-ins: the
# Platform simulator, the local ML platform, the storage emulators) are the `stand-ins` target,
# which docker-compose.yml builds for local use; the product image holds none of their code or
# dependencies (DuckDB, Parquet, Azurite, s3rver, the SSH server, pg-gateway).

# Node 20: inside package.json's engines, which test/ops/engines.test.ts holds true for every dependency.
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
COPY packages/stand-ins/package.json ./packages/stand-ins/
COPY scripts ./scripts
COPY prisma ./prisma
COPY prisma.config.ts ./
# postinstall runs `prisma generate` (the Prisma CLI can download its engine here).
# The lock file records every platform's optional binaries, so npm ci installs it as locked.
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
COPY packages/stand-ins ./packages/stand-ins
# `npm run build` compiles src/ and copies the web dashboard's static files next to it;
# `npm run build:stand-ins` compiles packages/stand-ins/src to packages/stand-ins/dist.
RUN npm run build && npm run build:stand-ins

# The stand-ins for docker-compose: every dependency installed (theirs are the workspace's
# development dependencies), their compiled code, run as `node`.
FROM node:20-bookworm-slim AS stand-ins
ENV NODE_ENV=production \
    SIMULATOR_STORAGE_DIR=/data/emulators
WORKDIR /app
RUN mkdir -p /data && chown node:node /data
COPY --from=build --chown=node:node /app/package.json ./
COPY --from=build --chown=node:node /app/node_modules ./node_modules
COPY --from=build --chown=node:node /app/packages/stand-ins/package.json ./packages/stand-ins/
COPY --from=build --chown=node:node /app/packages/stand-ins/dist ./packages/stand-ins/dist
USER node
# 4010 simulator (4012 its Query Service PostgreSQL interface); emulators: see docker-compose.yml.
EXPOSE 4010 4012
#   node packages/stand-ins/dist/simulator/storage/emulator-main.js s3|gcs|sftp
CMD ["node", "packages/stand-ins/dist/simulator/main.js"]

# Production dependencies only: the stand-ins' dependencies and the workspace link go.
FROM build AS production-modules
RUN npm prune --omit=dev --ignore-scripts && rm -rf node_modules/@aepj

FROM node:20-bookworm-slim AS runtime
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=3000 \
    SECRETS_KEY_FILE=/data/secrets.key
WORKDIR /app
RUN mkdir -p /data && chown node:node /data
COPY --from=build --chown=node:node /app/package.json ./
COPY --from=production-modules --chown=node:node /app/node_modules ./node_modules
COPY --from=build --chown=node:node /app/dist ./dist
COPY --from=build --chown=node:node /app/prisma ./prisma
USER node
# 3000 API (/metrics included), 9464 a worker's /metrics and /healthz.
EXPOSE 3000 9464
HEALTHCHECK --interval=10s --timeout=3s --start-period=20s --retries=3 \
  CMD node -e "fetch('http://127.0.0.1:'+(process.env.PORT||3000)+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
# API by default; the worker and migrations are other commands of the same image:
#   node dist/worker.js | node dist/db/migrate-cli.js
# and the CLI: node dist/cli/main.js exports list --url http://api:3000 --key "$AEPJ_API_KEY"
CMD ["node", "dist/server.js"]
