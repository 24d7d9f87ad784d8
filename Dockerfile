# Latchkey authorization server: the production image (docs/deployment.md).
# Build from the repository root:   docker build -t latchkey .
# Run (PostgreSQL, TLS terminated by a proxy in front):
#   docker run -e LATCHKEY_SECRET=... -e LATCHKEY_ISSUER=https://auth.example.com \
#              -e LATCHKEY_DATABASE_URL=postgres://latchkey:...@db:5432/latchkey latchkey
#
# Two stages: `build` compiles the server with tsc (the build that `npm publish` packs); the image itself holds
# production dependencies and that compiled JavaScript only: no TypeScript sources, no compiler.

FROM node:24-slim AS build
WORKDIR /app
# npm ci checks the lockfile against every workspace, so every workspace's package.json is copied.
COPY package.json package-lock.json tsconfig.json ./
COPY packages/sqlite/package.json packages/sqlite/
COPY packages/server/package.json packages/server/
COPY packages/client/package.json packages/client/
COPY packages/resource/package.json packages/resource/
COPY examples/package.json examples/
COPY bench/package.json bench/
COPY deploy/package.json deploy/
RUN npm ci --no-audit --no-fund
COPY scripts/build-package.js scripts/
COPY packages/sqlite packages/sqlite
COPY packages/server packages/server
RUN npm run build --workspace @latchkey/server

FROM node:24-slim
ENV NODE_ENV=production
WORKDIR /app

# Dependencies first, so this layer is rebuilt only when a manifest changes. The `deploy` workspace names what the
# image runs: @latchkey/server and pg (its optional peer, for PostgreSQL); argon2 loads its prebuilt linux binary.
COPY package.json package-lock.json ./
COPY packages/sqlite/package.json packages/sqlite/
COPY packages/server/package.json packages/server/
COPY packages/client/package.json packages/client/
COPY packages/resource/package.json packages/resource/
COPY examples/package.json examples/
COPY bench/package.json bench/
COPY deploy/package.json deploy/
RUN npm ci --omit=dev --workspace deploy --no-audit --no-fund \
 && npm cache clean --force

# The compiled server: the bin runs dist/ because the image has no src/.
COPY --from=build /app/packages/sqlite/dist packages/sqlite/dist
COPY --from=build /app/packages/server/dist packages/server/dist
COPY packages/server/bin packages/server/bin

# The embedded SQLite default needs a writable place; PostgreSQL deployments set LATCHKEY_DATABASE_URL.
RUN mkdir -p /var/lib/latchkey && chown node:node /var/lib/latchkey

# Listen on every interface inside the container; the proxy in front terminates TLS.
ENV LATCHKEY_HOST=0.0.0.0 \
    LATCHKEY_PORT=4000 \
    LATCHKEY_DATABASE_URL=sqlite:/var/lib/latchkey/latchkey.db

# Never run as root: the node image's unprivileged user.
USER node
EXPOSE 4000

# Liveness only: /healthz answers while the process serves. (/readyz also checks the database and is for
# the load balancer; restarting a container does not fix a database outage.)
HEALTHCHECK --interval=10s --timeout=3s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.LATCHKEY_PORT || 4000) + '/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]

# `docker run IMAGE` starts the server; `docker run IMAGE migrate` or `... keys rotate --alg ES256` run the CLI.
ENTRYPOINT ["node", "packages/server/bin/latchkey.js"]
CMD ["start"]
