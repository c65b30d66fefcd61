# One image recipe for every service: docker build --build-arg SERVICE=agreements -f deploy/docker/service.Dockerfile .
# (docker-compose.yml builds agreements, milestones and alerts this way.) The final stage runs the compiled
# JavaScript on plain Node with production dependencies only: no TypeScript, no loader, no dev tools.
ARG NODE_IMAGE=node:20-bookworm-slim

# All dependencies, for the build.
FROM ${NODE_IMAGE} AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund

# tsc compiles the service and the libraries it imports into dist/ (dist/services/<name>/src/main.js,
# dist/libs/...); tsc-alias rewrites the @tracker/* path aliases of tsconfig.base.json to relative requires.
FROM deps AS build
ARG SERVICE
RUN test -n "$SERVICE" || { echo 'build with --build-arg SERVICE=agreements|milestones|alerts' >&2; exit 1; }
COPY tsconfig.base.json ./
COPY libs ./libs
COPY services ./services
RUN npx tsc -p services/${SERVICE}/tsconfig.app.json && npx tsc-alias -p services/${SERVICE}/tsconfig.app.json

# Production dependencies only (no dev tools, no TypeScript).
FROM ${NODE_IMAGE} AS prod-deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force

FROM ${NODE_IMAGE}
ARG SERVICE
ENV NODE_ENV=production SERVICE=${SERVICE}
WORKDIR /app
COPY --from=prod-deps /app/node_modules ./node_modules
COPY package.json ./
COPY --from=build /app/dist ./dist
USER node
# exec: node becomes PID 1 and receives docker stop's SIGTERM itself (graceful shutdown).
CMD ["sh", "-c", "exec node dist/services/${SERVICE}/src/main.js"]
