# VectorDb server image: multi-stage build (SDK → ASP.NET runtime), data on a volume, gRPC health check.
#   docker build -t vectordb .
#   docker run -p 6334:6334 -p 6333:6333 -v vectordb-data:/data -e VectorDb__ApiKey=change-me vectordb
# Port 6334: gRPC (HTTP/2 cleartext); port 6333: Qdrant-compatible REST API, health probes and Prometheus metrics (GET /metrics), HTTP/1.1.

FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
WORKDIR /src
# The context is what .dockerignore lets through (sources, build settings, .editorconfig whose analyzer rules the
# warnings-as-errors build needs). CI runs the same script on the same files without a daemon (.ci/docker-context.sh).
COPY . .
RUN bash build/publish-server.sh /app

# grpc_health_probe for the HEALTHCHECK (a static binary from the grpc-ecosystem project).
FROM mcr.microsoft.com/dotnet/sdk:10.0 AS probe
ARG GRPC_HEALTH_PROBE_VERSION=v0.4.37
RUN curl -fsSL -o /grpc_health_probe \
      https://github.com/grpc-ecosystem/grpc-health-probe/releases/download/${GRPC_HEALTH_PROBE_VERSION}/grpc_health_probe-linux-amd64 \
 && chmod +x /grpc_health_probe

FROM mcr.microsoft.com/dotnet/aspnet:10.0 AS runtime
WORKDIR /app
COPY --from=build /app .
COPY --from=probe /grpc_health_probe /usr/local/bin/grpc_health_probe
RUN mkdir -p /data && chown app:app /data
USER app
VOLUME /data
EXPOSE 6334 6333
ENV DOTNET_gcServer=1
HEALTHCHECK --interval=15s --timeout=3s --start-period=60s --retries=3 \
  CMD ["grpc_health_probe", "-addr=127.0.0.1:6334"]
# Listen on all interfaces inside the container (the default is loopback only).
ENTRYPOINT ["dotnet", "VectorDb.Server.dll", "--urls", "http://0.0.0.0:6334", "--data-dir", "/data", "--rest-urls", "http://0.0.0.0:6333"]
