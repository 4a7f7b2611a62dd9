# syntax=docker/dockerfile:1
# EventFlow: one image holding every service binary; docker-compose.yml picks
# the binary per container with `command:`.
#
#   docker build -t eventflow:local .

# ---------------------------------------------------------------------------
# Builder: compile the whole workspace once, in release mode.
# ---------------------------------------------------------------------------
FROM rust:1-bookworm AS builder

WORKDIR /app
COPY . .

# BuildKit cache mounts keep the cargo registry and target/ between builds, so a
# code change does not recompile every dependency. target/ is a cache mount
# (not part of the image layer), hence the binaries are copied out in the same RUN.
RUN --mount=type=cache,target=/usr/local/cargo/registry \
    --mount=type=cache,target=/usr/local/cargo/git \
    --mount=type=cache,target=/app/target \
    cargo build --release --bins \
    && mkdir -p /out \
    && for bin in usuarios-service eventos-service reservas-pagos-service notificaciones-service eventflow; do \
         cp "target/release/$bin" /out/ || { echo "binary $bin was not built" >&2; exit 1; }; \
       done

# ---------------------------------------------------------------------------
# Runtime: slim Debian (same release as the builder, so glibc matches).
# ---------------------------------------------------------------------------
FROM debian:bookworm-slim AS runtime

# ca-certificates: outbound TLS (payment providers, etc.); curl: compose healthchecks.
RUN apt-get update \
    && apt-get install -y --no-install-recommends ca-certificates curl \
    && rm -rf /var/lib/apt/lists/*

# Run unprivileged.
RUN useradd --system --uid 10001 --no-create-home --shell /usr/sbin/nologin eventflow

COPY --from=builder /out/usuarios-service \
                    /out/eventos-service \
                    /out/reservas-pagos-service \
                    /out/notificaciones-service \
                    /out/eventflow \
                    /usr/local/bin/

USER eventflow
ENV EVENTFLOW_BIND=0.0.0.0 \
    RUST_LOG=info
EXPOSE 8001 8002 8003 8004

# Default: the all-in-one launcher. docker-compose.yml overrides this per service.
CMD ["/usr/local/bin/eventflow"]
