# syntax=docker/dockerfile:1.7
# One image for `crosswalk serve`, `crosswalk worker` and `crosswalk scheduler` (pick with the command).
# Reviewed, not built here: no Docker engine runs on the development machines.

# --- build: install production dependencies, compiling better-sqlite3 against this Node ---
FROM node:20-bookworm-slim AS deps
WORKDIR /app
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json .npmrc ./
# tsx runs the TypeScript sources (docs/decisions/0001), so it is a production dependency.
RUN npm ci --omit=dev --no-audit --no-fund

# --- runtime: sources + node_modules, no compilers, not root ---
FROM node:20-bookworm-slim AS runtime
ENV NODE_ENV=production \
    CROSSWALK_DB=/data/crosswalk.sqlite \
    LOG_LEVEL=info
WORKDIR /app
RUN groupadd --system crosswalk && useradd --system --gid crosswalk --home /app crosswalk \
 && mkdir -p /data && chown crosswalk:crosswalk /data
COPY --from=deps /app/node_modules ./node_modules
COPY package.json crosswalk.config.yaml ./
COPY bin ./bin
COPY src ./src
COPY jobs ./jobs
COPY connectors ./connectors
COPY mappings ./mappings
USER crosswalk
# SQLite must live on local disk (never a network filesystem): mount a volume here.
VOLUME ["/data"]
EXPOSE 8600
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s \
  CMD node -e "fetch('http://127.0.0.1:'+(process.env.PORT||8600)+'/health').then(r=>process.exit(r.status<500?0:1)).catch(()=>process.exit(1))"
ENTRYPOINT ["node", "bin/crosswalk.js"]
CMD ["serve", "--host", "0.0.0.0"]
