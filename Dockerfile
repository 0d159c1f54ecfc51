# gossipscope in a container: the page built and embedded, a static binary
# (CGO_ENABLED=0), run as a non-root user. Build: docker build -t gossipscope .
# Run:   docker run --rm -p 8080:8080 gossipscope
# (It listens on 0.0.0.0 inside the container, where the port mapping is the
# boundary; the lab's nodes stay on the container's loopback.)

FROM golang:1.26 AS build
# patch: scripts/build-wasm.sh patches ebiten for the page's build; brotli:
# scripts/precompress.sh makes the wasm's brotli form (a quarter smaller than gzip).
RUN apt-get update -qq && apt-get install -y -qq --no-install-recommends patch make brotli && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
RUN make build

# distroless's static image: no shell, no libc, a nonroot user (65532).
FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /src/bin/gossipscope /usr/local/bin/gossipscope
USER nonroot:nonroot
EXPOSE 8080
ENTRYPOINT ["/usr/local/bin/gossipscope"]
CMD ["serve", "--web.listen-address", "0.0.0.0:8080", "--lab", "5"]
