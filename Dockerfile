# Switchboard: one image for the api (`start`) and the worker (`worker`) processes.
# TypeScript runs through tsx (a runtime dependency); the dashboard SPA, the chat widget and the UI
# kit are built in their own stage.
FROM node:20-slim AS ui
WORKDIR /app
COPY package.json package-lock.json ./
# --ignore-scripts: the sources are not copied yet; the build runs below.
RUN npm ci --no-audit --no-fund --ignore-scripts
COPY dashboard ./dashboard
COPY widget ./widget
RUN npm run build:dashboard && npm run build:widget

FROM node:20-slim

WORKDIR /app
ENV NODE_ENV=production

COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force

COPY . .
COPY --from=ui /app/dashboard/dist ./dashboard/dist
COPY --from=ui /app/dist ./dist

# Embedded mode (no DATABASE_URL) keeps PGlite and the generated master key here; mount a volume.
RUN mkdir -p /app/data && chown node:node /app/data
USER node

ENV HOST=0.0.0.0 \
    PORT=3000 \
    SWITCHBOARD_DATA_DIR=/app/data
EXPOSE 3000

HEALTHCHECK --interval=15s --timeout=5s --start-period=30s --retries=3 \
  CMD node -e "fetch('http://127.0.0.1:' + (process.env.PORT || 3000) + '/v1/health').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"

# Node is PID 1 and handles SIGTERM itself: stop accepting, stop the relay, close the database.
CMD ["node", "bin/switchboard.js", "start"]
