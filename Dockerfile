# syntax=docker/dockerfile:1
# The journey worker, as ECS Fargate runs it (cdk/worker.ts builds this image for linux/arm64).
# Locally: docker build -t carepath-worker . && docker run --init --env-file worker.env carepath-worker
ARG NODE_IMAGE=node:24-bookworm-slim

# Build: the workflow bundle and our TypeScript compiled by esbuild (scripts/buildWorker.ts).
FROM ${NODE_IMAGE} AS build
WORKDIR /src
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json ./
COPY domain ./domain
COPY workflows ./workflows
COPY temporal ./temporal
COPY config ./config
COPY activities ./activities
COPY worker ./worker
COPY scripts/buildWorker.ts ./scripts/buildWorker.ts
RUN npx tsx scripts/buildWorker.ts dist

# Production dependencies only: no compilers, bundlers or test tools in the running image.
FROM ${NODE_IMAGE} AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force

FROM ${NODE_IMAGE}
ENV NODE_ENV=production \
    CAREPATH_WORKFLOW_BUNDLE=/app/dist/workflow-bundle.js \
    CAREPATH_HEALTH_FILE=/tmp/carepath-worker.alive
WORKDIR /app
COPY --from=deps /app/node_modules ./node_modules
COPY --from=build /src/dist ./dist
COPY package.json ./
# Root owns the code, so the process can read it but never rewrite it.
USER node
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 CMD ["node", "/app/dist/healthcheck.mjs"]
# Exec form: node itself receives SIGTERM (no shell in between), and Temporal's Worker drains
# in-flight tasks before worker.run() resolves. ECS adds an init process (initProcessEnabled)
# to reap zombies and forward signals; `docker run --init` does the same locally.
STOPSIGNAL SIGTERM
CMD ["node", "--enable-source-maps", "dist/worker.mjs"]
