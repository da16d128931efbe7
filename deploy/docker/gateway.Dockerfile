# syntax=docker/dockerfile:1
# The Gatehouse gateway. Build from the repository root:
#   docker build -f deploy/docker/gateway.Dockerfile -t gatehouse/gateway:dev .
# Node 24 runs the TypeScript sources directly (type stripping): there is no compile step, the
# image carries packages/*/src and the production node_modules. docs/deployment.md says what
# this recipe does and that it has not been built on the project's machines (no image daemon).
ARG NODE_IMAGE=node:24-slim

FROM ${NODE_IMAGE} AS build
WORKDIR /app
# The context is filtered by .dockerignore: sources and the lock file, no tests or node_modules.
COPY . .
# Exactly what package-lock.json lists for the gateway and the workspace packages it imports,
# without devDependencies and without install scripts (no runtime dependency needs one).
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund --workspace packages/gateway

FROM ${NODE_IMAGE} AS runtime
WORKDIR /app
ENV NODE_ENV=production \
    NODE_COMPILE_CACHE=/tmp/node-compile-cache
# node_modules/@gatehouse/* are links into packages/: both are copied as they are.
COPY --from=build /app/package.json /app/package-lock.json ./
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/packages ./packages
COPY deploy/docker/healthcheck.mjs ./deploy/docker/healthcheck.mjs
# The image's own user (node, 1000), by number so that Kubernetes can check runAsNonRoot. Nothing
# is written outside /tmp: run with a read-only root filesystem and a writable /tmp.
USER 1000:1000
EXPOSE 8080
HEALTHCHECK --interval=15s --timeout=3s --start-period=20s --retries=3 \
  CMD ["node", "deploy/docker/healthcheck.mjs"]
# The heap settings bin/gatehouse.mjs would otherwise re-execute itself with.
ENTRYPOINT ["node", "--max-semi-space-size=8", "--heap-growing-percent=50", "packages/gateway/bin/gatehouse.mjs"]
CMD ["serve", "--config", "/etc/gatehouse/config/gatehouse.yaml"]
