# syntax=docker/dockerfile:1.7
# The CPU training worker. Build from the repository root:
#   docker build -f deploy/worker-cpu.Dockerfile -t finetune/worker-cpu:0.1.0 .
# The jar carries DJL's pytorch-native-cpu 2.7.1; DJL unpacks it (about 450 MB) into
# DJL_CACHE_DIR on the first start of a container, so that directory must be writable.

ARG JDK_IMAGE=eclipse-temurin:17-jdk
ARG JRE_IMAGE=eclipse-temurin:17-jre

FROM ${JDK_IMAGE} AS build
WORKDIR /src
COPY . .
RUN --mount=type=cache,target=/root/.m2 set -eu; \
    ./mvnw -B -q -pl trainer-worker -am package -DskipTests; \
    jar=$(for f in trainer-worker/target/*.jar; do if jar tf "$f" | grep -q '^BOOT-INF/'; then echo "$f"; fi; done | head -n 1); \
    [ -n "$jar" ] || { echo "no Spring Boot jar in trainer-worker/target" >&2; exit 1; }; \
    cp "$jar" /app.jar

FROM ${JDK_IMAGE} AS layers
WORKDIR /layers
COPY --from=build /app.jar app.jar
RUN java -Djarmode=tools -jar app.jar extract --layers --launcher --destination extracted

FROM ${JRE_IMAGE}
RUN groupadd --system --gid 10001 finetune \
 && useradd --system --uid 10001 --gid finetune --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin finetune \
 && mkdir -p /var/lib/finetune/work /var/cache/djl \
 && chown 10001:10001 /var/lib/finetune/work /var/cache/djl
WORKDIR /app
COPY --from=layers --chown=root:root /layers/extracted/dependencies/ ./
COPY --from=layers --chown=root:root /layers/extracted/spring-boot-loader/ ./
COPY --from=layers --chown=root:root /layers/extracted/snapshot-dependencies/ ./
COPY --from=layers --chown=root:root /layers/extracted/application/ ./
# DJL must never reach the internet (telemetry, native downloads): see the design brief.
# JSON log lines (ECS, with the MDC's tenantId and jobId); LOGGING_STRUCTURED_FORMAT_CONSOLE= for plain text
ENV FINETUNE_WORKER_DEVICE=cpu \
    LOGGING_STRUCTURED_FORMAT_CONSOLE=ecs \
    FINETUNE_WORKER_WORK_DIR=/var/lib/finetune/work \
    DJL_CACHE_DIR=/var/cache/djl \
    DJL_OFFLINE=true \
    MKL_CBWR=AUTO,STRICT \
    MKL_DYNAMIC=FALSE \
    OPT_OUT_TRACKING=true \
    MANAGEMENT_SERVER_PORT=8081 \
    MANAGEMENT_ENDPOINT_HEALTH_PROBES_ENABLED=true \
    JAVA_TOOL_OPTIONS="-XX:MaxRAMPercentage=40.0 -XX:+ExitOnOutOfMemoryError -Dai.djl.offline=true"
VOLUME ["/var/lib/finetune/work", "/var/cache/djl"]
USER 10001:10001
EXPOSE 8081
HEALTHCHECK --interval=30s --timeout=5s --start-period=180s --retries=4 \
  CMD ["bash", "-c", "exec 3<>/dev/tcp/127.0.0.1/8081 && printf 'GET /actuator/health/liveness HTTP/1.0\\r\\nHost: localhost\\r\\n\\r\\n' >&3 && grep -q '\"UP\"' <&3"]
# SIGTERM goes straight to the JVM (exec form, PID 1): the worker finishes its slice,
# checkpoints and releases its lease. Give it time: docker stop -t 300, compose
# stop_grace_period, Kubernetes terminationGracePeriodSeconds.
STOPSIGNAL SIGTERM
ENTRYPOINT ["java", "org.springframework.boot.loader.launch.JarLauncher"]
CMD ["worker"]
