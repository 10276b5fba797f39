# syntax=docker/dockerfile:1
# anime-die-heart: the Node server and its built web client.
#   docker build -t anime-die-heart .
#   docker run -p 3000:3000 -v adh-data:/data anime-die-heart
# Everything the server writes (the SQLite database, uploaded media) is under /data, one volume.
# See "Run with Docker" in README.md, and compose.yaml.

ARG NODE_IMAGE=node:20-bookworm-slim

# ── the client: every dependency, then `vite build` ──────────────────────────────────────────
FROM ${NODE_IMAGE} AS build
WORKDIR /app
COPY package.json package-lock.json ./
# Install scripts stay off, as in development here: every native piece the build needs
# (rolldown, esbuild, libsql) comes as a prebuilt package.
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY tsconfig.json vite.config.ts ./
COPY client ./client
COPY server ./server
COPY db ./db
RUN npm run build

# ── what the server needs at run time, nothing else ──────────────────────────────────────────
FROM ${NODE_IMAGE} AS prod-deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund && npm cache clean --force

# ── the image ────────────────────────────────────────────────────────────────────────────────
FROM ${NODE_IMAGE}
ENV NODE_ENV=production \
    NPM_CONFIG_UPDATE_NOTIFIER=false \
    HOST=0.0.0.0 \
    PORT=3000 \
    DATABASE_URL=file:/data/app.db \
    MEDIA_DIR=/data/media \
    CLIENT_DIR=/app/dist/client
WORKDIR /app
COPY --from=prod-deps /app/node_modules ./node_modules
COPY package.json package-lock.json tsconfig.json ./
COPY server ./server
COPY db ./db
COPY scripts/createsuperuser.ts ./scripts/createsuperuser.ts
COPY --from=build /app/dist/client ./dist/client
# The app's files belong to root and are read-only to the server; only /data is its own.
RUN mkdir -p /data && chown node:node /data
VOLUME /data
USER node
EXPOSE 3000
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch(`http://127.0.0.1:${process.env.PORT}/api/health`).then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# node itself as PID 1 (no npm in between): SIGTERM reaches the server, which closes and exits.
CMD ["node", "--import", "tsx", "server/entry.node.ts"]
