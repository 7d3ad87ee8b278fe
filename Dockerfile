# syntax=docker/dockerfile:1
# Multi-stage build: the first stage installs production dependencies only,
# the second copies them with the sources into a slim image that runs as a
# non-root user. The server runs its TypeScript sources through tsx, which
# is a production dependency, so there is no compile step.

FROM node:20-bookworm-slim AS dependencies
WORKDIR /app
COPY package.json package-lock.json ./
# --ignore-scripts: the Prisma client is committed in src/generated, so no
# install script needs to run, and none may download anything.
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund

FROM node:20-bookworm-slim AS runtime
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=4000 \
    DATA_DIR=/data
WORKDIR /app
COPY --from=dependencies /app/node_modules ./node_modules
COPY package.json package-lock.json ./
COPY bin ./bin
COPY src ./src
COPY prisma ./prisma
# The embedded database (used when DATABASE_URL is unset) lives in /data.
RUN mkdir -p /data && chown node:node /data
USER node
EXPOSE 4000
VOLUME ["/data"]
HEALTHCHECK --interval=10s --timeout=3s --start-period=30s \
  CMD node -e "fetch('http://127.0.0.1:'+(process.env.PORT||4000)+'/readyz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
# exec form: node is PID 1 and receives SIGTERM directly for a graceful stop.
CMD ["node", "bin/yield-ledger.mjs", "serve"]
