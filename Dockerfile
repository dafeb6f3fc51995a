# carebot: one image for every role (`start --role all|http|workers`, `migrate`, `doctor`, …).
#   docker build -t carebot .
#   docker run --env-file .env -p 3000:3000 -v carebot-data:/app/data carebot
# compose.yaml runs the http role, workers, Redis and PostgreSQL; docs/deploy.md says how.

# --- build: compile TypeScript, then keep exactly what `npm pack` ships (package.json `files`) ---
FROM node:20-slim AS build
WORKDIR /src
COPY package.json package-lock.json ./
# --ignore-scripts: `prepare` would build before the sources are here.
RUN npm ci --no-audit --no-fund --ignore-scripts
COPY . .
RUN npm run build \
 && npm pack --ignore-scripts --pack-destination /tmp \
 && mkdir /pkg \
 && tar -xzf /tmp/carebot-*.tgz -C /pkg --strip-components=1 \
 && cp package-lock.json /pkg/

# --- runtime: the package, its production dependencies from the lockfile, a non-root user ---
FROM node:20-slim
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=3000 \
    DATA_DIR=/app/data
WORKDIR /app
COPY --from=build /pkg ./
RUN npm ci --omit=dev --no-audit --no-fund --ignore-scripts \
 && npm cache clean --force \
 && mkdir -p /app/data \
 && chown node:node /app/data
# The image's `node` user (uid 1000); DATA_DIR (embedded PGlite) is the only place it writes.
USER node
VOLUME ["/app/data"]
EXPOSE 3000
# /healthz: the process answers. (/readyz also needs Redis and the database: a restart would not fix those.)
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 3000) + '/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# SIGTERM (docker stop) finishes the active jobs, then exits 0: give it time (compose sets 30 s).
STOPSIGNAL SIGTERM
ENTRYPOINT ["node", "bin/carebot.js"]
CMD ["start"]
