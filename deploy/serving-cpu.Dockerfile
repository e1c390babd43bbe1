# syntax=docker/dockerfile:1.7
# The CPU serving image (inference-server: OpenAI-compatible /v1/chat/completions,
# /v1/completions, /v1/models). Build from the repository root:
#   docker build -f deploy/serving-cpu.Dockerfile -t finetune/serving-cpu:0.1.0 .
# The jar carries DJL's pytorch-native-cpu 2.7.1; DJL unpacks it (about 450 MB) into
# DJL_CACHE_DIR on the first start of a container, so that directory must be writable.

ARG JDK_IMAGE=eclipse-temurin:17-jdk
ARG JRE_IMAGE=eclipse-temurin:17-jre

FROM ${JDK_IMAGE} AS build
WORKDIR /src
COPY . .
RUN --mount=type=cache,target=/root/.m2 set -eu; \
    ./mvnw -B -q -pl inference-server -am package -DskipTests; \
    jar=$(for f in inference-server/target/*.jar; do if jar tf "$f" | grep -q '^BOOT-INF/'; then echo "$f"; fi; done | head -n 1); \
    [ -n "$jar" ] || { echo "no Spring Boot jar in inference-server/target" >&2; exit 1; }; \
    cp "$jar" /app.jar

FROM ${JDK_IMAGE} AS layers
WORKDIR /layers
COPY --from=build /app.jar app.jar
RUN java -Djarmode=tools -jar app.jar extract --layers --launcher --destination extracted

FROM ${JRE_IMAGE}
RUN groupadd --system --gid 10001 finetune \
 && useradd --system --uid 10001 --gid finetune --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin finetune \
 && mkdir -p /var/lib/finetune/serving /var/cache/djl \
 && chown 10001:10001 /var/lib/finetune/serving /var/cache/djl
WORKDIR /app
COPY --from=layers --chown=root:root /layers/extracted/dependencies/ ./
COPY --from=layers --chown=root:root /layers/extracted/spring-boot-loader/ ./
COPY --from=layers --chown=root:root /layers/extracted/snapshot-dependencies/ ./
COPY --from=layers --chown=root:root /layers/extracted/application/ ./
# DJL must never reach the internet (telemetry, native downloads): see the design brief.
# JSON log lines (ECS, with the MDC's tenantId and jobId); LOGGING_STRUCTURED_FORMAT_CONSOLE= for plain text
ENV FINETUNE_SERVING_DEVICE=cpu \
    LOGGING_STRUCTURED_FORMAT_CONSOLE=ecs \
    FINETUNE_SERVING_WORK_DIR=/var/lib/finetune/serving \
    DJL_CACHE_DIR=/var/cache/djl \
    DJL_OFFLINE=true \
    OPT_OUT_TRACKING=true \
    MANAGEMENT_ENDPOINT_HEALTH_PROBES_ENABLED=true \
    JAVA_TOOL_OPTIONS="-XX:MaxRAMPercentage=40.0 -XX:+ExitOnOutOfMemoryError -Dai.djl.offline=true"
VOLUME ["/var/lib/finetune/serving", "/var/cache/djl"]
USER 10001:10001
EXPOSE 8080
HEALTHCHECK --interval=30s --timeout=5s --start-period=180s --retries=4 \
  CMD ["bash", "-c", "exec 3<>/dev/tcp/127.0.0.1/8080 && printf 'GET /actuator/health/liveness HTTP/1.0\\r\\nHost: localhost\\r\\n\\r\\n' >&3 && grep -q '\"UP\"' <&3"]
# SIGTERM goes straight to the JVM (exec form, PID 1): Spring stops taking requests and lets
# completions in flight finish.
STOPSIGNAL SIGTERM
ENTRYPOINT ["java", "org.springframework.boot.loader.launch.JarLauncher"]
