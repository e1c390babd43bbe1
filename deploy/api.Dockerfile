# syntax=docker/dockerfile:1.7
# The REST API image. Build from the repository root:
#   docker build -f deploy/api.Dockerfile -t finetune/api:0.1.0 .
# The API carries no DJL natives (platform-api never depends on trainer-worker); the build
# stage fails if a pytorch-native jar ever slips into the application jar.

ARG JDK_IMAGE=eclipse-temurin:17-jdk
ARG JRE_IMAGE=eclipse-temurin:17-jre

FROM ${JDK_IMAGE} AS build
WORKDIR /src
COPY . .
RUN --mount=type=cache,target=/root/.m2 set -eu; \
    ./mvnw -B -q -pl platform-api -am package -DskipTests; \
    jar=$(for f in platform-api/target/*.jar; do if jar tf "$f" | grep -q '^BOOT-INF/'; then echo "$f"; fi; done | head -n 1); \
    [ -n "$jar" ] || { echo "no Spring Boot jar in platform-api/target" >&2; exit 1; }; \
    if jar tf "$jar" | grep -Eq '^BOOT-INF/lib/pytorch-native'; then echo "platform-api jar carries PyTorch natives" >&2; exit 1; fi; \
    cp "$jar" /app.jar

FROM ${JDK_IMAGE} AS layers
WORKDIR /layers
COPY --from=build /app.jar app.jar
# Spring Boot's layered extraction: dependencies change least, the application most, so a
# code change rebuilds and pushes only the last, small layer.
RUN java -Djarmode=tools -jar app.jar extract --layers --launcher --destination extracted

FROM ${JRE_IMAGE}
# A fixed, unprivileged UID/GID that the chart's runAsUser/fsGroup (10001) match.
RUN groupadd --system --gid 10001 finetune \
 && useradd --system --uid 10001 --gid finetune --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin finetune
WORKDIR /app
COPY --from=layers --chown=root:root /layers/extracted/dependencies/ ./
COPY --from=layers --chown=root:root /layers/extracted/spring-boot-loader/ ./
COPY --from=layers --chown=root:root /layers/extracted/snapshot-dependencies/ ./
COPY --from=layers --chown=root:root /layers/extracted/application/ ./
# one JSON object per log line (Elastic Common Schema, with the MDC's tenantId and jobId);
# LOGGING_STRUCTURED_FORMAT_CONSOLE=logstash for Logstash's shape, or empty for plain text
ENV SERVER_PORT=8080 \
    LOGGING_STRUCTURED_FORMAT_CONSOLE=ecs \
    MANAGEMENT_ENDPOINT_HEALTH_PROBES_ENABLED=true \
    JAVA_TOOL_OPTIONS="-XX:MaxRAMPercentage=75.0 -XX:+ExitOnOutOfMemoryError"
USER 10001:10001
EXPOSE 8080
# No curl in the JRE image: bash's /dev/tcp asks the readiness group directly.
HEALTHCHECK --interval=15s --timeout=5s --start-period=60s --retries=4 \
  CMD ["bash", "-c", "exec 3<>/dev/tcp/127.0.0.1/8080 && printf 'GET /actuator/health/readiness HTTP/1.0\\r\\nHost: localhost\\r\\n\\r\\n' >&3 && grep -q '\"UP\"' <&3"]
ENTRYPOINT ["java", "org.springframework.boot.loader.launch.JarLauncher"]
