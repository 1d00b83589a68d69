# syntax=docker/dockerfile:1
#
# Bedrock Cost Keeper: one image, two processes (docs/operations.md, cloudformation/service.yaml).
#
#   docker build -t bedrock-cost-keeper .
#   HTTP app (the default command):
#     docker run -p 8080:8080 --env-file prod.env bedrock-cost-keeper
#     = node dist/apps/http/main.js
#   Worker (aggregator, sticky monitor, pricing refresh):
#     docker run --env-file prod.env bedrock-cost-keeper node dist/apps/worker/main.js
#
# Both need the environment of README.md, "Environment" (STORAGE, TABLE_NAME, AWS_REGION, PROVISIONING_API_KEY,
# JWT_SECRET, ...). WORKER=separate is preset: the worker runs as its own process (task).
# No HEALTHCHECK: the same image runs the worker, which serves no HTTP; the load balancer checks
# the HTTP app on GET /health.

# --- build: all dependencies, compile both apps to dist/ --------------------------------------
FROM node:24-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY . .
RUN npm run build

# --- production dependencies only --------------------------------------------------------------
FROM node:24-bookworm-slim AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force

# --- runtime: dist/, production node_modules, config.yaml, package.json (its "imports" map) ----
FROM node:24-bookworm-slim AS runtime
ENV NODE_ENV=production WORKER=separate PORT=8080
WORKDIR /app
COPY --from=deps /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY package.json config.yaml ./
# Files stay owned by root (read-only for the app); the processes run as the image's "node" user.
USER node
EXPOSE 8080
STOPSIGNAL SIGTERM
CMD ["node", "dist/apps/http/main.js"]
