# syntax=docker/dockerfile:1
#
# One image per service, from one file:
#   docker build --build-arg APP=reader -t library-reader .
#   docker build --build-arg APP=writer -t library-writer .
#   docker buildx build --platform linux/arm64 --build-arg APP=writer .   (Graviton; no emulation needed)
# The container contract (docs/deploy-contract.md#container-contract): non-root, listens on PORT (8000), command `serve` (default)
# or `migrate`. A plain `docker build` targets the machine's own platform; the deploy CLI (--platform) and
# docker-compose.yml (platform:) ask for linux/amd64, the default Fargate cpu_architecture.
#
# Base image: node:<major>-bookworm-slim, pinned by major version (security patches arrive with each pull).
#   - glibc, like the CI machines and the Debian dev boxes the tests run on; Node's musl (alpine) builds are
#     "experimental" tier and alpine's DNS resolver behaves differently from glibc's inside a VPC.
#   - it ships the `node` user (uid 1000) that Terraform runs the task as (container_user = "node");
#     distroless has no such user (nonroot is 65532) and no shell, which also rules out ECS Exec debugging.
#   - slim drops compilers and docs; we need none of them: every runtime dependency is pure JavaScript
#     (the runtime stage has no RUN, so a native addon would have nowhere to be built for the target platform).
# Node 24 (LTS, security fixes until April 2028), the same major as .nvmrc and CI: Node 20 reached end of
# life on 2026-04-30. NODE_MAJOR moves all stages at once; `npm run test:images` runs both services on it.
ARG NODE_MAJOR=24
ARG BASE_IMAGE=node:${NODE_MAJOR}-bookworm-slim

# ---------------------------------------------------------------------------------------------------------
# build: compile both apps with the full (dev) dependency tree. The output is plain JavaScript, so this
# stage always runs on the builder's own platform: an arm64 image builds at native speed on amd64.
FROM --platform=$BUILDPLATFORM ${BASE_IMAGE} AS build
WORKDIR /app
# Lockfile first: the dependency layer is reused until package*.json change. --ignore-scripts: the install
# scripts in the tree (esbuild, @swc/core, embedded-postgres binaries) serve tests and tooling, not `nest build`.
COPY package.json package-lock.json ./
RUN --mount=type=cache,target=/root/.npm \
    npm ci --ignore-scripts --no-audit --no-fund
COPY tsconfig.json nest-cli.json ./
COPY libs ./libs
COPY apps ./apps
# tsc with the Swagger plugin: the same dist/ that `npm run dev`, the tests and `npm run bench` run.
RUN npm run build
# Keep only what APP needs: its tsc output and the libraries' (dist/apps/$APP, dist/libs: 0.1 MiB), without
# source maps. dist/main.js is a symbolic link to the service's own entry, so that one ENTRYPOINT serves
# both images; Node runs the file it points to (its real path), whose relative imports are the tsc layout's.
ARG APP
RUN case "$APP" in reader|writer) ;; *) echo "build with --build-arg APP=reader or APP=writer (got '$APP')" >&2; exit 1;; esac \
 && mkdir -p /out/dist/apps \
 && cp -R "dist/apps/$APP" /out/dist/apps/ && cp -R dist/libs /out/dist/libs \
 && find /out/dist -name '*.map' -delete \
 && ln -s "apps/$APP/src/main.js" /out/dist/main.js

# ---------------------------------------------------------------------------------------------------------
# deps: production dependencies only. They are pure JavaScript (no native addons, no os/cpu-specific
# packages), so they too install once on the builder's platform; `npm run test:images` runs them in the image.
# --omit=optional drops typescript, an optional peer of @nestjs/swagger that only its compiler plugin
# (used by `nest build`) loads, and pg-cloudflare (Cloudflare Workers only).
# --ignore-scripts: no runtime dependency needs an install script.
FROM --platform=$BUILDPLATFORM ${BASE_IMAGE} AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN --mount=type=cache,target=/root/.npm \
    npm ci --omit=dev --omit=optional --ignore-scripts --no-audit --no-fund

# ---------------------------------------------------------------------------------------------------------
# compile-cache: V8's code for every module the service loads, made once here instead of at every start
# (Node's compile cache, https://nodejs.org/api/module.html#module-compile-cache). Node keys each entry by
# the module's absolute path and checks it against the file's content, and keys the directory by Node
# version, CPU architecture and uid: so the cache is made from the runtime stage's exact files at their
# runtime paths (/app/node_modules from deps, /app/dist from build) by the user the service runs as. An
# image for another platform than the builder's gets no usable cache and compiles at start, as without one.
# `help` loads the service's whole module graph and exits: once with tracing off, once on (the OpenTelemetry
# SDK, and pg's modules as import-in-the-middle rewrites them). The runtime stage copies the result as root,
# read-only: the service reads the cache and never writes it (npm run test:images checks that every module
# the service loads is a hit).
FROM deps AS compile-cache
COPY --from=build /out/dist ./dist
RUN mkdir dist/.compile-cache && chown node:node dist/.compile-cache
USER node
ENV NODE_COMPILE_CACHE=/app/dist/.compile-cache
# The node flags are the ENTRYPOINT's: V8 flags are part of the cache's key, so a cache made without them
# is never read (npm run test:images fails then).
RUN node --max-semi-space-size=8 --heap-growing-percent=50 dist/main.js help > /dev/null \
 && OTEL_EXPORTER_OTLP_ENDPOINT=http://127.0.0.1:4318 OTEL_TRACES_SAMPLER=parentbased_traceidratio OTEL_TRACES_SAMPLER_ARG=0.1 \
    node --max-semi-space-size=8 --heap-growing-percent=50 dist/main.js help > /dev/null
USER root
RUN chown -R root:root dist && chmod -R a+rX,go-w dist

# ---------------------------------------------------------------------------------------------------------
# runtime: the target platform's node, plus files. No RUN here, so a cross-platform build never needs QEMU.
# Everything is owned by root and read-only to the app's user (ECS also mounts the root filesystem read-only).
FROM ${BASE_IMAGE} AS runtime
ARG APP
ARG TARGETPLATFORM
LABEL org.opencontainers.image.title="library-${APP}" \
      org.opencontainers.image.description="Books API ${APP} service (NestJS), ${TARGETPLATFORM}"
ENV NODE_ENV=production \
    PORT=8000 \
    NODE_COMPILE_CACHE=/app/dist/.compile-cache
WORKDIR /app
COPY package.json package-lock.json ./
COPY --from=deps /app/node_modules ./node_modules
COPY --from=compile-cache /app/dist ./dist
# /tmp is the only writable path: ECS mounts the root filesystem read-only and terraform/modules/service
# mounts a task volume at /tmp. On Fargate that volume is a bind mount, and the AWS ECS Developer Guide
# ("Use bind mounts with Amazon ECS", Considerations) says the ECS data plane looks for a VOLUME directive
# whose path equals the mount's containerPath and copies that path's contents into the volume; otherwise
# "By default, the volume permissions are set to 0755 and the owner as root. These permissions can be
# customized in the Dockerfile." Declaring /tmp gives the mount the base image's /tmp (root, mode 1777),
# so the node user can write it; without it node could not write /tmp on Fargate.
# https://docs.aws.amazon.com/AmazonECS/latest/developerguide/bind-mounts.html
VOLUME ["/tmp"]
# The base image's unprivileged user (uid 1000); Terraform's task definition names the same user.
USER node
EXPOSE 8000
# Liveness with the node binary the image already has (no curl): /health never touches the database.
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||8000)+'/health').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
# Exec form: node is PID 1 (or the child of ECS's/compose's init) and receives SIGTERM itself; the app
# drains in-flight requests and exits 0. Never `npm start` or a shell string here: they swallow the signal.
STOPSIGNAL SIGTERM
# V8's heap sizing (flags listed by `node --v8-options`; --heap-growing-percent is not allowed in
# NODE_OPTIONS, so both are here and NODE_OPTIONS stays free for an operator). At 50 concurrent requests
# the live heap is 25-35 MiB, yet with V8's defaults the old generation filled with up to ~130 MiB of
# garbage between full GCs (peak RSS 220-235 MiB):
# - --heap-growing-percent=50: after a full GC the old generation may grow to 1.5x what survived, not 4x;
# - --max-semi-space-size=8: a young generation large enough that an in-flight request's objects die young
#   instead of being promoted to the old generation (2 MiB promoted them, 16 MiB is V8's default).
# Measured side by side on issue 13's bundle: peak RSS 158-166 MiB against 207-235, and 12 % less CPU per
# request by id and per POST; on the tsc output see BENCHMARKS.md, "One artifact". The compile-cache stage
# repeats these flags (they are part of the cache's key). npm run bench starts the services with the flags
# written here (BENCH_NODE_FLAGS replaces them for an A/B).
ENTRYPOINT ["node", "--max-semi-space-size=8", "--heap-growing-percent=50", "dist/main.js"]
CMD ["serve"]
