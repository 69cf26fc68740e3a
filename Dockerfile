# Bellwether: one binary plus the built site, on a slim Debian.
# Build: docker build -t bellwether .   Run: docker run -p 3000:3000 -v bw-data:/data bellwether
FROM rust:1.95-bookworm AS build
RUN apt-get update && apt-get install -y --no-install-recommends nodejs npm && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY . .
RUN ./scripts/setup.sh \
 && ./scripts/build-site.sh --release \
 && cargo build --release -p server

FROM debian:bookworm-slim
RUN apt-get update && apt-get install -y --no-install-recommends ca-certificates && rm -rf /var/lib/apt/lists/* \
 && useradd --system --home /data bellwether && mkdir -p /data && chown bellwether /data
COPY --from=build /src/target/release/bellwether /usr/local/bin/bellwether
COPY --from=build /src/target/site /srv/site
USER bellwether
ENV BELLWETHER_DB=surrealkv:///data/bellwether.db \
    BELLWETHER_BIND=0.0.0.0:3000 \
    LEPTOS_SITE_ROOT=/srv/site \
    BELLWETHER_MAIL_DIR=/data/mail \
    BELLWETHER_SECURE_COOKIES=true
VOLUME /data
EXPOSE 3000
HEALTHCHECK CMD ["bash", "-c", "exec 3<>/dev/tcp/127.0.0.1/3000 && printf 'GET /healthz HTTP/1.0\\r\\n\\r\\n' >&3 && grep -q '200 OK' <&3"]
ENTRYPOINT ["bellwether"]
CMD ["serve"]
