# syntax=docker/dockerfile:1
# The journey worker, as ECS Fargate runs it (cdk/worker.ts builds this image for linux/arm64).
# Locally: docker build -t carepath-worker . && docker run --init --env-file worker.env carepath-worker

# The base image by digest, so a tag moved (or a registry or mirror answering with something else)
# cannot change what the worker runs: a new base is a change someone reviews. The digest is the
# multi-arch index (linux/amd64, linux/arm64, linux/ppc64le), so the linux/arm64 build resolves
# from it; the tag is read only by people and by Renovate/Dependabot's docker digest pinning.
# Source: docker-library/repo-info, repos/node/remote/24.21.0-bookworm-slim.md (commit 5997ebe,
# built 2026-09-09). To move it: `docker buildx imagetools inspect node:24-bookworm-slim` and
# take the index's Digest (not a platform's), with the Node version it names in the tag; the
# major must stay the one .nvmrc pins (tests/cdk/workerImage.test.ts holds the two together).
ARG NODE_IMAGE=node:24.21.0-bookworm-slim@sha256:2fe369e969550cde8e867afc3fe370b260140cab4a23d467074295b42163d553

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
