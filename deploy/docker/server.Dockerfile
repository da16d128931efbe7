# syntax=docker/dockerfile:1
# The five Gatehouse domain servers in one image; the command picks the server. Build from the
# repository root:
#   docker build -f deploy/docker/server.Dockerfile -t gatehouse/server:dev .
# and run one, e.g.:
#   docker run gatehouse/server:dev packages/weather-server/src/main.ts --port 8080 --host 0.0.0.0
# (customer-server, knowledge-server, platform-ops-server, wallet-server, weather-server; each
# reads its settings from the environment, see its README). Node 24 runs the TypeScript sources
# directly. docs/deployment.md says what this recipe does and that it has not been built on the
# project's machines (no image daemon).
ARG NODE_IMAGE=node:24-slim

FROM ${NODE_IMAGE} AS build
WORKDIR /app
COPY . .
# Exactly what package-lock.json lists for the five servers (and the kit they share), without
# devDependencies and without install scripts.
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund \
      --workspace packages/customer-server \
      --workspace packages/knowledge-server \
      --workspace packages/platform-ops-server \
      --workspace packages/wallet-server \
      --workspace packages/weather-server

FROM ${NODE_IMAGE} AS runtime
WORKDIR /app
ENV NODE_ENV=production \
    NODE_COMPILE_CACHE=/tmp/node-compile-cache \
    KNOWLEDGE_DB_PATH=/tmp/knowledge/knowledge.db \
    WALLET_DB_PATH=/tmp/wallet/wallet.db
COPY --from=build /app/package.json /app/package-lock.json ./
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/packages ./packages
COPY deploy/docker/healthcheck.mjs ./deploy/docker/healthcheck.mjs
# The image's own user (node, 1000), by number so that Kubernetes can check runAsNonRoot. The
# knowledge index and the wallet's SQLite fallback go to /tmp: run with a read-only root
# filesystem and a writable /tmp.
USER 1000:1000
EXPOSE 8080
# /healthz runs the server's dependency checks: a server whose backend is down reports
# unhealthy. With TLS, set GATEHOUSE_HEALTH_URL=https://… and the GATEHOUSE_HEALTH_* files.
HEALTHCHECK --interval=15s --timeout=3s --start-period=30s --retries=3 \
  CMD ["node", "deploy/docker/healthcheck.mjs"]
ENTRYPOINT ["node", "--max-semi-space-size=8"]
CMD ["packages/knowledge-server/src/main.ts", "--port", "8080", "--host", "0.0.0.0"]
