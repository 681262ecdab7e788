# syntax=docker/dockerfile:1
# Multi-stage build: compile TypeScript with dev dependencies, ship only production dependencies
# and the compiled output, run as the unprivileged `node` user.

# Node 20: inside package.json's engines, which test/ops/engines.test.ts holds true for every dependency.
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
COPY scripts ./scripts
COPY prisma ./prisma
COPY prisma.config.ts ./
# postinstall runs `prisma generate` (the Prisma CLI can download its engine here).
# The lock file records every platform's optional binaries, so npm ci installs it as locked.
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
# `npm run build` compiles src/ and copies the web dashboard's static files next to it.
RUN npm run build && npm prune --omit=dev --ignore-scripts

FROM node:20-bookworm-slim AS runtime
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=3000 \
    SIMULATOR_STORAGE_DIR=/data/emulators \
    SECRETS_KEY_FILE=/data/secrets.key
WORKDIR /app
RUN mkdir -p /data && chown node:node /data
COPY --from=build --chown=node:node /app/package.json ./
COPY --from=build --chown=node:node /app/node_modules ./node_modules
COPY --from=build --chown=node:node /app/dist ./dist
COPY --from=build --chown=node:node /app/prisma ./prisma
USER node
# 3000 API (/metrics included), 4010 simulator (4012 its Query Service PostgreSQL interface),
# 9464 a worker's /metrics and /healthz.
EXPOSE 3000 4010 4012 9464
HEALTHCHECK --interval=10s --timeout=3s --start-period=20s --retries=3 \
  CMD node -e "fetch('http://127.0.0.1:'+(process.env.PORT||3000)+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
# API by default; the worker, the simulator and migrations are other commands of the same image:
#   node dist/worker.js | node dist/simulator/main.js | node dist/db/migrate-cli.js
# and the CLI: node dist/cli/main.js exports list --url http://api:3000 --key "$AEPJ_API_KEY"
CMD ["node", "dist/server.js"]
