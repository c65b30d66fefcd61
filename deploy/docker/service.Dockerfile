# One image recipe for every service: docker build --build-arg SERVICE=agreements -f deploy/docker/service.Dockerfile .
FROM node:20-bookworm-slim AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund

FROM deps AS build
ARG SERVICE
COPY tsconfig.base.json tsconfig.json ./
COPY libs ./libs
COPY services ./services
RUN npx tsc -p services/${SERVICE}/tsconfig.app.json --outDir dist

FROM node:20-bookworm-slim
ARG SERVICE
ENV NODE_ENV=production SERVICE=${SERVICE}
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force
COPY --from=build /app/dist ./dist
COPY tsconfig.base.json ./
COPY tools/runtime ./tools/runtime
USER node
CMD ["sh", "-c", "node -r ./tools/runtime/aliases.js dist/services/${SERVICE}/src/main.js"]
