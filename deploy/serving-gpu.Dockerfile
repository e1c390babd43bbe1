# syntax=docker/dockerfile:1.7
# The GPU (CUDA 12.8) serving image (inference-server). Build from the repository root, handing in an
# unpacked CUDA libtorch 2.7.1 (the cu128, cxx11-ABI, shared-with-deps build) as the named
# build context "libtorch":
#   docker build -f deploy/serving-gpu.Dockerfile \
#     --build-context libtorch=/opt/libtorch-2.7.1-cu128 -t finetune/serving-gpu:0.1.0 .
# Why not a Maven artifact: there is no pytorch-native-cu128 2.7.1 jar (the newest CUDA one
# is cu124 2.5.1, for an older engine). DJL is pointed at the libtorch in the image with
# PYTORCH_LIBRARY_PATH / PYTORCH_VERSION / PYTORCH_FLAVOR; the 2.7.1 pytorch-jni jar in the
# serving jar carries the CUDA glue. Nothing is downloaded when the container runs.

ARG JDK_IMAGE=eclipse-temurin:17-jdk
ARG JRE_IMAGE=eclipse-temurin:17-jre
ARG CUDA_IMAGE=nvidia/cuda:12.8.1-runtime-ubuntu24.04

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

FROM ${JRE_IMAGE} AS jre

FROM ${CUDA_IMAGE}
COPY --from=jre /opt/java/openjdk /opt/java/openjdk
# Only libtorch's shared libraries: headers and CMake files stay out of the image.
COPY --from=libtorch lib/ /opt/libtorch/lib/
RUN test -f /opt/libtorch/lib/libtorch_cuda.so || { echo "the libtorch build context is not a CUDA libtorch (no lib/libtorch_cuda.so)" >&2; exit 1; } \
 && groupadd --system --gid 10001 finetune \
 && useradd --system --uid 10001 --gid finetune --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin finetune \
 && mkdir -p /var/lib/finetune/serving /var/cache/djl \
 && chown 10001:10001 /var/lib/finetune/serving /var/cache/djl
WORKDIR /app
COPY --from=layers --chown=root:root /layers/extracted/dependencies/ ./
COPY --from=layers --chown=root:root /layers/extracted/spring-boot-loader/ ./
COPY --from=layers --chown=root:root /layers/extracted/snapshot-dependencies/ ./
COPY --from=layers --chown=root:root /layers/extracted/application/ ./
ENV JAVA_HOME=/opt/java/openjdk \
    PATH=/opt/java/openjdk/bin:$PATH \
    PYTORCH_LIBRARY_PATH=/opt/libtorch/lib \
    PYTORCH_VERSION=2.7.1 \
    PYTORCH_FLAVOR=cu128 \
    LD_LIBRARY_PATH=/opt/libtorch/lib \
    NVIDIA_VISIBLE_DEVICES=all \
    NVIDIA_DRIVER_CAPABILITIES=compute,utility \
    FINETUNE_SERVING_DEVICE=cuda \
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
STOPSIGNAL SIGTERM
ENTRYPOINT ["java", "org.springframework.boot.loader.launch.JarLauncher"]
