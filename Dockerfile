# Multi-stage build: dependencies are built in one stage and copied, without build tools, into a slim runtime.
# `docker run -p 8000:8000 IMAGE` alone serves the bundled dataset: `trainwatch start` migrates and seeds the SQLite
# database in the volume /srv/var, then serves. Set TRAINWATCH_AUTO_MIGRATE=false to run migrations yourself.
FROM python:3.11-slim AS build
WORKDIR /src
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_CACHE_DIR=1
RUN python -m venv /opt/venv
COPY requirements.lock ./
RUN /opt/venv/bin/pip install -r requirements.lock
COPY pyproject.toml README.md alembic.ini ./
COPY app ./app
COPY migrations ./migrations
RUN /opt/venv/bin/pip install --no-deps .

FROM python:3.11-slim AS runtime
RUN groupadd --system --gid 10001 trainwatch \
 && useradd --system --uid 10001 --gid 10001 --home-dir /srv trainwatch \
 && mkdir -p /srv/var && chown 10001:10001 /srv/var
WORKDIR /srv
COPY --from=build /opt/venv /opt/venv
COPY --from=build /src/alembic.ini /srv/alembic.ini
COPY --from=build /src/migrations /srv/migrations
ENV PATH=/opt/venv/bin:$PATH PYTHONUNBUFFERED=1 \
    TRAINWATCH_DATABASE_URL=sqlite:////srv/var/trainwatch.db
VOLUME ["/srv/var"]
USER 10001
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=3s --start-period=30s \
  CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/readyz', timeout=2)"]
CMD ["trainwatch", "start", "--host", "0.0.0.0", "--port", "8000"]
