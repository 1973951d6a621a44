# The service image used by compose.yaml (API and workers run the same image).
FROM node:20-bookworm-slim
RUN apt-get update && apt-get install -y --no-install-recommends ffmpeg yt-dlp ca-certificates && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY package.json package-lock.json .npmrc tsconfig.json tsconfig.build.json ./
COPY src ./src
COPY migrations ./migrations
# `npm ci` runs `prepare`, which builds the web app too (dist/web, served at /).
COPY web ./web
# --omit=dev after the build: the Qdrant test binary and the test tools stay out of the image.
RUN npm ci --no-audit --no-fund && npm prune --omit=dev --no-audit --no-fund
ENV HOST=0.0.0.0 DATA_DIR=/data
ENTRYPOINT ["node", "dist/cli/main.js"]
CMD ["serve", "--no-worker"]
