# One multi-stage file for the five services: `docker build --build-arg SERVICE=gateway .`
# (docker-compose.yml builds each with its own SERVICE).
FROM node:20-bookworm-slim AS build
WORKDIR /app
RUN npm install --global pnpm@10.34.8
COPY package.json pnpm-lock.yaml pnpm-workspace.yaml ./
COPY packages ./packages
COPY services ./services
COPY test/package.json ./test/package.json
COPY scripts ./scripts
# pnpm-workspace.yaml patches dependencies from here: the install needs them.
COPY patches ./patches
COPY tsconfig.base.json tsconfig.json ./
RUN pnpm install --frozen-lockfile && node scripts/build.mjs
ARG SERVICE=gateway
# A production node_modules holding only what the bundle leaves external.
RUN pnpm --filter "@topdog/${SERVICE}" deploy --prod --legacy /out && cp -r services/${SERVICE}/dist /out/dist

FROM node:20-bookworm-slim
ARG SERVICE=gateway
ENV NODE_ENV=production SERVICE=${SERVICE}
WORKDIR /app
COPY --from=build /out ./
USER node
# As scripts/service-process.mjs starts the services (the reasons are there).
ENV MALLOC_ARENA_MAX=2 MALLOC_MMAP_THRESHOLD_=131072
CMD ["node", "--enable-source-maps", "dist/main.js"]
